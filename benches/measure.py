"""Run a command N times and report the median wall time and the peak resident memory of the
child process (getrusage of reaped children; each run in a fresh measuring process)."""
import json
import resource
import subprocess
import sys
import time


def once(cmd):
    code = (
        "import resource,subprocess,sys,time,json;"
        "t=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,text=True);"
        "w=time.perf_counter()-t;"
        "print(json.dumps({'wall':w,'rss_kb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,'rc':r.returncode,'out':r.stdout.strip()}))"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout)


if __name__ == "__main__":
    n = int(sys.argv[1])
    cmd = sys.argv[2:]
    runs = [once(cmd) for _ in range(n)]
    walls = sorted(r["wall"] for r in runs)
    print(json.dumps({"median_s": walls[len(walls) // 2], "min_s": walls[0], "peak_rss_mb": max(r["rss_kb"] for r in runs) / 1024, "rc": runs[-1]["rc"], "out": runs[-1]["out"]}))
