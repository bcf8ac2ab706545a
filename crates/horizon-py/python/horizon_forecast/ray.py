"""Horizon on a Ray cluster: a panel split by series into shards (the split of
``horizon train --shard K/N``), one Ray task per shard, each forecasting — or fitting and
registering in a shared MLflow — its series with the Rust core.

    import ray
    from horizon_forecast import ray as hray

    ray.init(address="auto")
    fcst = hray.forecast(df, h=28, models=["auto"], num_shards=64)
    runs = hray.train(df, model="auto", h=28, model_name="sales", tracking_uri="http://mlflow:5000",
                      num_shards=64)

A shard's model is registered as ``<model_name>-shard-K-of-N`` with the tag ``horizon.input``
(the fingerprint of its series and recipe) set when the version is created, so a shard whose
worker died after registering is retried without a second version. Local models (ETS, ARIMA,
MSTL, Auto, …) give exactly the forecasts of one process; a global model (GBM) learns from its
shard's series only.
"""

from __future__ import annotations

import os
import re
from typing import Any, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from horizon_forecast import _core
from horizon_forecast._frames import like, normalise, to_table
from horizon_forecast.core import HorizonForecast, HorizonModel

INPUT_TAG = "horizon.input"


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - the extra is missing
        raise ImportError("horizon_forecast.ray needs Ray: pip install 'horizon-forecast[ray]'") from e
    return ray


def split(df: Any, num_shards: int, id_col: str | Sequence[str] = "unique_id") -> list[pa.Table]:
    """The rows of each shard 1..=num_shards (a pyarrow table each, possibly empty): one sort
    by shard, then slices."""
    ids = [id_col] if isinstance(id_col, str) else list(id_col)
    table = to_table(df)
    keys = normalise(table.select(ids), ids, "", "")
    shard = pa.table(_core.shard_rows(keys, ids, int(num_shards)))["shard"].cast(pa.int64())
    order = pc.sort_indices(shard)
    table, shard = table.take(order), shard.take(order)
    counts = {int(r["values"]): int(r["counts"]) for r in pc.value_counts(shard).to_pylist()}
    parts, start = [], 0
    for k in range(1, int(num_shards) + 1):
        n = counts.get(k, 0)
        parts.append(table.slice(start, n))
        start += n
    return parts


def _default_shards() -> int:
    ray = _ray()
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _forecast_shard(part: pa.Table, settings: dict, h: int, level):
    if part.num_rows == 0:
        return None
    return pa.table(HorizonForecast(**settings).forecast(part, h=h, level=level))


def forecast(
    df: Any,
    h: int,
    models: Sequence[str] | str = ("auto",),
    level: Sequence[float] | None = None,
    num_shards: int | None = None,
    freq: str | None = None,
    season: int | None = None,
    id_col: str | Sequence[str] = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_jobs_per_task: int = 1,
    max_retries: int = 3,
):
    """``HorizonForecast(...).forecast(df, h, level)`` with the series spread over Ray tasks
    (``num_shards``, default one per CPU of the cluster). Same layout, same numbers for local
    models; rows grouped by shard."""
    ray = _ray()
    n = num_shards or _default_shards()
    settings = dict(models=models, freq=freq, season=season, n_jobs=n_jobs_per_task, id_col=id_col,
                    time_col=time_col, target_col=target_col)
    task = ray.remote(max_retries=max_retries)(_forecast_shard)
    parts = [p for p in split(df, n, id_col) if p.num_rows > 0]
    if not parts:
        raise ValueError("the data frame has no rows")
    tables = [t for t in ray.get([task.remote(p, settings, h, level) for p in parts]) if t is not None]
    return like(pa.concat_tables(tables), df)


