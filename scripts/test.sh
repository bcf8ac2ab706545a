#!/usr/bin/env bash
# The test command: formatting, lints, every test of the workspace, the Python package's wheel
# and tests, and the browser build with its end-to-end test in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
# Keep the build cache outside the clone so fresh clones on this machine build incrementally.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
bash scripts/setup.sh test
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== Python package: wheel, pip install into a fresh venv, pytest (MLflow and Ray tests included)"
bash scripts/python-test.sh
echo "== browser build (dist/) and end-to-end test in headless Chromium"
bash scripts/web-e2e.sh
