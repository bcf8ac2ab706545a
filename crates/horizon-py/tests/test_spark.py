"""Spark, on a local session (2 cores): a Horizon model in MLflow's format through
`mlflow.pyfunc.spark_udf` (rows of series and future dates in, one forecast per row out), and
`HorizonForecast` per group of series through `applyInPandas`; both equal the pandas API's."""

import pandas as pd
import pytest

pyspark = pytest.importorskip("pyspark")
mlflow = pytest.importorskip("mlflow")

import pyspark.sql.functions as F  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

import horizon_forecast.mlflow as hmlflow  # noqa: E402
from horizon_forecast import HorizonForecast  # noqa: E402

IDS = ["store_id", "product_id"]
COLS = dict(id_col=IDS, time_col="date", target_col="sales")


@pytest.fixture(scope="module")
def spark():
    import os
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def history(retail_csv):
    return pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])


def test_spark_udf_forecasts_each_row(spark, history, tmp_path):
    hf = HorizonForecast(models=["ets"], **COLS).fit(history, h=14)
    want = hf.predict(h=14, level=[95])
    hmlflow.save_model(hf, str(tmp_path / "model"))
    udf = mlflow.pyfunc.spark_udf(spark, str(tmp_path / "model"), result_type="double", env_manager="local")
    # Rows asked in another order, and one series the model does not know (NaN).
    asked = pd.concat([want[IDS + ["date"]].iloc[::-1], pd.DataFrame({"store_id": ["S99"], "product_id": ["P1"], "date": [want["date"].iloc[0]]})])
    got = spark.createDataFrame(asked).withColumn("ets", udf(*[F.col(c) for c in IDS + ["date"]])).toPandas()
    got["date"] = pd.to_datetime(got["date"]).astype("datetime64[ns]")
    merged = got.merge(want, on=IDS + ["date"], how="left", suffixes=("_udf", ""))
    known = merged[merged["store_id"] != "S99"]
    assert len(known) == len(want) and (known["ets_udf"] == known["ets"]).all()
    assert merged.loc[merged["store_id"] == "S99", "ets_udf"].isna().all()


def test_apply_in_pandas_per_group_of_series(spark, history):
    want = HorizonForecast(models=["ets"], **COLS).forecast(history, h=14, level=[95])

    def per_group(pdf):
        return HorizonForecast(models=["ets"], n_jobs=1, **COLS).forecast(pdf, h=14, level=[95])

    schema = "store_id string, product_id string, date timestamp, ets double, `ets-lo-95` double, `ets-hi-95` double"
    got = (
        spark.createDataFrame(history[IDS + ["date", "sales"]])
        .groupBy(F.abs(F.xxhash64(*IDS)) % 4)
        .applyInPandas(per_group, schema)
        .toPandas()
    )
    got["date"] = pd.to_datetime(got["date"]).astype("datetime64[ns]")
    merged = got.merge(want, on=IDS + ["date"], suffixes=("_spark", ""))
    assert len(merged) == len(want)
    for c in ["ets", "ets-lo-95", "ets-hi-95"]:
        assert (merged[f"{c}_spark"] == merged[c]).all()
