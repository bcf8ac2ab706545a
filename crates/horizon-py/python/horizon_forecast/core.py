"""``HorizonForecast``: statsforecast's API over Horizon's core."""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import Any, Iterable, Sequence

import pyarrow as pa

from horizon_forecast import _core
from horizon_forecast._core import DataError
from horizon_forecast._frames import like, normalise, to_table

# pandas offset aliases (and their anchored forms) to Horizon's frequencies.
_FREQS = {
    "D": "daily",
    "B": None,
    "W": "weekly",
    "M": "monthly",
    "MS": "monthly",
    "ME": "monthly",
    "Q": "quarterly",
    "QS": "quarterly",
    "QE": "quarterly",
}

# One season ahead: the horizon a model fitted without one keeps as its default.
_DEFAULT_H = {"daily": 7, "weekly": 52, "monthly": 12, "quarterly": 4}


def _freq(freq: str | None) -> str | None:
    """A pandas alias (``D``, ``W-SUN``, ``MS``, ``QE-DEC``) or a Horizon name (``daily``)."""
    if freq is None:
        return None
    key = freq.split("-")[0].upper()
    if key in _FREQS:
        name = _FREQS[key]
        if name is None:
            raise ValueError(f"freq '{freq}': business days are not a calendar Horizon forecasts; use 'D'")
        return name
    return freq  # the core names what it does not know


def _levels(level: Iterable[float] | None) -> list[float]:
    return [] if level is None else [float(v) for v in level]


def _warn(data_warnings: Sequence[str], failures: Sequence[tuple[str, str, str]]) -> None:
    if data_warnings:
        shown = "\n".join(data_warnings[:10])
        more = f"\n… and {len(data_warnings) - 10} more" if len(data_warnings) > 10 else ""
        warnings.warn(f"the data was read with warnings:\n{shown}{more}", stacklevel=3)
    if failures:
        lines = "\n".join(f"{m}: series '{s}': {why}" for m, s, why in failures[:10])
        more = f"\n… and {len(failures) - 10} more" if len(failures) > 10 else ""
        warnings.warn(f"{len(failures)} series not forecast (their rows are NaN):\n{lines}{more}", stacklevel=3)


class HorizonModel:
    """A model fitted to every series of a frame: Horizon's trained-model artifact, the file
    its registry keeps. ``predict`` forecasts the training series from their stored fits;
    ``forecast`` reads a new frame as the training data was read and forecasts it (the stored
    fit for an unchanged series, the same model refitted for a changed one)."""

    def __init__(self, model: _core.Model):
        self._model = model

    @classmethod
    def from_bytes(cls, data: bytes) -> "HorizonModel":
        return cls(_core.Model.from_bytes(data))

    @classmethod
    def load(cls, path: str) -> "HorizonModel":
        with open(path, "rb") as f:
            return cls(_core.Model.from_bytes(f.read(), str(path)))

    def to_bytes(self) -> bytes:
        return self._model.to_bytes()

    def save(self, path: str) -> None:
        """Write the artifact (the file the registry keeps, ``artifact.hzn``); fails if ``path`` exists."""
        with open(path, "xb") as f:
            f.write(self.to_bytes())

    @property
    def model(self) -> str:
        return self._model.model

    @property
    def horizon(self) -> int:
        return self._model.horizon

    @property
    def levels(self) -> list[float]:
        return list(self._model.levels)

    @property
    def columns(self) -> tuple[list[str], str, str, list[str]]:
        """(id columns, date column, value column, driver columns) of the training data."""
        return self._model.columns

    def predict(self, h: int | None = None, level: Iterable[float] | None = None, n_jobs: int = -1, like_frame: Any = None):
        h = self.horizon if h is None else int(h)
        table, failures = self._model.predict(h, _levels(level if level is not None else self.levels), n_jobs)
        _warn([], failures)
        return like(table, like_frame)

    def forecast(self, df: Any, h: int | None = None, level: Iterable[float] | None = None, n_jobs: int = -1):
        ids, date, value, exog = self.columns
        h = self.horizon if h is None else int(h)
        table = to_table(df)
        types = {c: table.schema.field(c).type for c in ids if c in table.column_names}
        data = normalise(table, ids, date, value, exog)
        out, failures, data_warnings = self._model.forecast(
            data, h, _levels(level if level is not None else self.levels), n_jobs
        )
        _warn(data_warnings, failures)
        return like(out, df, types)


