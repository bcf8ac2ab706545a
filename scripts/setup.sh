#!/usr/bin/env bash
# Install what Horizon needs on a fresh Debian machine. Idempotent; installs only what is missing.
#   scripts/setup.sh gui    runtime libraries of the desktop window (and Xvfb for headless runs)
#   scripts/setup.sh wasm   the wasm32 standard library (rustup target, else Debian rustc-web route)
#   scripts/setup.sh mlflow an MLflow server for the registry tests (a venv in $HORIZON_CACHE/mlflow-venv)
#   scripts/setup.sh test   what the test suite needs (wasm, mlflow)
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

main() {
  need_cargo
  mkdir -p "${HORIZON_CACHE:-$HOME/.cache/horizon}"
  case "${1:-test}" in
    gui) setup_gui ;;
    wasm) setup_wasm ;;
    mlflow) setup_mlflow ;;
    test)
      setup_wasm
      setup_mlflow
      ;;
    *) echo "usage: $0 gui|wasm|mlflow|test" >&2; exit 2 ;;
  esac
}
main "$@"
