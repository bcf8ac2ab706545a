"""Ray beyond one machine, on a real local Ray cluster (2 CPUs): a sharded forecast equals one
process's, and sharded training registers every series in MLflow once — also when a worker
dies after registering and Ray retries its shard."""

import pandas as pd
import pytest

ray = pytest.importorskip("ray")
mlflow = pytest.importorskip("mlflow")

import horizon_forecast.mlflow as hmlflow  # noqa: E402
from horizon_forecast import HorizonForecast  # noqa: E402
from horizon_forecast import ray as hray  # noqa: E402

IDS = ["store_id", "product_id"]
COLS = dict(id_col=IDS, time_col="date", target_col="sales")


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def sales(retail_csv):
    return pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])


def ordered(df):
    return df.sort_values(IDS + ["date"]).reset_index(drop=True)


def fnv1a(data: bytes) -> int:
    """FNV-1a, 64 bits: the hash `horizon train --shard` splits by, written again here."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return h


def test_shards_split_the_series_as_the_cli_does(sales, retail_csv, horizon, tmp_path):
    parts = hray.split(sales, 3, IDS)
    assert sum(p.num_rows for p in parts) == len(sales)
    for k, part in enumerate(parts, start=1):
        keys = part.select(IDS).to_pandas().drop_duplicates()
        assert len(keys) > 0
        for store, product in keys.itertuples(index=False):
            assert fnv1a(f"{store}\x1f{product}\x1f".encode()) % 3 + 1 == k
        # `horizon train --shard K/3` trains exactly these series.
        (tmp_path / "pipeline.toml").write_text(
            f'[data]\npath = "{retail_csv}"\n\n[training]\nmodels = ["naive"]\nhorizon = 7\nfolds = 1\n\n'
            f'[registry]\ntarget = "local"\npath = "{tmp_path / "reg"}"\nmodel_name = "s"\n'
        )
        said = horizon("train", "--config", tmp_path / "pipeline.toml", "--shard", f"{k}/3").stdout
        assert f"shard {k}/3: {len(keys)} of 9 series" in said, said


def test_a_sharded_forecast_equals_one_process(cluster, sales):
    one = HorizonForecast(models=["ets", "naive"], **COLS).forecast(sales, h=14, level=[80, 95])
    many = hray.forecast(sales, h=14, models=["ets", "naive"], level=[80, 95], num_shards=4, **COLS)
    pd.testing.assert_frame_equal(ordered(many), ordered(one), check_exact=True)


def test_statsforecast_columns_and_arrow_tables_shard_too(cluster, sales):
    """The default `unique_id`, an integer one, and a pyarrow table (what shards travel as)."""
    import pyarrow as pa

    codes = {k: i for i, k in enumerate(sales[IDS].drop_duplicates().itertuples(index=False))}
    df = pd.DataFrame({
        "unique_id": [codes[k] for k in sales[IDS].itertuples(index=False)],
        "ds": sales["date"],
        "y": sales["sales"],
    })
    one = HorizonForecast(models=["naive"]).forecast(df, h=3)
    assert one["unique_id"].nunique() == 9 and str(one["unique_id"].dtype) == "int64"
    many = hray.forecast(pa.Table.from_pandas(df), h=3, models=["naive"], num_shards=3).to_pandas()
    many["ds"] = pd.to_datetime(many["ds"]).astype("datetime64[ns]")
    pd.testing.assert_frame_equal(
        many.sort_values(["unique_id", "ds"]).reset_index(drop=True),
        one.sort_values(["unique_id", "ds"]).reset_index(drop=True),
        check_dtype=False,
        check_exact=True,
    )


def test_sharded_training_registers_every_series_once_despite_a_dead_worker(cluster, server, sales, tmp_path):
    marker = tmp_path / "a-worker-died"
    forecasts, shards = hray.train(
        sales, model="ets", h=7, level=[95], model_name="ray-sales", tracking_uri=server, num_shards=3,
        _crash_marker=str(marker), **COLS,
    )
    assert marker.exists(), "no worker died: the retry was not exercised"
    client = mlflow.MlflowClient(server)
    seen = []
    for k in (1, 2, 3):
        versions = client.search_model_versions(f"name='ray-sales-shard-{k}-of-3'")
        assert len(versions) == 1, [(v.version, v.tags) for v in versions]
        model = hmlflow.load_model(f"models:/ray-sales-shard-{k}-of-3/1")
        seen += [tuple(s) for s in model._model.series]
    assert sorted(seen) == sorted(set(map(tuple, sales[IDS].drop_duplicates().itertuples(index=False))))
    # The killed shard's retry found its version; the others registered.
    assert sorted(s["status"] for s in shards) == ["already registered", "registered", "registered"]
    one = HorizonForecast(models=["ets"], **COLS).fit(sales, h=7).predict(h=7, level=[95])
    pd.testing.assert_frame_equal(ordered(forecasts), ordered(one), check_exact=True)
    # Run again: every shard is found, nothing is registered twice.
    _, again = hray.train(sales, model="ets", h=7, level=[95], model_name="ray-sales", tracking_uri=server,
                          num_shards=3, **COLS)
    assert [s["status"] for s in again] == ["already registered"] * 3
    assert all(len(client.search_model_versions(f"name='ray-sales-shard-{k}-of-3'")) == 1 for k in (1, 2, 3))
