"""The event table (one row per post, reply, reaction or read) and its Parquet writers.

An importer yields rows; the writers here pseudonymise the user, check the row, and
write Parquet in row groups. A dataset directory holds::

    events/part-00000.parquet     EVENT_SCHEMA, one row per event
    period_counts/part-00000.parquet
                                  PERIOD_COUNTS_SCHEMA, per-user counts for a period
                                  (Microsoft 365 usage reports); empty for other platforms
    roster.parquet                optional: the intended audience (user_id + attributes)
    manifest.json                 what was imported: platform, counts, key fingerprint

Timestamps are UTC with microseconds. Rows reach the writers as plain tuples in the
order of :class:`Event` (or :class:`PeriodCount`), with ``ts`` as integer microseconds
since the Unix epoch, because building millions of small objects costs more than
parsing the export.
"""

from __future__ import annotations

import itertools
import os
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ACTIONS = ("post", "reply", "react", "read")
"""``post`` starts a thread; ``reply`` answers in one (comments too); ``react`` is a like,
reaction or vote; ``read`` a view or read."""

NO_THREAD = ""
"""``thread_id`` of a read that is about no one thread (a Discourse visit day)."""

TS_TYPE = pa.timestamp("us", tz="UTC")

EVENT_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("ts", TS_TYPE, nullable=False),
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("thread_id", pa.string(), nullable=False),
        pa.field("parent_id", pa.string()),
        pa.field("group_id", pa.string()),
    ]
)
"""The event table. ``user_id`` is a pseudonym (see :mod:`.pseudonym`); ``thread_id``
is the ``event_id`` of the thread's first post (:data:`NO_THREAD` for reads of no one
thread); ``parent_id`` what a reply, reaction or read is about. A ``thread_id`` or
``parent_id`` may name an event that is not in the table: one left out (a bot's
message that people reacted to) or outside the exported period."""

PERIOD_COUNTS_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("user_id", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
        pa.field("posts", pa.int64()),
        pa.field("replies", pa.int64()),
        pa.field("reactions", pa.int64()),
        pa.field("reads", pa.int64()),
    ]
)
"""Per-user counts for a period, both ends inclusive; a count is null where the report
does not have it."""

EVENTS_DIR = "events"
PERIOD_COUNTS_DIR = "period_counts"
ROSTER_FILE = "roster.parquet"
MANIFEST_FILE = "manifest.json"
PART_NAME = "part-{:05d}.parquet"

COMPRESSION = "zstd"

BATCH_ROWS = 262_144
"""Rows per Parquet row group, and per batch that the writer converts at once."""


class Event(NamedTuple):
    """One event as an importer yields it (a plain tuple in this order will do)."""

    event_id: str
    ts: int  # microseconds since 1970-01-01 UTC
    user: str  # the platform's own user identifier; the writer pseudonymises it
    action: str  # one of ACTIONS
    thread_id: str
    parent_id: str | None
    group_id: str | None


class PeriodCount(NamedTuple):
    """One row of per-user counts for a period (Microsoft 365 usage reports)."""

    platform: str
    user: str  # the platform's own identifier; the writer pseudonymises it
    period_start: date
    period_end: date
    posts: int | None
    replies: int | None
    reactions: int | None
    reads: int | None


class ImporterBug(RuntimeError):
    """An importer yielded a row that does not fit the table (a bug, not bad input)."""


