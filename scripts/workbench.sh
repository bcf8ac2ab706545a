#!/usr/bin/env bash
# Build and open the Horizon workbench on the bundled sample data.
# Without a display (a server, CI), it runs under a virtual X server and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
bash scripts/setup.sh gui
cargo build --release --locked -p horizon
bin="$CARGO_TARGET_DIR/release/horizon"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin" "$@"
fi
echo "workbench: no display found; running under Xvfb (set DISPLAY to see the window)." >&2
exec xvfb-run -a -s "-screen 0 1280x800x24" "$bin" "$@"
