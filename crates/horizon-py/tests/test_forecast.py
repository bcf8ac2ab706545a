"""HorizonForecast against the `horizon` command line on the same data: every number equal."""

import math

import pandas as pd
import polars as pl
import pytest

from horizon_forecast import DataError, HorizonForecast, ModelError

IDS = ["store_id", "product_id"]


def cli_forecast(horizon, path, tmp_path, model, h, levels):
    out = tmp_path / f"cli-{model.replace(':', '_')}.csv"
    args = ["forecast", path, "--model", model, "--horizon", h, "--out", out, "--force"]
    for lv in levels:
        args += ["--level", lv]
    horizon(*args)
    return pd.read_csv(out, dtype={"store_id": str, "product_id": str, "ISBN": str})


def assert_same_numbers(py, cli, model, ids, date, levels):
    """The Python frame (statsforecast layout) holds exactly the CLI's numbers."""
    cli = cli.rename(columns={"date": date}).assign(**{date: lambda d: pd.to_datetime(d[date])})
    merged = py.merge(cli, on=ids + [date], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert len(merged) == len(py) == len(cli)
    assert (merged[model] == merged["forecast"]).all(), merged[[model, "forecast"]].head()
    for lv in levels:
        assert (merged[f"{model}-lo-{lv}"] == merged[f"lo_{lv}"]).all()
        assert (merged[f"{model}-hi-{lv}"] == merged[f"hi_{lv}"]).all()


@pytest.mark.parametrize("model", ["ets", "arima", "seasonal-naive", "auto"])
def test_forecast_equals_the_cli_to_the_last_digit(horizon, retail_csv, tmp_path, model):
    df = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    hf = HorizonForecast(models=[model], freq="D", id_col=IDS, time_col="date", target_col="sales")
    py = hf.forecast(df, h=14, level=[80, 95])
    assert list(py.columns[:3]) == ["store_id", "product_id", "date"]
    assert str(py["date"].dtype) == "datetime64[ns]"
    assert len(py) == 9 * 14
    cli = cli_forecast(horizon, retail_csv, tmp_path, model, 14, [80, 95])
    assert_same_numbers(py, cli, model, IDS, "date", [80, 95])


def test_weekly_books_in_statsforecast_columns(horizon, books_csv, tmp_path):
    raw = pd.read_csv(books_csv, dtype={"ISBN": str})
    df = raw.rename(columns={"ISBN": "unique_id", "week": "ds", "sales": "y"})
    df["ds"] = pd.to_datetime(df["ds"])
    py = HorizonForecast(models=["ets", "naive"], freq="W").forecast(df, h=8, level=[95])
    assert list(py.columns) == ["unique_id", "ds", "ets", "ets-lo-95", "ets-hi-95", "naive", "naive-lo-95", "naive-hi-95"]
    cli = cli_forecast(horizon, books_csv, tmp_path, "ets", 8, [95]).rename(columns={"ISBN": "unique_id"})
    assert_same_numbers(py, cli, "ets", ["unique_id"], "ds", [95])


def test_polars_pandas_and_arrow_inputs_agree(retail_csv):
    pdf = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    plf = pl.read_csv(retail_csv, schema_overrides={"store_id": pl.Utf8, "product_id": pl.Utf8}, try_parse_dates=True, infer_schema_length=None)
    hf = HorizonForecast(models=["ets"], id_col=IDS, time_col="date", target_col="sales")
    from_pandas = hf.forecast(pdf, h=7, level=[95])
    from_polars = hf.forecast(plf, h=7, level=[95])
    assert isinstance(from_polars, pl.DataFrame)
    back = from_polars.to_pandas().assign(date=lambda d: pd.to_datetime(d["date"]).astype("datetime64[ns]"))
    pd.testing.assert_frame_equal(back, from_pandas, check_dtype=False, check_exact=True)
    import pyarrow as pa

    from_arrow = hf.forecast(pa.Table.from_pandas(pdf, preserve_index=False), h=7, level=[95])
    assert isinstance(from_arrow, pa.Table)
    assert from_arrow.num_rows == len(from_pandas)


def test_text_dates_and_timestamps_read_as_the_csv(retail_csv):
    text = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str})
    stamped = text.assign(date=pd.to_datetime(text["date"]) + pd.Timedelta(hours=9))
    hf = HorizonForecast(models=["naive"], id_col=IDS, time_col="date", target_col="sales")
    a = hf.forecast(text, h=3, level=[95])
    b = hf.forecast(stamped, h=3, level=[95])
    assert a.equals(b)


