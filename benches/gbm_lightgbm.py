"""Train LightGBM on the matrix `gbm_matrix` wrote, with the settings horizon-gbm uses in
`gbm_train`; print the training time and the test RMSE as one JSON line.
Usage: python gbm_lightgbm.py DIR ROUNDS [regression|poisson|tweedie]"""
import json, sys, time
import numpy as np
import lightgbm as lgb

d, rounds = sys.argv[1], int(sys.argv[2])
objective = sys.argv[3] if len(sys.argv) > 3 else "regression"
meta = json.load(open(f"{d}/meta.json"))
X = np.fromfile(f"{d}/X.f64", dtype="<f8").reshape(meta["rows"], meta["cols"])
y = np.fromfile(f"{d}/y.f64", dtype="<f8")
n = meta["train_rows"]
params = dict(objective=objective, tweedie_variance_power=1.5, learning_rate=0.05, num_leaves=31, max_depth=12,
              min_data_in_leaf=20, min_sum_hessian_in_leaf=1e-3, lambda_l2=1.0,
              feature_fraction=1.0, bagging_fraction=1.0, max_bin=255, num_threads=2,
              verbose=-1, deterministic=True, seed=0)
start = time.perf_counter()
# Binning is part of training, as it is in horizon-gbm.
train = lgb.Dataset(X[:n], y[:n], params={"max_bin": 255}, free_raw_data=False)
booster = lgb.train(params, train, num_boost_round=rounds)
seconds = time.perf_counter() - start
pred = booster.predict(X[n:], num_threads=2)
rmse = float(np.sqrt(np.mean((pred - y[n:]) ** 2)))
print(json.dumps({"engine": "lightgbm " + lgb.__version__, "train_s": round(seconds, 3),
                  "test_rmse": round(rmse, 5), "trees": booster.num_trees()}))
