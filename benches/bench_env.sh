# Sourced by the benchmark scripts: where the public benchmark is ($bench), the build cache
# ($cache), and a Python venv with the benchmark's requirements (statsforecast, …) in $venv.
bench=${HORIZON_BENCH_DIR:-$(cd .. && pwd)/shared/bench}
[ -f "$bench/manifest.csv" ] || bench=/work/shared/bench
cache=${HORIZON_CACHE:-$HOME/.cache/horizon}
venv=$cache/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import statsforecast' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$bench/requirements.txt"
fi
