"""Data frames in and out: pandas, polars or pyarrow to one Arrow table with the types the core
reads (dates as date32, ids as text, numbers as float64), and result tables back to the
caller's library. Every step is a vectorised Arrow compute call: no Python object per row."""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import pyarrow as pa
import pyarrow.compute as pc


def _is_pandas(df: Any) -> bool:
    return type(df).__module__.startswith("pandas") and type(df).__name__ == "DataFrame"


def _is_polars(df: Any) -> bool:
    return type(df).__module__.startswith("polars") and type(df).__name__ == "DataFrame"


def to_table(df: Any) -> pa.Table:
    """The frame as a pyarrow table. A named pandas index (statsforecast's older layout keeps
    ``unique_id`` there) becomes a column; a default range index is dropped."""
    if isinstance(df, pa.Table):
        return df
    if _is_pandas(df):
        named = any(n is not None for n in df.index.names)
        return pa.Table.from_pandas(df.reset_index() if named else df, preserve_index=False)
    if _is_polars(df):
        return df.to_arrow()
    if hasattr(df, "__arrow_c_stream__"):
        return pa.table(df)
    raise TypeError(
        f"expected a pandas or polars DataFrame or a pyarrow Table, got {type(df).__module__}.{type(df).__name__}"
    )


def _dates(col: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    t = col.type
    if pa.types.is_dictionary(t):
        col, t = col.cast(t.value_type), t.value_type
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            # The calendar date where the sale happened, as a CSV of local times reads it.
            col = pc.local_timestamp(col)
        return pc.cast(col, pa.date32(), safe=False)
    if pa.types.is_date(t):
        return col.cast(pa.date32())
    if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
        return col.cast(pa.string())
    raise TypeError(f"the date column '{name}' has type {t}: give dates, timestamps or ISO date text")


def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
    return col.cast(pa.string())


def _is_number(t: pa.DataType) -> bool:
    # Booleans are not numbers here: a CSV's true/false column is not a driver either.
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def normalise(
    df: Any, id_cols: Sequence[str], time_col: str, target_col: str, exog: Sequence[str] | None = None
) -> pa.Table:
    """The columns the core reads, typed for it. Columns it cannot use are left out with a
    warning; a missing role column is left for the core to name with the frame's columns."""
    table = to_table(df)
    names, arrays, dropped = [], [], []
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if name == time_col:
            col = _dates(col, name)
        elif name in id_cols:
            col = _text(col)
        elif _is_number(t) or (pa.types.is_dictionary(t) and _is_number(t.value_type)):
            col = col.cast(pa.float64())
        elif name == target_col or (exog is not None and name in exog):
            pass  # the core names the column and its type
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t) or pa.types.is_boolean(t):
            col = _text(col)
        else:
            dropped.append(f"{name} ({t})")
            continue
        names.append(name)
        arrays.append(col)
    if dropped:
        warnings.warn(f"columns not used (not dates, text or numbers): {', '.join(dropped)}", stacklevel=3)
    return pa.table(arrays, names=names)


def restore_ids(result: Any, types: dict) -> pa.Table:
    """The result's id columns back in the input's types (an integer ``unique_id`` stays an
    integer, so the forecast joins the input)."""
    table = pa.table(result)
    for name, t in types.items():
        if name in table.column_names and table.schema.field(name).type != t:
            i = table.column_names.index(name)
            try:
                table = table.set_column(i, name, table[name].cast(t))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # text ids that do not go back (trimmed cells, say) stay text
    return table


def like(result: Any, template: Any, id_types: dict | None = None):
    """A result table (anything with ``__arrow_c_stream__``) in the library of ``template``:
    pandas (dates as datetime64[ns], as statsforecast gives them), polars, or pyarrow."""
    table = restore_ids(result, id_types or {})
    if _is_polars(template):
        import polars as pl

        return pl.from_arrow(table)
    if _is_pandas(template):
        out = table.to_pandas(date_as_object=False)
        for name, t in zip(table.column_names, table.schema.types):
            if pa.types.is_date(t):
                out[name] = out[name].astype("datetime64[ns]")
        return out
    return table
