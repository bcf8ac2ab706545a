#!/usr/bin/env bash
# Prove that the core and the app build for the browser (wasm32-unknown-unknown).
set -euo pipefail
cd "$(dirname "$0")/.."
if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  cargo build --locked --target wasm32-unknown-unknown -p horizon-core
  cargo build --locked --target wasm32-unknown-unknown -p horizon --lib
else
  # Debian route (see shared notes): rustc-web with -Z build-std, linked by wasm-ld-22.
  env PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22 \
    /usr/bin/cargo build --target wasm32-unknown-unknown -p horizon-core -p horizon --lib \
    -Z build-std=std,panic_abort
fi
echo "wasm32 build of horizon-core and the horizon app: ok"
