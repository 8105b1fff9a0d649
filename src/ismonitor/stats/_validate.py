"""Input checks shared by the statistics modules: columns exist and hold numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np
import pandas as pd


def as_list(columns: str | Iterable[str] | None) -> list[str]:
    """One column name or several, as a list (``None`` is no columns)."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def check_frame(data: object) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    return data


def check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ValueError naming the first column that ``data`` does not have."""
    for column in columns:
        if column not in data.columns:
            known = ", ".join(repr(str(c)) for c in data.columns)
            raise ValueError(f"unknown column {column!r}; the data has {known}")
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise ValueError(f"column {column!r} is given twice")
        seen.add(column)


def _is_number(value: object) -> bool:
    # bool is a Real in Python; we accept it on purpose (a yes/no item scored 0/1).
    return isinstance(value, Real | np.number | np.bool_)


def numeric_series(values: pd.Series, name: str) -> pd.Series:
    """``values`` as float64 with NaN for missing; ValueError naming ``name`` and the value.

    Numeric, boolean and nullable dtypes convert directly. Other columns (text, object,
    category) are accepted only when every non-missing value is a number: a text answer
    such as ``"agree"`` or ``"3"`` is refused rather than guessed at.
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        out = pd.Series(
            values.to_numpy(dtype=float, na_value=np.nan), index=values.index, name=values.name
        )
    else:
        present = values[values.notna()]
        for value in present:
            if not _is_number(value):
                raise ValueError(f"column {name!r} is not numeric: it holds {value!r}")
        out = pd.Series(
            pd.to_numeric(values.astype(object), errors="raise").astype(float),
            index=values.index,
            name=values.name,
        )
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        bad = out[infinite].iloc[0]
        raise ValueError(f"column {name!r} holds an infinite value: {bad!r}")
    return out


def numeric_frame(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The named columns of ``data`` as float64 (checked with :func:`numeric_series`)."""
    check_frame(data)
    columns = list(columns)
    check_columns(data, columns)
    return pd.DataFrame(
        {column: numeric_series(data[column], column) for column in columns}, index=data.index
    )


def check_range(frame: pd.DataFrame, low: float, high: float) -> None:
    """Raise ValueError naming the first column with a value outside ``[low, high]``."""
    for column in frame.columns:
        values = frame[column]
        outside = values.notna() & ((values < low) | (values > high))
        if outside.any():
            bad = values[outside].iloc[0]
            raise ValueError(
                f"column {column!r} holds {bad:g}, outside the answer scale {low:g} to {high:g}"
            )