class HorizonForecast:
    """Forecast a panel of series with Horizon's models, statsforecast-style.

    ``models``: model names as the ``horizon`` command line reads them — ``auto`` (the best
    model per series by backtest), ``ets``, ``arima``, ``mstl``, ``gbm``, ``croston`` …, ``seasonal-naive:7``,
    ``ensemble:ets/arima``, ``ets+conformal``. ``freq``: a pandas alias (``D``, ``W``,
    ``MS``, ``QS``) or ``None`` to infer it. ``season``: the season length for seasonal models
    given none (``None``: the frequency's usual one). ``n_jobs``: threads (``-1``: every core).
    ``id_col`` may be a list of columns (e.g. ``["store_id", "product_id"]``); other numeric
    columns are drivers.
    """

    def __init__(
        self,
        models: Sequence[str] | str = ("auto",),
        freq: str | None = None,
        season: int | None = None,
        n_jobs: int = -1,
        id_col: str | Sequence[str] = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
    ):
        self.models = [models] if isinstance(models, str) else list(models)
        if not self.models:
            raise ValueError("models: give at least one model name")
        self.freq = _freq(freq)
        self.season = season
        self.n_jobs = int(n_jobs)
        self.id_cols = [id_col] if isinstance(id_col, str) else list(id_col)
        self.time_col = time_col
        self.target_col = target_col
        self.fitted_: dict[str, HorizonModel] = {}
        self._template: Any = None
        self._id_types: dict = {}

    def __repr__(self) -> str:
        return f"HorizonForecast(models={self.models!r}, freq={self.freq!r})"

    def _read(self, df: Any) -> tuple[_core.Data, dict]:
        """The frame read by the core, and the input types of its id columns."""
        table = to_table(df)
        id_cols = self.id_cols
        if id_cols == ["unique_id"] and "unique_id" not in table.column_names:
            # No id column: one series, unless dates repeat (then the ids are missing, not absent).
            if self.time_col in table.column_names:
                import pyarrow.compute as pc

                if pc.count_distinct(table[self.time_col]).as_py() < table.num_rows:
                    raise DataError(
                        f"there is no 'unique_id' column and dates in '{self.time_col}' repeat: name the id "
                        f"column(s) with id_col= (the columns are: {', '.join(table.column_names)})"
                    )
            id_cols = []
        data = _core.read(
            normalise(table, id_cols, self.time_col, self.target_col),
            id_columns=id_cols,
            date_column=self.time_col,
            value_column=self.target_col,
            freq=self.freq,
            season=self.season,
        )
        types = {c: table.schema.field(c).type for c in id_cols if c in table.column_names}
        return data, types

    def forecast(self, df: Any, h: int, level: Iterable[float] | None = None, X_df: Any = None):
        """Fit every model to every series of ``df`` and forecast ``h`` periods: a frame of the
        input's library with the id columns, ``ds``, and per model ``m`` (and ``m-lo-L``,
        ``m-hi-L`` for each level). ``X_df``: future values of the drivers (the id columns,
        ``ds`` and driver columns, for dates of the horizon), read by the models that forecast
        from drivers (``gbm``); a driver or date it leaves out keeps its usual value."""
        data, types = self._read(df)
        table, failures = _core.forecast_models(
            data, self.models, int(h), _levels(level), self.season, self.n_jobs, self._future_drivers(X_df)
        )
        _warn(data.warnings, failures)
        return like(table, df, types)

    def _future_drivers(self, X_df: Any) -> bytes | None:
        """``X_df`` as the CSV of a what-if plan (rows counted as in that CSV: the first is 2)."""
        if X_df is None:
            return None
        import io

        import pyarrow.csv as pcsv

        table = normalise(X_df, self.id_cols, self.time_col, "")
        out = io.BytesIO()
        pcsv.write_csv(table, out)
        return out.getvalue()

    def fit(self, df: Any, h: int | None = None):
        """Fit every model to every series (no backtest); ``predict`` forecasts from the fits.
        ``h`` is the horizon the fitted models keep as their default (one season if omitted)."""
        return self._fit_read(self._read(df), df, h)

    def _fit_read(self, read: tuple, df: Any, h: int | None):
        """``fit`` of a frame already read (``_read``'s answer), so a caller that read it for
        another purpose (a shard's fingerprint) does not read it twice."""
        data, self._id_types = read
        h = _DEFAULT_H.get(data.freq, 1) if h is None else int(h)
        stamp = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        self.fitted_ = {}
        all_failures = []
        for name in self.models:
            model, failures = _core.fit(data, name, h, [95.0], self.season, self.n_jobs, stamp)
            self.fitted_[name] = HorizonModel(model)
            all_failures.extend(failures)
        _warn(data.warnings, all_failures)
        self._template = df.head(0) if hasattr(df, "head") else None
        return self

    def predict(self, h: int, level: Iterable[float] | None = None, X_df: Any = None):
        """Forecast ``h`` periods of every fitted series: the layout of ``forecast``."""
        _no_future_drivers(X_df)
        if not self.fitted_:
            raise RuntimeError("call fit(df) before predict(h)")
        models = [m._model for m in self.fitted_.values()]
        names = _core.column_names(list(self.fitted_), self.season)
        table, failures = _core.predict_models(models, names, int(h), _levels(level), self.n_jobs)
        _warn([], failures)
        return like(table, self._template, self._id_types)

    def cross_validation(
        self,
        df: Any,
        h: int,
        n_windows: int = 1,
        step_size: int = 1,
        level: Iterable[float] | None = None,
    ):
        """Rolling-origin backtest (``horizon backtest``'s): the last ``n_windows`` windows of
        ``h`` periods, ``step_size`` apart (1 by default, as in statsforecast). Rows: id
        columns, ``ds``, ``cutoff`` (the last date trained on), the actual value, and each
        model's forecast. Series too short for the windows are left out with a warning."""
        data, types = self._read(df)
        levels = _levels(level)
        table, skipped = _core.cross_validation(
            data, self.models, int(h), int(n_windows), int(step_size), levels or [95.0], self.season, self.n_jobs
        )
        if skipped:
            shown = ", ".join(skipped[:10]) + (f" … ({len(skipped)} in all)" if len(skipped) > 10 else "")
            warnings.warn(f"series too short for {n_windows} window(s) of {h} and left out: {shown}", stacklevel=2)
        _warn(data.warnings, [])
        if not levels:
            t = pa.table(table)
            bounds = {f"{m}-{side}-95" for m in _core.column_names(self.models, self.season) for side in ("lo", "hi")}
            table = t.select([c for c in t.column_names if c not in bounds])
        return like(table, df, types)


def _no_future_drivers(X_df: Any) -> None:
    if X_df is not None:
        raise NotImplementedError(
            "X_df (future drivers) is not read by the Python package yet: use the command line's "
            "`horizon forecast --model gbm --future-drivers plan.csv`"
        )
