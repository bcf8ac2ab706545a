"""The MLflow flavour against a real MLflow server on 127.0.0.1 (started and stopped here): a
model the Rust CLI registered is loaded by mlflow.pyfunc and served by `mlflow models serve`,
both forecasting the CLI's numbers; a model fitted in Python round-trips through log_model."""

import json
import os
import shutil
import sys
import urllib.request

import pandas as pd
import pytest

mlflow = pytest.importorskip("mlflow")

import horizon_forecast.mlflow as hmlflow  # noqa: E402
from servers import free_port, start, stop, wait_for  # noqa: E402
from horizon_forecast import HorizonForecast, HorizonModel  # noqa: E402

@pytest.fixture(scope="module")
def registered(server, horizon, tmp_path_factory):
    """`horizon train` registers `sales` (ETS, 14 days, 80/95 %) in MLflow; returns the project
    folder and the CLI's forecast with sales@champion."""
    d = tmp_path_factory.mktemp("project")
    sample = os.path.join(os.path.dirname(__file__), "..", "..", "..", "sample_data", "retail_small.csv")
    shutil.copy(sample, d / "sales.csv")
    (d / "pipeline.toml").write_text(
        '[data]\npath = "sales.csv"\n\n[training]\nmodels = ["ets"]\nhorizon = 14\nlevels = [80, 95]\nfolds = 2\n\n'
        f'[registry]\ntarget = "mlflow"\nurl = "{server}"\ntimeout_secs = 120\nmodel_name = "sales"\n\n'
        '[output]\nforecast = "trained.csv"\n'
    )
    trained = horizon("train", "--config", d / "pipeline.toml")
    assert "registered: sales version 1 in MLflow" in trained.stdout + trained.stderr
    horizon("forecast", d / "sales.csv", "--registered", "sales@champion", "--registry", server, "--timeout", 120,
            "--out", d / "cli.csv")
    cli = pd.read_csv(d / "cli.csv", dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    return d, cli


def assert_cli_numbers(got: pd.DataFrame, cli: pd.DataFrame, model="ets"):
    got = got.assign(date=pd.to_datetime(got["date"]))
    merged = got.merge(cli, on=["store_id", "product_id", "date"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == len(cli)
    assert (merged[model] == merged["forecast"]).all()
    for lv in (80, 95):
        assert (merged[f"{model}-lo-{lv}"] == merged[f"lo_{lv}"]).all()
        assert (merged[f"{model}-hi-{lv}"] == merged[f"hi_{lv}"]).all()


def test_pyfunc_loads_a_model_the_cli_registered(registered):
    d, cli = registered
    model = mlflow.pyfunc.load_model("models:/sales@champion")
    history = pd.read_csv(d / "sales.csv", dtype={"store_id": str, "product_id": str})
    assert_cli_numbers(model.predict(history), cli)
    # From the stored fits alone, and with other parameters.
    assert_cli_numbers(model.predict(None), cli)
    longer = model.predict(history, params={"h": 20, "level": [50]})
    assert len(longer) == 20 * cli.groupby(["store_id", "product_id"]).ngroups
    assert "ets-lo-50" in longer.columns and "ets-lo-95" not in longer.columns
    # Weekly totals are not read onto the daily model's grid with six zero days a week.
    weekly = history[pd.to_datetime(history["date"]).dt.dayofweek == 6]
    with pytest.raises(ValueError, match="the data is weekly but the model was trained on daily data"):
        model.predict(weekly)


def test_mlflow_models_serve_answers_with_the_cli_numbers(registered, server, tmp_path):
    d, cli = registered
    port = free_port()
    # `mlflow models serve --env-manager local` execs `uvicorn` from PATH: the one of this
    # interpreter (the test venv reaches its dependencies through a .pth file, not scripts).
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "uvicorn").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m uvicorn "$@"\n')
    (shims / "uvicorn").chmod(0o755)
    env = {**os.environ, "MLFLOW_TRACKING_URI": server, "PATH": f"{shims}:{os.environ['PATH']}"}
    proc, log = start(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", "models:/sales@champion", "--env-manager", "local",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        str(tmp_path), "serve.log", env,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/ping", proc, log)
        history = pd.read_csv(d / "sales.csv", dtype={"store_id": str, "product_id": str})
        body = json.dumps({"dataframe_split": json.loads(history.to_json(orient="split", index=False))}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=300) as r:
            answer = json.loads(r.read())
        got = pd.DataFrame(answer["predictions"])
        got["date"] = pd.to_datetime(got["date"])
        assert_cli_numbers(got, cli)
    finally:
        stop(proc)


def test_a_model_fitted_in_python_round_trips_through_mlflow(registered, server, tmp_path):
    d, _ = registered
    history = pd.read_csv(d / "sales.csv", dtype={"store_id": str, "product_id": str}, parse_dates=["date"])
    hf = HorizonForecast(models=["ets"], id_col=["store_id", "product_id"], time_col="date", target_col="sales")
    hf.fit(history, h=7)
    with mlflow.start_run():
        info = hmlflow.log_model(hf, name="model", registered_model_name="py-sales")
    back = hmlflow.load_model(info.model_uri)
    assert isinstance(back, HorizonModel) and back.model == "ets" and back.horizon == 7
    want = hf.predict(h=7, level=[95])
    pd.testing.assert_frame_equal(back.predict(level=[95], like_frame=pd.DataFrame()), want, check_exact=True)
    pyfunc = mlflow.pyfunc.load_model("models:/py-sales/1")
    got = pyfunc.predict(history, params={"level": [95]})
    pd.testing.assert_frame_equal(got, want, check_exact=True)