def _train_shard(part: pa.Table, k: int, n: int, job: dict, crash_marker: str | None):
    import mlflow
    from mlflow import MlflowClient

    import horizon_forecast.mlflow as hmlflow

    if part.num_rows == 0:
        return {"shard": k, "series": 0, "status": "empty", "forecast": None}
    mlflow.set_tracking_uri(job["tracking_uri"])
    client = MlflowClient()
    name = f"{job['model_name']}-shard-{k}-of-{n}"
    hf = HorizonForecast(models=[job["model"]], **job["settings"])
    read = hf._read(part)
    data = read[0]
    recipe = f"model={job['model']};h={job['h']};season={job['settings'].get('season')};freq={job['settings'].get('freq')}"
    fingerprint = data.fingerprint(recipe)
    # A failure to ask is an error, never "not registered yet" (that would register twice).
    versions = client.search_model_versions(f"name='{name}'")
    done = [v for v in versions if (v.tags or {}).get(INPUT_TAG) == fingerprint]
    if done:
        version = int(done[0].version)
        model = hmlflow.load_model(f"models:/{name}/{version}")
        status = "already registered"
    else:
        hf._fit_read(read, part, job["h"])
        model = next(iter(hf.fitted_.values()))
        with mlflow.start_run(run_name=f"train-{name}", experiment_id=job.get("experiment_id")):
            info = hmlflow.log_model(model, name="model")
        created = mlflow.register_model(
            info.model_uri, name, tags={INPUT_TAG: fingerprint, "horizon.shard": f"{k}/{n}", "horizon.model": job["model"]}
        )
        version = int(created.version)
        status = "registered"
        if crash_marker and not os.path.exists(crash_marker):
            # Tests: the worker dies after registering, before answering (Ray retries the task).
            open(crash_marker, "w").close()
            os._exit(1)
    table = pa.table(model.predict(job["h"], job["level"], n_jobs=job["settings"]["n_jobs"]))
    return {"shard": k, "series": data.n_series, "status": status, "model": name, "version": version, "forecast": table}


def train(
    df: Any,
    *,
    model: str,
    h: int,
    model_name: str,
    tracking_uri: str,
    level: Sequence[float] = (95,),
    num_shards: int | None = None,
    freq: str | None = None,
    season: int | None = None,
    id_col: str | Sequence[str] = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_jobs_per_task: int = 1,
    max_retries: int = 3,
    experiment_id: str | None = None,
    _crash_marker: str | None = None,
):
    """Fit ``model`` to every series, shard by shard on Ray, register each shard's fitted model
    in MLflow at ``tracking_uri`` as ``<model_name>-shard-K-of-N`` (once, even when a task is
    retried), and forecast ``h`` periods from the fits. Returns ``(forecasts, shards)``: the
    forecasts in ``HorizonForecast``'s layout and per shard its series count, status
    (``registered``, ``already registered``, ``empty``), model name and version."""
    ray = _ray()
    if not num_shards or int(num_shards) < 1:
        # Not the cluster's size: a rerun after scaling would name other models and train again.
        raise ValueError("num_shards: give the number of shards (it names the registered models)")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", model_name):
        raise ValueError(f"model_name '{model_name}': letters, digits, '-', '_' and '.' only")
    n = int(num_shards)
    settings = dict(freq=freq, season=season, n_jobs=n_jobs_per_task, id_col=id_col, time_col=time_col,
                    target_col=target_col)
    job = dict(model=model, h=int(h), level=[float(v) for v in level], model_name=model_name,
               tracking_uri=tracking_uri, settings=settings, experiment_id=experiment_id)
    task = ray.remote(max_retries=max_retries)(_train_shard)
    parts = split(df, n, id_col)
    if sum(p.num_rows for p in parts) == 0:
        raise ValueError("the data frame has no rows")
    results = ray.get([task.remote(p, k, n, job, _crash_marker) for k, p in enumerate(parts, start=1)])
    tables = [r.pop("forecast") for r in results]
    tables = [t for t in tables if t is not None]
    return like(pa.concat_tables(tables), df), results


__all__ = ["forecast", "split", "train", "HorizonModel"]
