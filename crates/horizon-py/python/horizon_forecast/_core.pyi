"""Type stubs of the native module (Rust, PyO3). Use the API of ``horizon_forecast``."""

from typing import Any, Optional, Sequence

__version__: str

class DataError(ValueError):
    """The data frame cannot be read: every problem by row (position, from 0) and column."""

class ModelError(ValueError):
    """A model, horizon or level that cannot be used, or a model that fits no series."""

Failure = tuple[str, str, str]

class ArrowTable:
    """A result table; import it with ``pyarrow.table(t)`` or ``polars.from_arrow(t)``."""
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __len__(self) -> int: ...

class Data:
    """A data frame read into series."""
    warnings: list[str]
    @property
    def n_series(self) -> int: ...
    @property
    def freq(self) -> str: ...
    @property
    def roles(self) -> tuple[list[str], str, str]: ...
    def fingerprint(self, recipe: str) -> str: ...

class Model:
    """A model fitted to every series: Horizon's artifact."""
    @staticmethod
    def from_bytes(data: bytes, source: str = "model") -> "Model": ...
    def to_bytes(self) -> bytes: ...
    @property
    def model(self) -> str: ...
    @property
    def horizon(self) -> int: ...
    @property
    def levels(self) -> list[float]: ...
    @property
    def columns(self) -> tuple[list[str], str, str, list[str]]: ...
    @property
    def series(self) -> list[list[str]]: ...
    def predict(self, h: int, levels: Sequence[float], n_jobs: int = -1) -> tuple[ArrowTable, list[Failure]]: ...
    def forecast(
        self, data: Any, h: int, levels: Sequence[float], n_jobs: int = -1, source: str = "data frame"
    ) -> tuple[ArrowTable, list[Failure], list[str]]: ...

def read(
    data: Any,
    *,
    id_columns: Sequence[str],
    date_column: str,
    value_column: str,
    exog_columns: Optional[Sequence[str]] = None,
    freq: Optional[str] = None,
    season: Optional[int] = None,
    duplicates: Optional[str] = None,
    gaps: Optional[str] = None,
    source: str = "data frame",
) -> Data: ...
def forecast_models(
    data: Data,
    models: Sequence[str],
    h: int,
    levels: Sequence[float],
    season: Optional[int] = None,
    n_jobs: int = -1,
    future_drivers: Optional[bytes] = None,
) -> tuple[ArrowTable, list[Failure]]: ...
def cross_validation(
    data: Data,
    models: Sequence[str],
    h: int,
    n_windows: int,
    step_size: Optional[int] = None,
    levels: Sequence[float] = ...,
    season: Optional[int] = None,
    n_jobs: int = -1,
) -> ArrowTable: ...
def fit(
    data: Data,
    model: str,
    h: int,
    levels: Sequence[float],
    season: Optional[int] = None,
    n_jobs: int = -1,
    created_at: str = "",
) -> tuple[Model, list[Failure]]: ...
def predict_models(models: Sequence[Model], h: int, levels: Sequence[float], n_jobs: int = -1) -> tuple[ArrowTable, list[Failure]]: ...
def shard_rows(data: Any, id_columns: Sequence[str], count: int) -> ArrowTable: ...
def model_names() -> str: ...
