"""Horizon's sales-forecasting engine for Python.

A statsforecast-like API on long data frames (``unique_id``, ``ds``, ``y`` and drivers) from
pandas, polars or pyarrow, computed by the same Rust core as the ``horizon`` command line::

    from horizon_forecast import HorizonForecast

    hf = HorizonForecast(models=["auto", "ets"], freq="D")
    fcst = hf.forecast(df, h=28, level=[80, 95])   # unique_id, ds, auto, auto-lo-95, ...

``horizon_forecast.mlflow`` is the MLflow model flavour, ``horizon_forecast.ray`` fans a panel
out over a Ray cluster.
"""

from horizon_forecast._core import DataError, ModelError, __version__
from horizon_forecast.core import HorizonForecast, HorizonModel

__all__ = ["DataError", "HorizonForecast", "HorizonModel", "ModelError", "__version__"]