def test_no_level_gives_point_forecasts_only(retail_csv):
    df = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    py = HorizonForecast(models=["naive"], id_col=IDS, time_col="date", target_col="sales").forecast(df, h=2)
    assert list(py.columns) == IDS + ["date", "naive"]


def test_bad_frames_raise_with_row_and_column():
    good = pd.DataFrame(
        {"unique_id": ["a"] * 5, "ds": pd.date_range("2024-01-01", periods=5, freq="D"), "y": [1.0, 2.0, 3.0, 4.0, 5.0]}
    )
    hf = HorizonForecast(models=["naive"])
    assert len(hf.forecast(good, h=2)) == 2

    with pytest.raises(DataError, match=r"the value column 'y' is not in the data frame; its columns are: unique_id, ds, sales"):
        hf.forecast(good.rename(columns={"y": "sales"}), h=2)

    bad = good.copy()
    bad.loc[2, "y"] = float("inf")
    with pytest.raises(DataError, match=r"data frame:row 2, column 'y': error: value 'inf' is not a finite number"):
        hf.forecast(bad, h=2)

    bad = good.copy()
    bad.loc[3, "ds"] = pd.NaT
    with pytest.raises(DataError, match=r"row 3, column 'ds': error: the date is missing"):
        hf.forecast(bad, h=2)

    bad = good.assign(y=["1", "2", "x", "4", "5"])
    with pytest.raises(DataError, match=r"the value column 'y' holds text"):
        hf.forecast(bad, h=2)

    with pytest.raises(ModelError, match=r"model 'no-such-model'"):
        HorizonForecast(models=["no-such-model"]).forecast(good, h=2)

    with pytest.raises(ModelError, match=r"horizon must be between 1 and"):
        hf.forecast(good, h=0)

    with pytest.raises(TypeError, match=r"expected a pandas or polars DataFrame"):
        hf.forecast([1, 2, 3], h=2)


def test_warnings_name_what_was_filled():
    df = pd.DataFrame(
        {"unique_id": ["a"] * 6, "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"]), "y": [1.0, -2.0, 3.0, None, 5.0, 6.0]}
    )
    with pytest.warns(UserWarning, match=r"row 1, column 'y': warning: negative value -2"):
        out = HorizonForecast(models=["naive"]).forecast(df, h=1)
    assert out["naive"].iloc[0] == 6.0


def test_fit_predict_gives_the_forecast(retail_csv):
    df = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    hf = HorizonForecast(models=["ets", "seasonal-naive"], id_col=IDS, time_col="date", target_col="sales")
    direct = hf.forecast(df, h=10, level=[80, 95])
    predicted = hf.fit(df).predict(h=10, level=[80, 95])
    pd.testing.assert_frame_equal(direct, predicted)