# --- timestamps ---------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_fromisoformat = datetime.fromisoformat


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware ``datetime``."""
    return (moment - EPOCH) // _MICROSECOND


def iso_micros(text: str, *, naive_is_utc: bool = False) -> int:
    """Microseconds since the epoch of an ISO 8601 time such as ``2024-03-01T09:30:00Z``.

    Raises ``ValueError`` for anything else, and for a time without a zone unless
    ``naive_is_utc`` (for formats documented to be in UTC without saying so).
    """
    moment = _fromisoformat(text)
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"{text!r} has no time zone")
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // _MICROSECOND


def micros_to_datetime(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


# --- writers ------------------------------------------------------------------------


_UNIQUE_COLUMNS = frozenset({"event_id", "thread_id", "parent_id"})
_NO_DICTIONARY = _UNIQUE_COLUMNS | {"ts"}  # (times to the millisecond seldom repeat)
_NO_STATISTICS = _UNIQUE_COLUMNS | {"user_id"}  # (the order of pseudonyms means nothing)


class _PartWriter:
    """Writes record batches of one schema into ``directory/part-00000.parquet``.

    Each batch is encoded and compressed in a thread of its own (pyarrow lets go of the
    GIL), while the importer reads on; ``write`` first waits for the batch before, so
    that at most one is in flight, and an error in writing is raised by the next
    ``write`` or by ``close``. Before this process forks (importers parse in forked
    workers), every batch in flight is written first: no thread is inside pyarrow then.
    """

    def __init__(self, directory: Path, schema: pa.Schema):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / PART_NAME.format(0)
        self.schema = schema
        # Dictionaries only where values repeat, statistics (the least and greatest
        # value) only where they say something: for unique values a dictionary costs
        # more time than it saves space (and is given up at 1 MB), and so do statistics
        # of ids and pseudonyms.
        self._writer = pq.ParquetWriter(
            self.path,
            schema,
            compression=COMPRESSION,
            use_dictionary=[name for name in schema.names if name not in _NO_DICTIONARY],
            write_statistics=[name for name in schema.names if name not in _NO_STATISTICS],
        )
        self.rows = 0
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ismonitor-parquet")
        self._writing: Future | None = None
        _WRITERS.add(self)

    def write(
        self, arrays: list[pa.Array | pa.ChunkedArray], then: Callable[[], Any] | None = None
    ) -> None:
        """Write the columns as one row group (they may be in chunks: not copied); then,
        in the same thread, call ``then`` (work that may as well be done beside the
        reading)."""
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        self._wait()
        self._writing = self._thread.submit(self._write, table, then)
        self.rows += table.num_rows

    def _write(self, table: pa.Table, then: Callable[[], Any] | None) -> None:
        self._writer.write_table(table)
        if then is not None:
            then()

    def _wait(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def _settle(self) -> None:
        """Wait until the batch in flight is written (its error, if any, kept)."""
        if self._writing is not None:
            wait([self._writing])

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._thread.shutdown()
            _WRITERS.discard(self)
            # An empty table is still written (with its schema), so readers find both.
            self._writer.close()


_WRITERS: weakref.WeakSet[_PartWriter] = weakref.WeakSet()


def _before_fork() -> None:
    for writer in list(_WRITERS):
        writer._settle()


os.register_at_fork(before=_before_fork)


_ROW_TYPE = pa.struct(
    [
        ("event_id", pa.string()),
        ("ts", pa.int64()),
        ("user", pa.string()),
        ("action", pa.string()),
        ("thread_id", pa.string()),
        ("parent_id", pa.string()),
        ("group_id", pa.string()),
    ]
)
_REQUIRED = ("event_id", "ts", "user", "action", "thread_id")
_ACTION_SET = pa.array(ACTIONS, pa.string())


@dataclass
class EventBatch:
    """Events as columns, for importers that parse in bulk (see ``generic_csv``).

    Each field is a pyarrow array or a sequence of equal length, as in :class:`Event`:
    ``ts`` in integer microseconds since the epoch (or a UTC timestamp array), ``user``
    the platform's own identifier. An importer may yield these instead of rows.
    """

    event_id: Any
    ts: Any
    user: Any
    action: Any
    thread_id: Any
    parent_id: Any
    group_id: Any

    def __len__(self) -> int:
        return len(self.event_id)


def _column(values, name: str, type_: pa.DataType) -> pa.Array | pa.ChunkedArray:
    arrow = isinstance(values, pa.Array | pa.ChunkedArray)
    if arrow:
        if values.type == type_:
            return values
        if name == "ts" and pa.types.is_timestamp(values.type):
            return values.cast(TS_TYPE).cast(pa.int64())
    try:
        return values.cast(type_) if arrow else pa.array(values, type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ImporterBug(f"column {name}: expected {type_} ({exc})") from exc


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(9)], np.uint64)
"""Of 0 to 8 bytes of a little-endian 64-bit word, the mask that keeps only them."""


def string_hashes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of each string (a null hashes as the empty string does): equal
    strings have equal hashes, wherever they are (in whatever chunk, at whatever
    offset); different ones the same hash only by chance (about one pair in 2**64).
    Computed eight bytes at a time with numpy, which lets go of the GIL."""
    if isinstance(values, pa.ChunkedArray):
        parts = [string_hashes(chunk) for chunk in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    if values.type != pa.string():
        values = values.cast(pa.string())
    _, offsets_buffer, data_buffer = values.buffers()
    if len(values) == 0:
        return np.zeros(0, np.uint64)
    offsets = np.frombuffer(offsets_buffer, np.int32, len(values) + 1, values.offset * 4)
    offsets = offsets.astype(np.int64)
    first, size = int(offsets[0]), int(offsets[-1] - offsets[0])
    padded = np.zeros(size + 8, np.uint8)  # (so that every word read is in it)
    if size:
        padded[:size] = np.frombuffer(data_buffer, np.uint8, size, first)
    words = np.ndarray((size + 1,), np.dtype("<u8"), padded, 0, (1,))  # one at each byte
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    hashes = lengths.astype(np.uint64) * _M1
    for at in range(0, int(lengths.max()), 8):
        longer = lengths > at  # the strings with bytes from here (the others are done)
        rows = slice(None) if longer.all() else np.flatnonzero(longer)
        word = words[starts[rows] + at]
        word &= _LOW_BYTES[np.minimum(lengths[rows] - at, 8)]
        mixed = hashes[rows] ^ word
        mixed *= _M2
        mixed ^= mixed >> np.uint64(29)
        hashes[rows] = mixed
    # splitmix64's finaliser, so that every bit of the hash depends on every byte
    hashes ^= hashes >> np.uint64(30)
    hashes *= _M2
    hashes ^= hashes >> np.uint64(27)
    hashes *= _M3
    hashes ^= hashes >> np.uint64(31)
    return hashes


class _RepeatCheck:
    """Whether any value may come twice, from a 64-bit hash of each (eight bytes a
    value, not the values): no two hashes alike, no two values alike. Two alike say
    only that two values may be: then look at the values themselves."""

    def __init__(self):
        self._hashes: list[np.ndarray] = []

    def add(self, values: pa.Array | pa.ChunkedArray) -> None:
        self._hashes.append(string_hashes(values))

    def may_repeat(self) -> bool:
        if not self._hashes:
            return False
        hashes = np.concatenate(self._hashes)
        hashes.sort()  # (in place: 800 MB at a hundred million events)
        self._hashes = [hashes]
        return bool(np.any(hashes[1:] == hashes[:-1]))


class EventWriter:
    """Pseudonymises, checks and writes events to ``directory/events/``.

    ``write(rows)`` takes any iterable of :class:`Event`-shaped tuples (or
    :class:`EventBatch` objects) and may be called more than once; ``close()`` finishes
    the file. ``counts`` holds the events written per action; after ``close()``,
    ``may_repeat_ids()`` says whether an event id may have been written twice (if not,
    none was).
    """

    def __init__(
        self,
        directory: Path,
        platform: str,
        pseudonymise: Callable[[Iterable[str]], list[str]],
        batch_rows: int = BATCH_ROWS,
    ):
        self.platform = platform
        self._pseudonymise = pseudonymise
        self._batch_rows = batch_rows
        self._part = _PartWriter(Path(directory) / EVENTS_DIR, EVENT_SCHEMA)
        self._ids = _RepeatCheck()
        self.counts: Counter[str] = Counter()

    @property
    def path(self) -> Path:
        return self._part.path

    def write(self, rows: Iterable[tuple | EventBatch]) -> None:
        # Rows are written in batches of batch_rows; a column batch as it comes (after
        # the rows before it), so that a stream of large batches is never all in memory.
        limit = self._batch_rows
        pending: list[tuple] = []
        append = pending.append
        for item in rows:
            if type(item) is not EventBatch:
                append(item)
                if len(pending) == limit:
                    self._write_rows(pending)
                    pending.clear()
                continue
            if pending:
                self._write_rows(pending)
                pending.clear()
            self._write_columns([getattr(item, name) for name in _ROW_TYPE.names])
        if pending:
            self._write_rows(pending)

    def _write_rows(self, rows: list[tuple]) -> None:
        widths = set(map(len, rows))
        if widths != {7}:
            raise ImporterBug(f"event rows must have the 7 fields of Event, got {widths}")
        try:
            # One conversion in C++ is several times faster than splitting the tuples.
            array = pa.array(rows, type=_ROW_TYPE)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ImporterBug(f"event rows do not fit the Event fields ({exc})") from exc
        self._write_columns(array.flatten())

    def _write_columns(self, columns: list) -> None:
        arrays = [
            _column(values, field.name, field.type)
            for values, field in zip(columns, _ROW_TYPE, strict=True)
        ]
        lengths = {len(array) for array in arrays}
        if len(lengths) != 1:
            raise ImporterBug(f"event columns of different lengths {sorted(lengths)}")
        n = lengths.pop()
        if n == 0:
            return
        event_id, ts, user, action, thread, parent, group = arrays
        for name, array in zip(_ROW_TYPE.names, arrays, strict=True):
            if name in _REQUIRED and array.null_count:
                raise ImporterBug(f"column {name}: {array.null_count} rows without a value")
        if not pc.all(pc.is_in(action, value_set=_ACTION_SET)).as_py():
            unknown = pc.unique(pc.filter(action, pc.invert(pc.is_in(action, _ACTION_SET))))
            raise ImporterBug(f"unknown actions {unknown.to_pylist()}; expected {ACTIONS}")
        distinct = pc.unique(user)
        names = distinct.to_pylist()
        if "" in names:
            raise ImporterBug("column user: rows with an empty user")
        pseudonyms = pc.take(
            pa.array(self._pseudonymise(names), pa.string()), pc.index_in(user, distinct)
        )
        self._part.write(
            [
                pa.array([self.platform], pa.string()).take(np.zeros(n, np.int32)),
                event_id,
                ts.cast(TS_TYPE),
                pseudonyms,
                action,
                thread,
                parent,
                group,
            ],
            then=partial(self._ids.add, event_id),  # (beside the reading, in the thread)
        )
        for item in action.value_counts().to_pylist():
            self.counts[item["values"]] += item["counts"]

    def close(self) -> None:
        self._part.close()

    def may_repeat_ids(self) -> bool:
        """Whether an event id may have been written twice (from their hashes: if not,
        none was; if so, :func:`.dataset.check_unique_event_ids` says for sure)."""
        return self._ids.may_repeat()


class PeriodCountWriter:
    """Pseudonymises, checks and writes per-user period counts to ``period_counts/``.

    ``pseudonymisers`` maps a row's platform to the function that pseudonymises one of
    its users (a report names the platform it is about).
    """

    def __init__(
        self,
        directory: Path,
        pseudonymisers: Callable[[str], Callable[[str], str]],
        batch_rows: int = BATCH_ROWS,
    ):
        self._pseudonymisers = pseudonymisers
        self._batch_rows = batch_rows
        self._part = _PartWriter(Path(directory) / PERIOD_COUNTS_DIR, PERIOD_COUNTS_SCHEMA)

    @property
    def rows(self) -> int:
        return self._part.rows

    def write(self, rows: Iterable[tuple]) -> None:
        rows = iter(rows)
        while batch := list(itertools.islice(rows, self._batch_rows)):
            widths = set(map(len, batch))
            if widths != {8}:
                raise ImporterBug(
                    f"period rows must have the 8 fields of PeriodCount, got {widths}"
                )
            platforms, users, starts, ends, *counts = zip(*batch, strict=True)
            pseudonyms = [
                self._pseudonymisers(platform)(user)
                for platform, user in zip(platforms, users, strict=True)
            ]
            arrays = [
                _column(platforms, "platform", pa.string()),
                pa.array(pseudonyms, pa.string()),
                pa.array(starts, pa.date32()),
                pa.array(ends, pa.date32()),
            ]
            arrays += [pa.array(column, pa.int64()) for column in counts]
            self._part.write(arrays)

    def close(self) -> None:
        self._part.close()


def write_events(
    rows: Iterable[tuple],
    directory: str | Path,
    *,
    platform: str,
    pseudonymise: Callable[[Iterable[str]], list[str]],
) -> Counter[str]:
    """Write ``rows`` to ``directory/events/part-00000.parquet``; return counts per action.

    A convenience over :class:`EventWriter` for tests and notebooks; it writes in place,
    while :func:`ismonitor.activity.import_export` writes a whole dataset atomically.
    """
    writer = EventWriter(Path(directory), platform, pseudonymise)
    try:
        writer.write(rows)
    finally:
        writer.close()
    return writer.counts
