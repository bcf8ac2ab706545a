#!/usr/bin/env bash
# The Python package (crates/horizon-py): build its abi3 wheel with maturin (release), install it
# with pip into a fresh venv (no Rust, no network: its dependencies come from the test venv of
# scripts/setup.sh python), and run its pytest suite against the `horizon` command line.
#   scripts/python-test.sh [pytest args]     HORIZON_BIN: the CLI (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
export HORIZON_CACHE=${HORIZON_CACHE:-$HOME/.cache/horizon}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HORIZON_CACHE/target}
bash scripts/setup.sh python
base="$HORIZON_CACHE/mlflow-venv"
if [ -z "${HORIZON_BIN:-}" ]; then
  cargo build --quiet --locked --bin horizon
  export HORIZON_BIN=$CARGO_TARGET_DIR/debug/horizon
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== wheel (maturin build --release)"
"$base/bin/maturin" build --quiet --release --locked --manifest-path crates/horizon-py/Cargo.toml --out "$work/wheels"
echo "== pip install into a fresh venv"
"$base/bin/python" -m venv "$work/venv"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$base/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/horizon_test_deps.pth"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$work"/wheels/horizon_forecast-*.whl
echo "== pytest"
cd crates/horizon-py
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
