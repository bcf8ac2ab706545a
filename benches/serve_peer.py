"""The peer of benches/serve_vs_mlflow.sh: a statsforecast AutoETS model as an MLflow pyfunc,
for `mlflow models serve`.

    python serve_peer.py prepare DIR   # fit AutoETS(season_length=7) on DIR/sales.csv, save the
                                       # pyfunc model in DIR/peer_model

The model answers the same scoring requests as `horizon serve`: rows naming series by
store_id and product_id get the stored fit's forecast (StatsForecast.predict); rows with date
and sales are new history, fitted again (StatsForecast.forecast). Records as Horizon answers:
ids, date, forecast, lo_95, hi_95.
"""

import pickle
import sys
from pathlib import Path

import mlflow
import pandas as pd


class AutoEtsModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["fitted"], "rb") as f:
            self.sf = pickle.load(f)

    def predict(self, context, model_input, params=None):
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS

        h = int((params or {}).get("horizon", 14))
        df = model_input.copy()
        df["unique_id"] = df["store_id"].astype(str) + "/" + df["product_id"].astype(str)
        if {"date", "sales"} <= set(df.columns):
            hist = pd.DataFrame({"unique_id": df["unique_id"], "ds": pd.to_datetime(df["date"]), "y": df["sales"].astype(float)})
            sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
            out = sf.forecast(df=hist, h=h, level=[95])
        else:
            out = self.sf.predict(h=h, level=[95])
            out = out[out["unique_id"].isin(set(df["unique_id"]))]
        ids = out["unique_id"].str.split("/", expand=True)
        return pd.DataFrame({
            "store_id": ids[0], "product_id": ids[1], "date": out["ds"].dt.strftime("%Y-%m-%d"),
            "forecast": out["AutoETS"], "lo_95": out["AutoETS-lo-95"], "hi_95": out["AutoETS-hi-95"],
        })


def prepare(d: Path):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    raw = pd.read_csv(d / "sales.csv")
    df = pd.DataFrame({
        "unique_id": raw["store_id"].astype(str) + "/" + raw["product_id"].astype(str),
        "ds": pd.to_datetime(raw["date"]), "y": raw["sales"].astype(float),
    })
    sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
    sf.fit(df)
    with open(d / "fitted.pkl", "wb") as f:
        pickle.dump(sf, f)
    # The signature declares `horizon` (else MLflow drops the param) and lets history columns
    # come or not (else it drops them).
    from mlflow.models import ModelSignature
    from mlflow.types.schema import ColSpec, ParamSchema, ParamSpec, Schema

    signature = ModelSignature(
        inputs=Schema([
            ColSpec("string", "store_id"), ColSpec("string", "product_id"),
            ColSpec("string", "date", required=False), ColSpec("double", "sales", required=False),
        ]),
        params=ParamSchema([ParamSpec("horizon", "long", 14)]),
    )
    mlflow.pyfunc.save_model(
        path=str(d / "peer_model"),
        python_model=AutoEtsModel(),
        artifacts={"fitted": str(d / "fitted.pkl")},
        code_paths=[__file__],
        signature=signature,
    )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "prepare":
        sys.exit("usage: serve_peer.py prepare DIR")
    prepare(Path(sys.argv[2]))
