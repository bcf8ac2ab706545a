"""Conformal calibration layouts, evaluated offline on rolling-origin errors.

Input: the CSV written by `calib_dump` (benches/src/bin/calib_dump.rs) for `--sample all`.
Prints mean 95 % coverage and mean MSIS per dataset for the old and the new origin layout of
`models/conformal.rs`, on the reference sample (500 series) and on the other 1113 series of the
benchmark (a held-out check: the layout was chosen on the reference sample).

    calib_dump ../shared/bench /tmp/ets_all.csv --model ets --sample all
    python benches/calibration/study.py /tmp/ets_all.csv ../shared/bench
"""
import math
import sys
from collections import defaultdict

import numpy as np
import pandas as pd

Z = 1.959963984540054


def origins_full(n, steps, min_train, reach, count):
    """The old layout: full windows ending `steps` before the end, over the last `reach`."""
    last = n - steps
    if last < min_train:
        return []
    span = min(last - min_train, reach)
    count = min(count, span + 1)
    return sorted({last - (k * span // (count - 1) if count > 1 else 0) for k in range(count)})


def origins_recent(n, steps, min_train, reach, count):
    """The new layout: from `steps + reach` before the end to the last observation."""
    first, last = max(n - steps - reach, min_train), n - 1
    if first > last:
        return []
    span = last - first
    count = min(count, span + 1)
    if count == 1:
        return [last]
    return sorted({first + (2 * k * span + count - 1) // (2 * (count - 1)) for k in range(count)})


def layout(kind):
    def q(cal, n, m):
        min_train = max(2 * m + 2, 8) if kind == "old" else max(m + 2, 8)
        room = max(n - (min_train + 6), 0)
        steps = max(min(min(max(2 * m, 8), 60), room), 1)
        if kind == "old":
            o = origins_full(n, steps, min_train, 3 * m, 12)
            c = cal[cal.origin.isin(o) & (cal.step <= steps)]
            c = c[c.groupby("origin").step.transform("count") == steps]
        else:
            o = origins_recent(n, steps, min_train, 3 * m, 12)
            c = cal[cal.origin.isin(o) & (cal.step <= steps)]
        c = c[(c.scale > 0) & np.isfinite(c.scale)]
        s = np.sort((np.abs(c.y - c.point) / c.scale).values)
        if len(s) < 20:
            return Z
        k = math.ceil((len(s) + 1) * 0.95)
        return s[min(max(k, 1), len(s)) - 1]

    return q


def main():
    dump, bench = sys.argv[1], sys.argv[2]
    d = pd.read_csv(dump)
    man = pd.read_csv(f"{bench}/manifest.csv").set_index("series_id")
    values = pd.read_csv(f"{bench}/series.csv").groupby("series_id").value.apply(np.array)
    for sample, keep in [("reference sample", 1), ("other series", 0)]:
        for kind in ["old", "new"]:
            rule = layout(kind)
            acc = defaultdict(lambda: [0.0, 0.0, 0])
            for sid, g in d.groupby("series_id"):
                mf = man.loc[sid]
                if int(mf.ref_sample) != keep:
                    continue
                m, n = int(mf.season_length), int(mf.n_train)
                hold = g[g.kind == "hold"].sort_values("step")
                q = rule(g[g.kind == "cal"], n, m)
                y, p, s = hold.y.values, hold.point.values, hold.scale.values
                lo, hi = p - q * s, p + q * s
                train = values[sid][:n]
                lag = m if n > m else 1
                scale = np.mean(np.abs(train[lag:] - train[:-lag]))
                is95 = np.mean((hi - lo) + 40 * (lo - y) * (y < lo) + 40 * (y - hi) * (y > hi))
                a = acc[mf.dataset]
                a[0] += np.mean((lo <= y) & (y <= hi))
                a[1] += is95 / scale if scale > 0 else 0.0
                a[2] += 1
            cells = "  ".join(f"{ds} {a[0] / a[2]:.3f} / {a[1] / a[2]:.2f}" for ds, a in sorted(acc.items()))
            print(f"{sample:17s} {kind}: {cells}")


if __name__ == "__main__":
    main()
