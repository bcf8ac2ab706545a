"""Ensemble weighting rules, replayed offline on the retail panel.

Input: the CSV written by `ensemble_dump` (benches/src/bin/ensemble_dump.rs): every model's
28-step forecasts of every series from cuts 28, 35, ..., 196 days before the panel's end. The
cuts 84, 56 and 28 days back are `horizon backtest`'s three folds; a rule may weight the
members of a fold only from cuts whose forecast window ends before the fold's origin. Prints
the mean MASE over (series, fold) of every member and of each rule's mix (clipped at zero, as
forecasts are), and the weights each rule gave at each fold.

    ensemble_dump /tmp/ens.csv ets,arima,prophet,gbm,gbm-direct --seed 1
    python3 benches/ensembles/study.py /tmp/ens.csv gbm,gbm-direct prophet,gbm,gbm-direct

Pure Python (no numpy), so it runs wherever the benchmark's Python does.
"""
import csv
import itertools
import sys
from collections import defaultdict

FOLDS = (84, 56, 28)
HORIZON = 28


def load(path):
    """back -> series -> [(actual, scale, [forecast per model])] by step, and the model names."""
    data = defaultdict(lambda: defaultdict(list))
    with open(path) as f:
        r = csv.reader(f)
        header = next(r)
        models = header[5:]
        for row in r:
            back, series, _step, actual, scale = int(row[0]), row[1], int(row[2]), float(row[3]), float(row[4])
            data[back][series].append((actual, scale, [float(v) for v in row[5:]]))
    return data, models


def simplex(k, n):
    """Every weight vector of k members on a 1/n grid."""
    for c in itertools.product(range(n + 1), repeat=k - 1):
        if sum(c) <= n:
            yield [v / n for v in c] + [(n - sum(c)) / n]


class Gram:
    """Sum of squared scaled errors of any mix, from sufficient statistics (as models/cls.rs)."""

    def __init__(self, k):
        self.k, self.a, self.b, self.yy, self.n = k, [[0.0] * k for _ in range(k)], [0.0] * k, 0.0, 0

    def add(self, y, f, scale):
        w = 1.0 / (scale * scale)
        for i in range(self.k):
            self.b[i] += w * f[i] * y
            for j in range(self.k):
                self.a[i][j] += w * f[i] * f[j]
        self.yy += w * y * y
        self.n += 1

    def merged(self, other):
        g = Gram(self.k)
        g.a = [[x + y for x, y in zip(r, s)] for r, s in zip(self.a, other.a)]
        g.b = [x + y for x, y in zip(self.b, other.b)]
        g.yy, g.n = self.yy + other.yy, self.n + other.n
        return g

    def sse(self, w):
        quad = sum(w[i] * self.a[i][j] * w[j] for i in range(self.k) for j in range(self.k))
        return self.yy - 2 * sum(x * y for x, y in zip(w, self.b)) + quad


def points(data, back, idx, steps):
    """(actual, scale, member forecasts) of every series from the cut `back` days back."""
    out = []
    for rows in data[back].values():
        for actual, scale, f in rows[:steps]:
            if scale > 0:
                out.append((actual, scale, [f[i] for i in idx]))
    return out


def gram_of(pts, k):
    g = Gram(k)
    for y, s, f in pts:
        g.add(y, f, s)
    return g


def mae_of(pts, w):
    return sum(abs(y - max(0.0, sum(a * b for a, b in zip(w, f)))) / s for y, s, f in pts) / max(len(pts), 1)


def argmin(ws, loss):
    return min(ws, key=loss)


def grid(k):
    return list(simplex(k, 100 if k <= 2 else 50 if k == 3 else 10))


def shrink(w, share):
    k = len(w)
    return [(1 - share) * v + share / k for v in w]


SHARES = [i / 10 for i in range(11)]


