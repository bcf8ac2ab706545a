#!/usr/bin/env bash
# Build dist/ and run the browser end-to-end test (tests/web/e2e.mjs) in headless Chromium.
# Screenshots, the downloaded CSV and report.json (start-up and forecast times) are kept in
# $HORIZON_CACHE/artifacts/web-e2e (or the folder given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
artifacts=${1:-$HORIZON_CACHE/artifacts/web-e2e}
bash scripts/setup.sh e2e
bash scripts/web-build.sh dist
rm -rf "$artifacts"
mkdir -p "$artifacts"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory dist "$port" >"$artifacts/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.html')" 2>/dev/null && break
  sleep 0.1
done
HORIZON_NODE="$HORIZON_CACHE/node" \
  node tests/web/e2e.mjs "http://127.0.0.1:$port/index.html" "$artifacts"
echo "web-e2e: artifacts in $artifacts"
