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
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
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


class _PartWriter:
    """Writes record batches of one schema into ``directory/part-00000.parquet``."""

    def __init__(self, directory: Path, schema: pa.Schema):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / PART_NAME.format(0)
        self.schema = schema
        self._writer = pq.ParquetWriter(self.path, schema, compression=COMPRESSION)
        self.rows = 0

    def write(self, arrays: list[pa.Array]) -> None:
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        # An empty table is still written (with its schema), so readers find both tables.
        self._writer.close()


def _strings(values, name: str, nullable: bool) -> pa.Array:
    try:
        array = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ImporterBug(f"column {name}: expected strings ({exc})") from exc
    if not nullable and array.null_count:
        raise ImporterBug(f"column {name}: {array.null_count} rows without a value")
    return array


class EventWriter:
    """Pseudonymises, checks and writes events to ``directory/events/``.

    ``write(rows)`` takes any iterable of :class:`Event`-shaped tuples and may be called
    more than once; ``close()`` finishes the file. ``counts`` holds the events written
    per action.
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
        self.counts: Counter[str] = Counter()

    @property
    def path(self) -> Path:
        return self._part.path

    def write(self, rows: Iterable[tuple]) -> None:
        rows = iter(rows)
        while batch := list(itertools.islice(rows, self._batch_rows)):
            self._write_batch(batch)

    def _write_batch(self, batch: list[tuple]) -> None:
        widths = set(map(len, batch))
        if widths != {7}:
            raise ImporterBug(f"event rows must have the 7 fields of Event, got {widths}")
        event_ids, ts, users, actions, threads, parents, groups = zip(*batch, strict=True)
        counts = Counter(actions)
        unknown = counts.keys() - set(ACTIONS)
        if unknown:
            raise ImporterBug(f"unknown actions {sorted(map(str, unknown))}; expected {ACTIONS}")
        try:
            ts_array = pa.array(ts, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ImporterBug(f"column ts: expected integer microseconds ({exc})") from exc
        if ts_array.null_count:
            raise ImporterBug(f"column ts: {ts_array.null_count} rows without a value")
        if None in users or "" in users:
            raise ImporterBug("column user: rows without a user")
        n = len(batch)
        self._part.write(
            [
                pa.array([self.platform] * n, pa.string()),
                _strings(event_ids, "event_id", nullable=False),
                ts_array.cast(TS_TYPE),
                pa.array(self._pseudonymise(users), pa.string()),
                pa.array(actions, pa.string()),
                _strings(threads, "thread_id", nullable=False),
                _strings(parents, "parent_id", nullable=True),
                _strings(groups, "group_id", nullable=True),
            ]
        )
        self.counts.update(counts)

    def close(self) -> None:
        self._part.close()


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
                _strings(platforms, "platform", nullable=False),
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
