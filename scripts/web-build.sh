#!/usr/bin/env bash
# Build the browser workbench into a static folder (default: dist/):
#   wasm32 release build (profile `web`: size-tuned) -> wasm-bindgen (--target web) -> wasm-opt
#   -> dist/{index.html,horizon.js,horizon_bg.wasm}
# and print the .wasm size raw and gzipped. Serve with:
#   python3 -m http.server --bind 127.0.0.1 --directory dist 8080
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
out=${1:-dist}
bash scripts/setup.sh web
tools="$HORIZON_CACHE/tools/bin"

if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  cargo build --locked --profile web --target wasm32-unknown-unknown -p horizon --lib
else
  # Debian route (see ../shared/notes/wasm-toolchain.md): rustc-web with -Z build-std.
  env PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22 \
    /usr/bin/cargo build --locked --profile web --target wasm32-unknown-unknown -p horizon --lib \
    -Z build-std=std,panic_abort
fi
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/web/horizon.wasm"

rm -rf "$out"
mkdir -p "$out"
"$tools/wasm-bindgen" --target web --no-typescript --out-dir "$out" "$wasm"
# binaryen's optimiser (from npm, see setup.sh), for size; the features are those rustc emits.
"$HORIZON_CACHE/node/node_modules/.bin/wasm-opt" -Os --enable-bulk-memory --enable-sign-ext \
  --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types \
  --enable-multivalue "$out/horizon_bg.wasm" -o "$out/horizon_bg.opt.wasm"
mv "$out/horizon_bg.opt.wasm" "$out/horizon_bg.wasm"
cp wasm/index.html "$out/"
raw=$(stat -c %s "$out/horizon_bg.wasm")
gz=$(gzip -9 -c "$out/horizon_bg.wasm" | wc -c)
awk -v o="$out" -v r="$raw" -v g="$gz" \
  'BEGIN { printf "web-build: %s/horizon_bg.wasm %.2f MB raw, %.2f MB gzipped\n", o, r / 1e6, g / 1e6 }'
echo "web-build: serve with: python3 -m http.server --bind 127.0.0.1 --directory $out 8080"
