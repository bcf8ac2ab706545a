"""Bootstrapped copies of the benchmark's training series, as in Bergmeir, Hyndman & Benitez
(2016): Box-Cox (Guerrero lambda in [0,1]), STL with a periodic season, moving block bootstrap
of the remainder (block 2*m), back-transformed. Writes a benchmark folder of the copies (`<id>__bNNN`, copy 0 the series itself) for
bench_models. Study only (benches/RESULTS.md, "Bagged ETS"):
  python bootstrap.py ../../../shared/bench /tmp/boot 100 ref
  bench_models /tmp/boot /tmp/boot_ets --models ets --sample all
  python combine.py /tmp/boot_ets_forecasts.csv bagged.csv BaggedETS   # then score.py --sample ref"""
import sys, numpy as np, pandas as pd
from scipy.optimize import minimize_scalar
from statsmodels.tsa.seasonal import STL

bench, out, num, sample = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(42)
man = pd.read_csv(f"{bench}/manifest.csv")
if sample == "ref":
    man = man[man.ref_sample == 1]
ser = pd.read_csv(f"{bench}/series.csv")
groups = {k: g.value.to_numpy() for k, g in ser.groupby("series_id")}

def guer_cv(lam, x, period):
    nyr = len(x) // period
    xm = x[len(x) - nyr * period:].reshape(nyr, period)
    rat = xm.std(axis=1, ddof=1) / xm.mean(axis=1) ** (1 - lam)
    return rat.std(ddof=1) / rat.mean()

def guerrero(x, period):
    if len(x) <= 2 * period:
        return 1.0
    r = minimize_scalar(guer_cv, bounds=(0, 1), args=(x, max(2, period)), method="bounded")
    return r.x

def bc(x, lam):
    return np.log(x) if abs(lam) < 1e-10 else (x ** lam - 1) / lam

def inv_bc(y, lam):
    if abs(lam) < 1e-10:
        return np.exp(y)
    return np.maximum(lam * y + 1, 1e-12) ** (1 / lam)

def mbb(x, w):
    n = len(x)
    nb = n // w + 2
    bx = np.concatenate([x[(c := rng.integers(0, n - w + 1)):c + w] for _ in range(nb)])
    s = rng.integers(0, w)
    return bx[s:s + n]

ids, rows, mrows = [], [], []
for _, r in man.iterrows():
    y = groups[r.series_id]
    tr, ho = y[: r.n_train], y[r.n_train:]
    m = int(r.season_length)
    freq = m if len(tr) > 2 * m else 1
    lam = guerrero(tr, freq) if tr.min() > 0 else 1.0
    z = bc(tr, lam) if tr.min() > 0 else tr
    if freq > 1:
        n = len(z)
        sw = 10 * n + 1
        st = STL(z, period=freq, seasonal=sw if sw % 2 else sw + 1, seasonal_deg=0, robust=False).fit()
        base, rem = st.trend + st.seasonal, st.resid
        w = 2 * freq
    else:
        raise SystemExit("non-seasonal case not in this benchmark")
    for b in range(num):
        if b == 0:
            xb = tr
        else:
            zb = base + mbb(rem, w)
            xb = inv_bc(zb, lam) if tr.min() > 0 else zb
        sid = f"{r.series_id}__b{b:03d}"
        full = np.concatenate([xb, ho])
        rows.append(pd.DataFrame({"series_id": sid, "date": "1990-01-01", "value": full}))
        mr = r.copy(); mr.series_id = sid; mr.ref_sample = 1
        mrows.append(mr)
import os
os.makedirs(out, exist_ok=True)
pd.concat(rows).to_csv(f"{out}/series.csv", index=False)
pd.DataFrame(mrows).to_csv(f"{out}/manifest.csv", index=False)
print(len(mrows), "series")