def rule_weights(data, idx, fold, rule):
    """The weights `rule` gives the members `idx` at the fold `fold` days back."""
    kind, count, spacing, steps = rule
    k = len(idx)
    if kind == "equal":
        return [1.0 / k] * k
    cuts = [fold + steps + spacing * j for j in range(count)]
    cuts = [c for c in cuts if c in data]
    if len(cuts) < count:
        return None  # the dump does not reach back far enough for this layout
    pts = [points(data, c, idx, steps) for c in cuts]
    grams = [gram_of(p, k) for p in pts]
    ws = grid(k)
    total = grams[0]
    for g in grams[1:]:
        total = total.merged(g)
    if kind == "cls":
        return argmin(ws, total.sse)
    if kind.startswith("invmse"):
        power = float(kind[6:] or 1)
        mse = []
        for i in range(k):
            e = [0.0] * k
            e[i] = 1.0
            mse.append(total.sse(e))
        inv = [1 / m**power for m in mse]
        return [v / sum(inv) for v in inv]
    if kind == "cv-pick":
        # CLS, inverse MSE or equal weights: whichever, fitted without one origin, had the least
        # squared error on it, summed over the origins.
        def candidates(g):
            mse = []
            for i in range(k):
                e = [0.0] * k
                e[i] = 1.0
                mse.append(g.sse(e))
            inv = [1 / m for m in mse]
            return [argmin(ws, g.sse), [v / sum(inv) for v in inv], [1.0 / k] * k]
        loss = [0.0] * 3
        for out in range(len(grams)):
            rest = None
            for i, g in enumerate(grams):
                if i != out:
                    rest = g if rest is None else rest.merged(g)
            for ci, w in enumerate(candidates(rest)):
                loss[ci] += grams[out].sse(w)
        return candidates(total)[min(range(3), key=lambda i: loss[i])]
    if kind in ("shrink-sse", "shrink-mae"):
        full = argmin(ws, total.sse)
        loss = [0.0] * len(SHARES)
        for out in range(len(grams)):
            rest = None
            for i, g in enumerate(grams):
                if i != out:
                    rest = g if rest is None else rest.merged(g)
            w = argmin(ws, rest.sse)
            for si, share in enumerate(SHARES):
                mix = shrink(w, share)
                loss[si] += grams[out].sse(mix) if kind == "shrink-sse" else mae_of(pts[out], mix)
        best = min(range(len(SHARES)), key=lambda i: loss[i])
        return shrink(full, SHARES[best])
    if kind == "lad":
        flat = [p for ps in pts for p in ps]
        return argmin(list(simplex(k, 20)), lambda w: mae_of(flat, w))
    raise ValueError(kind)


def evaluate(data, idx, weights_by_fold):
    """Mean over (series, fold) of the mix's MASE."""
    scores = []
    for fold, w in zip(FOLDS, weights_by_fold):
        for rows in data[fold].values():
            if rows[0][1] <= 0:
                continue
            scores.append(
                sum(abs(y - max(0.0, sum(a * f[i] for a, i in zip(w, idx)))) for y, _s, f in rows)
                / len(rows)
                / rows[0][1]
            )
    return sum(scores) / len(scores)


def per_fold(data, idx, weights_by_fold):
    return [evaluate_one(data, idx, fold, w) for fold, w in zip(FOLDS, weights_by_fold)]


def evaluate_one(data, idx, fold, w):
    s = []
    for rows in data[fold].values():
        if rows[0][1] > 0:
            s.append(sum(abs(y - max(0.0, sum(a * f[i] for a, i in zip(w, idx)))) for y, _s, f in rows) / len(rows) / rows[0][1])
    return sum(s) / len(s)


RULES = [
    ("equal", 0, 0, 0),
    ("shrink-sse", 3, 7, 14),  # today's rule, about today's layout: 3 origins of 14 steps
    ("invmse", 3, 7, 14),
    ("invmse2", 3, 7, 14),
    ("invmse4", 3, 7, 14),
    ("cv-pick", 3, 7, 14),
    ("shrink-sse", 4, 7, 28),
    ("invmse", 4, 7, 28),
    ("cv-pick", 4, 7, 28),
    ("invmse", 6, 14, 28),
    ("cv-pick", 6, 14, 28),
]


def main():
    data, models = load(sys.argv[1])
    sets = sys.argv[2:] or [",".join(models)]
    for i, m in enumerate(models):
        print(f"{m:>12}: MASE {evaluate(data, [i], [[1.0]] * 3):.4f}  per fold "
              + " ".join(f"{v:.4f}" for v in per_fold(data, [i], [[1.0]] * 3)))
    for s in sets:
        idx = [models.index(m) for m in s.split(",")]
        print(f"\n== {s}")
        for rule in RULES:
            ws = [rule_weights(data, idx, fold, rule) for fold in FOLDS]
            if any(w is None for w in ws):
                continue
            score = evaluate(data, idx, ws)
            wtxt = " | ".join("/".join(f"{v:.2f}" for v in w) for w in ws)
            pf = " ".join(f"{v:.4f}" for v in per_fold(data, idx, ws))
            print(f"{rule[0]:>11} origins {rule[1]:>2} every {rule[2]:>2} d, {rule[3]} steps: "
                  f"MASE {score:.4f} ({pf})  weights {wtxt}")


if __name__ == "__main__":
    main()
