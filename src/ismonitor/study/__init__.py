"""Responses as a table: one row per organisation per edition, columns named by item key."""

from .columns import META_COLUMNS, Column, Kind, columns
from .io import FORMATS, ResponsesFileError, read_raw, write
from .validate import (
    Problem,
    ResponsesError,
    Validation,
    answers_of,
    check_file,
    load_responses,
    read_numbers,
    row_from_answers,
    validate,
    visible_items,
)

__all__ = [
    "FORMATS",
    "META_COLUMNS",
    "Column",
    "Kind",
    "Problem",
    "ResponsesError",
    "ResponsesFileError",
    "Validation",
    "answers_of",
    "check_file",
    "columns",
    "load_responses",
    "read_numbers",
    "read_raw",
    "row_from_answers",
    "validate",
    "visible_items",
    "write",
]
