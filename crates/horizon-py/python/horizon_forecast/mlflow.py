"""The MLflow model flavour ``horizon``, with a ``python_function`` flavour for
``mlflow.pyfunc``.

A model directory holds Horizon's artifact (``artifact.hzn``, the file its registry keeps), an
``MLmodel`` naming this module as the pyfunc loader, and ``requirements.txt``. The ``horizon``
command line writes the same files when it registers a version in MLflow, so::

    model = mlflow.pyfunc.load_model("models:/sales@champion")
    model.predict(history_df)                       # forecasts, statsforecast's layout
    model.predict(history_df, params={"h": 28, "level": [80, 95]})
    model.predict(None)                             # the training series, from the stored fits

and ``mlflow models serve -m models:/sales@champion`` answers ``/invocations`` with them. The
input is the sales history in the training data's columns (a series identical to its training
history gets the stored fit's forecast, another the same model refitted, as
``horizon forecast --registered`` does). Parameters: ``h`` (0: the trained horizon) and
``level`` (empty: the trained levels).
"""

from __future__ import annotations

import os
from typing import Any

from horizon_forecast import __version__
from horizon_forecast.core import HorizonForecast, HorizonModel

FLAVOR_NAME = "horizon"
ARTIFACT_FILE = "artifact.hzn"
LOADER_MODULE = "horizon_forecast.mlflow"


def _signature():
    from mlflow.models import ModelSignature
    from mlflow.types import ParamSchema, ParamSpec

    return ModelSignature(
        inputs=None,
        params=ParamSchema([ParamSpec("h", "long", 0), ParamSpec("level", "double", [], (-1,))]),
    )


def _as_model(model: Any) -> HorizonModel:
    if isinstance(model, HorizonModel):
        return model
    if isinstance(model, HorizonForecast):
        if len(model.fitted_) != 1:
            raise ValueError(
                f"the HorizonForecast holds {len(model.fitted_)} fitted model(s): pass one, e.g. hf.fitted_['ets']"
            )
        return next(iter(model.fitted_.values()))
    raise TypeError(f"expected a HorizonModel or a fitted HorizonForecast, got {type(model).__name__}")


def save_model(model: Any, path: str, mlflow_model=None, **_: Any) -> None:
    """Write ``model`` (a ``HorizonModel`` or a ``HorizonForecast`` with one fitted model) as an
    MLflow model directory at ``path`` (which must not exist)."""
    from mlflow.models import Model
    from mlflow.pyfunc import add_to_model

    model = _as_model(model)
    os.makedirs(path)
    model.save(os.path.join(path, ARTIFACT_FILE))
    mlflow_model = mlflow_model or Model()
    mlflow_model.signature = _signature()
    mlflow_model.add_flavor(FLAVOR_NAME, data=ARTIFACT_FILE, horizon_version=__version__, model=model.model)
    add_to_model(mlflow_model, loader_module=LOADER_MODULE, data=ARTIFACT_FILE)
    mlflow_model.save(os.path.join(path, "MLmodel"))
    with open(os.path.join(path, "requirements.txt"), "w") as f:
        f.write(f"horizon-forecast=={__version__}\n")


def log_model(model: Any, name: str = "model", registered_model_name: str | None = None, **kwargs: Any):
    """Log ``model`` to the active run (one is started if none is), and register it as
    ``registered_model_name`` when given. Returns MLflow's ``ModelInfo``."""
    import sys

    from mlflow.models import Model

    return Model.log(
        artifact_path=None,
        name=name,
        flavor=sys.modules[__name__],
        model=model,
        registered_model_name=registered_model_name,
        signature=_signature(),
        **kwargs,
    )


def _artifact_in(local: str) -> str:
    from mlflow.models import Model

    if os.path.isfile(local):
        return local
    if not os.path.exists(os.path.join(local, "MLmodel")):
        # A version registered before the flavour existed: the artifact alone.
        return os.path.join(local, ARTIFACT_FILE)
    conf = Model.load(os.path.join(local, "MLmodel")).flavors
    data = conf.get(FLAVOR_NAME, conf.get("python_function", {})).get("data", ARTIFACT_FILE)
    return os.path.join(local, data)


def load_model(model_uri: str, dst_path: str | None = None) -> HorizonModel:
    """The ``HorizonModel`` at ``model_uri`` (``models:/sales@champion``, ``runs:/…/model``, a
    local directory)."""
    from mlflow.artifacts import download_artifacts

    local = download_artifacts(artifact_uri=model_uri, dst_path=dst_path)
    return HorizonModel.load(_artifact_in(local))


class _PyFuncModel:
    """What ``mlflow.pyfunc.load_model`` returns the ``predict`` of."""

    def __init__(self, model: HorizonModel):
        self.model = model

    def get_raw_model(self) -> HorizonModel:
        return self.model

    def predict(self, model_input: Any, params: dict | None = None):
        import pandas as pd

        params = params or {}
        h = int(params.get("h") or 0) or None
        level = [float(v) for v in (params.get("level") or [])] or None
        if model_input is None or len(model_input) == 0:
            return self.model.predict(h, level, like_frame=pd.DataFrame())
        ids, date, value, _ = self.model.columns
        if value not in model_input.columns:
            return self._lookup(model_input, ids, date, level)
        return self.model.forecast(model_input, h, level)

    def _lookup(self, rows, ids, date, level):
        """Rows naming a series and a future date (no sales column): one forecast per row, in
        the rows' order — what ``mlflow.pyfunc.spark_udf`` needs (as many outputs as inputs).
        A row of a series the model does not know, or a date outside the forecast, is NaN."""
        import pandas as pd

        missing = [c for c in ids + [date] if c not in rows.columns]
        if missing and rows.shape[1] == len(ids) + 1:
            # spark_udf without an input schema names its arguments 0, 1, …: take them in order.
            rows = rows.set_axis(ids + [date], axis=1)
            missing = []
        if missing:
            raise ValueError(
                f"the input has neither the sales column nor {', '.join(missing)}: give the history "
                f"({', '.join(ids + [date] + [self.model.columns[2]])}) or rows of ({', '.join(ids + [date])})"
            )
        when = pd.to_datetime(rows[date])
        h = self.model.horizon
        fcst = self.model.predict(h, level, like_frame=pd.DataFrame())
        # Far enough for every row asked (at most Horizon's longest forecast, 10,000 periods).
        while pd.notna(when.max()) and when.max() > fcst[date].max() and h < 10_000:
            h = min(2 * h, 10_000)
            fcst = self.model.predict(h, level, like_frame=pd.DataFrame())
        keys = rows[ids].astype(str).reset_index(drop=True)
        fcst[ids] = fcst[ids].astype(str)
        query = keys.assign(**{date: when.reset_index(drop=True).astype("datetime64[ns]")})
        out = query.merge(fcst, on=ids + [date], how="left")
        return out.drop(columns=ids + [date])


def _load_pyfunc(path: str) -> _PyFuncModel:
    """The pyfunc loader: ``path`` is the flavour's data (the artifact file) or the model dir."""
    return _PyFuncModel(HorizonModel.load(_artifact_in(path)))
