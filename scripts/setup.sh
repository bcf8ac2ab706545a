#!/usr/bin/env bash
# Install what Horizon needs on a fresh Debian machine. Idempotent; installs only what is missing.
#   scripts/setup.sh gui    runtime libraries of the desktop window (and Xvfb for headless runs)
#   scripts/setup.sh wasm   the wasm32 standard library (rustup target, else Debian rustc-web route)
#   scripts/setup.sh mlflow an MLflow server for the registry tests (a venv in $HORIZON_CACHE/mlflow-venv)
#   scripts/setup.sh web    wasm plus wasm-bindgen-cli (the Cargo.lock version, in $HORIZON_CACHE/tools)
#                           and binaryen's wasm-opt, to build dist/
#   scripts/setup.sh e2e    web plus Debian's chromium, node and playwright-core (in $HORIZON_CACHE/node)
#   scripts/setup.sh python the Python package's build and test tools (maturin, pytest, polars, Ray,
#                           PySpark with a Java runtime)
#                           in the MLflow venv, whose mlflow, pandas and pyarrow its tests also use
#   scripts/setup.sh snapshots  Mesa's software Vulkan driver (lavapipe), for the UI screenshot tests
#   scripts/setup.sh test   what the test suite needs (wasm, mlflow, e2e, snapshots)
set -euo pipefail

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() {
  local missing=()
  for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_cargo() {
  if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found; install Rust (stable >= 1.95) with rustup first" >&2
    exit 1
  fi
}

setup_gui() {
  # eframe (glow renderer) loads these at run time; Xvfb serves machines without a display.
  apt_install libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1 \
    xvfb xauth
}

# Prints the environment prefix cargo needs for wasm32 builds ("" on the rustup route).
setup_wasm() {
  if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    return 0
  fi
  if rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    return 0
  fi
  echo "setup: rustup could not fetch the wasm32 target; using Debian's rustc-web + build-std route" >&2
  apt_install rustc-web cargo-web rust-web-src lld-22
  touch "${HORIZON_CACHE:-$HOME/.cache/horizon}/.wasm-debian-route" 2>/dev/null || true
}

BINARYEN_VERSION=132.0.0
PLAYWRIGHT_VERSION=1.65.1

# An npm package pinned in $HORIZON_CACHE/node (Node from Debian when there is none).
npm_pin() {
  local node="${HORIZON_CACHE:-$HOME/.cache/horizon}/node" name=$1 version=$2
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  if [ -f "$node/node_modules/$name/package.json" ] &&
    grep -q "\"version\": \"$version\"" "$node/node_modules/$name/package.json"; then
    return 0
  fi
  mkdir -p "$node"
  echo "setup: installing $name $version into $node"
  (cd "$node" && npm install --silent --no-audit --no-fund --prefix "$node" "$name@$version" >/dev/null)
}

# dist/: wasm-bindgen-cli at the version of the wasm-bindgen crate in Cargo.lock (built once into
# $HORIZON_CACHE/tools), and binaryen's wasm-opt from npm (Debian's 108 corrupts the externref
# table that wasm-bindgen emits).
setup_web() {
  setup_wasm
  npm_pin binaryen "$BINARYEN_VERSION"
  local version tools="${HORIZON_CACHE:-$HOME/.cache/horizon}/tools"
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  if [ -x "$tools/bin/wasm-bindgen" ] && "$tools/bin/wasm-bindgen" --version | grep -q " $version\$"; then
    return 0
  fi
  echo "setup: building wasm-bindgen-cli $version into $tools (10-25 minutes on 2 cores, once)"
  cargo install -q wasm-bindgen-cli --version "$version" --root "$tools" --force
}

# The browser end-to-end test: Debian's chromium driven by playwright-core (no browser download).
setup_e2e() {
  setup_web
  apt_install chromium
  npm_pin playwright-core "$PLAYWRIGHT_VERSION"
}

MLFLOW_VERSION=3.17.2

# A pinned MLflow server (with the basic-auth extra) in its own venv; the registry tests start it.
setup_mlflow() {
  local venv="${HORIZON_CACHE:-$HOME/.cache/horizon}/mlflow-venv"
  if [ -x "$venv/bin/mlflow" ] && "$venv/bin/mlflow" --version 2>/dev/null | grep -q "$MLFLOW_VERSION"; then
    return 0
  fi
  if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  echo "setup: installing MLflow $MLFLOW_VERSION into $venv (about 3 minutes, 850 MB)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "mlflow[auth]==$MLFLOW_VERSION"
  if ! "$venv/bin/mlflow" --version 2>/dev/null | grep -q "$MLFLOW_VERSION"; then
    echo "setup: $venv/bin/mlflow does not run after the install" >&2
    exit 1
  fi
}

MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0
POLARS_VERSION=2.1.0
RAY_VERSION=2.60.0
PYSPARK_VERSION=4.3.0

# What the Python package's wheel and tests need, pinned, in the MLflow venv.
setup_python() {
  setup_mlflow
  local venv="${HORIZON_CACHE:-$HOME/.cache/horizon}/mlflow-venv"
  # Spark (the MLflow flavour's spark_udf test) runs on a Java runtime.
  command -v java >/dev/null || apt_install default-jre-headless
  if "$venv/bin/python" - "$MATURIN_VERSION" "$PYTEST_VERSION" "$POLARS_VERSION" "$RAY_VERSION" "$PYSPARK_VERSION" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
wanted = dict(zip(["maturin", "pytest", "polars", "ray", "pyspark"], sys.argv[1:]))
sys.exit(0 if all(version(p) == v for p, v in wanted.items()) else 1)
PY
    return 0
  fi
  echo "setup: installing maturin, pytest, polars, Ray and PySpark into $venv (about 2 minutes, 800 MB)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION" \
    "pytest==$PYTEST_VERSION" "polars==$POLARS_VERSION" "ray==$RAY_VERSION" "pyspark==$PYSPARK_VERSION"
}

# The screenshot tests render the workbench with wgpu on the CPU: Vulkan through lavapipe.
setup_snapshots() {
  apt_install mesa-vulkan-drivers libvulkan1
}

main() {
  need_cargo
  mkdir -p "${HORIZON_CACHE:-$HOME/.cache/horizon}"
  case "${1:-test}" in
    gui) setup_gui ;;
    wasm) setup_wasm ;;
    web) setup_web ;;
    e2e) setup_e2e ;;
    mlflow) setup_mlflow ;;
    python) setup_python ;;
    snapshots) setup_snapshots ;;
    test)
      setup_e2e
      setup_mlflow
      setup_python
      setup_snapshots
      ;;
    *) echo "usage: $0 gui|wasm|web|e2e|mlflow|python|snapshots|test" >&2; exit 2 ;;
  esac
}
main "$@"