def test_cross_validation_matches_horizon_backtest(horizon, retail_csv, tmp_path):
    df = pd.read_csv(retail_csv, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    hf = HorizonForecast(models=["naive", "ets"], id_col=IDS, time_col="date", target_col="sales")
    cv = hf.cross_validation(df, h=7, n_windows=3, step_size=5, level=[95])
    assert list(cv.columns[:5]) == IDS + ["date", "cutoff", "sales"]
    assert len(cv) == 9 * 3 * 7
    assert (cv["cutoff"] < cv["date"]).all()
    out = tmp_path / "bt.csv"
    horizon("backtest", retail_csv, "--models", "naive,ets", "--horizon", 7, "--folds", 3, "--step", 5, "--out", out, "--force")
    bt = pd.read_csv(out)
    cv["series"] = cv["store_id"] + " / " + cv["product_id"]
    for model in ["naive", "ets"]:
        err = (cv[model] - cv["sales"]).abs().groupby([cv["series"], cv["cutoff"]]).mean().reset_index(name="mae")
        mine = bt[bt["model"] == model].sort_values(["series", "origin"])
        assert len(mine) == len(err) == 27
        for got, want in zip(err.sort_values(["series", "cutoff"])["mae"], mine["mae"]):
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (model, got, want)
        inside = ((cv["sales"] >= cv[f"{model}-lo-95"]) & (cv["sales"] <= cv[f"{model}-hi-95"])).groupby([cv["series"], cv["cutoff"]]).mean()
        assert list(inside.sort_index()) == list(mine["coverage"])


def test_future_drivers_x_df_equal_the_cli_plan(horizon, tmp_path):
    path = tmp_path / "small.csv"
    horizon("sample", "retail", "--stores", 2, "--products", 2, "--days", 240, "--out", path)
    df = pd.read_csv(path, dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    last = df["date"].max()
    keys = df[IDS].drop_duplicates()
    future = pd.date_range(last + pd.Timedelta(days=1), periods=7, freq="D")
    X_df = keys.merge(pd.DataFrame({"date": future}), how="cross").assign(promotion=1.0)
    hf = HorizonForecast(models=["gbm", "naive"], id_col=IDS, time_col="date", target_col="sales")
    planned = hf.forecast(df, h=7, level=[95], X_df=X_df)
    usual = hf.forecast(df, h=7, level=[95])
    assert (planned["gbm"] != usual["gbm"]).any(), "the promotion changed nothing"
    assert (planned["naive"] == usual["naive"]).all(), "a model without drivers ignores X_df"
    plan = tmp_path / "plan.csv"
    X_df.assign(date=X_df["date"].dt.strftime("%Y-%m-%d")).to_csv(plan, index=False)
    out = tmp_path / "cli.csv"
    horizon("forecast", path, "--model", "gbm", "--horizon", 7, "--future-drivers", plan, "--out", out)
    cli = pd.read_csv(out, dtype={"store_id": str, "product_id": str})
    assert_same_numbers(planned, cli, "gbm", IDS, "date", [95])
    with pytest.raises(DataError, match=r"X_df"):
        hf.forecast(df, h=7, X_df=X_df.assign(store_id="S99"))


def test_statsforecast_layouts_ids_and_missing_ids():
    ds = pd.date_range("2024-01-01", periods=30, freq="D")
    df = pd.DataFrame({"unique_id": [7] * 30 + [9] * 30, "ds": list(ds) * 2, "y": [float(i % 7) for i in range(60)]})
    out = HorizonForecast(models=["naive"]).forecast(df, h=2)
    assert out["unique_id"].tolist() == [7, 7, 9, 9] and str(out["unique_id"].dtype) == "int64"
    # statsforecast's older layout: the ids in the index.
    indexed = HorizonForecast(models=["naive"]).forecast(df.set_index("unique_id"), h=2)
    pd.testing.assert_frame_equal(indexed, out)
    import pyarrow as pa

    arrow = HorizonForecast(models=["naive"]).forecast(pa.Table.from_pandas(df), h=2)
    assert arrow.num_rows == 4
    with pytest.raises(DataError, match=r"no 'unique_id' column and dates in 'ds' repeat"):
        HorizonForecast(models=["naive"]).forecast(df.rename(columns={"unique_id": "item"}), h=2)


def test_models_sharing_a_name_stay_apart():
    ds = pd.date_range("2024-01-01", periods=60, freq="D")
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": [float((i * 7) % 11) for i in range(60)]})
    hf = HorizonForecast(models=["seasonal-naive:7", "seasonal-naive:14"])
    out = hf.forecast(df, h=14, level=[95])
    assert list(out.columns[2:5]) == ["seasonal-naive:7", "seasonal-naive:7-lo-95", "seasonal-naive:7-hi-95"]
    assert (out["seasonal-naive:7"] != out["seasonal-naive:14"]).any()
    cv = hf.cross_validation(df, h=7, n_windows=2, step_size=7, level=[95])
    assert (cv["seasonal-naive:7"] != cv["seasonal-naive:14"]).any()
    # Each column is its own model: the value one season before, whatever the other does.
    y = df.set_index("ds")["y"]
    for m in (7, 14):
        back = cv["ds"] - pd.Timedelta(days=m)
        assert list(cv[f"seasonal-naive:{m}"]) == list(y.loc[back])
    pd.testing.assert_frame_equal(hf.fit(df).predict(h=14, level=[95]), out)
    with pytest.raises(ModelError, match=r"given twice"):
        HorizonForecast(models=["ets", "ets"]).forecast(df, h=2)


def test_a_series_a_model_cannot_forecast_is_nan_with_a_warning():
    ds = pd.date_range("2024-01-01", periods=40, freq="D")
    df = pd.concat([
        pd.DataFrame({"unique_id": "long", "ds": ds, "y": [float(i % 7 + 1) for i in range(40)]}),
        pd.DataFrame({"unique_id": "short", "ds": ds[:3], "y": [1.0, 2.0, 3.0]}),
    ])
    with pytest.warns(UserWarning, match=r"arima: series 'short': arima needs at least 4 observations"):
        out = HorizonForecast(models=["naive", "arima"]).forecast(df, h=2, level=[95])
    short = out[out["unique_id"] == "short"]
    assert len(out) == 4 and len(short) == 2
    assert short["arima"].isna().all() and short["arima-hi-95"].isna().all()
    assert (short["naive"] == 3.0).all()
    assert out.loc[out["unique_id"] == "long", "arima"].notna().all()
