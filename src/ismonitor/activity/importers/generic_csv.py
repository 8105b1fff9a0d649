"""Any activity CSV, described by a YAML column mapping → events.

For platforms without a public export format (Embrace, Plek, ViaDesk, Synigo, ...): the
mapping names the file's columns and how its action values translate, e.g.::

    columns:
      event_id: ID            # optional: without it, R1 is the first data row, R2 ...
      ts: Datum
      user: Medewerker-ID
      action: Soort
      thread: Onderwerp-ID    # optional, see below
      parent: Reactie op      # optional
      group: Groep            # optional
    ts_format: "%d-%m-%Y %H:%M"   # or iso (the default)
    timezone: Europe/Amsterdam    # for times without a zone (default UTC)
    actions: {Bericht: post, Reactie: reply, Like: react, Gelezen: read}
    skip: {Systeembericht: system_message}   # optional: values left out, with a reason
    delimiter: ";"                # default ","

A value of the action column that is in neither ``actions`` nor ``skip`` is malformed.
Without a ``thread`` column, a post starts its own thread and any other event joins the
thread of its ``parent`` (when the parent came earlier in the file; otherwise the
parent is taken to start the thread); a reply or reaction without a parent is about
its thread's first post. A read with neither belongs to no thread (``NO_THREAD``).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..events import NO_THREAD, EventBatch, micros
from ..registry import BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource, counting, read_in_bulk

BATCH = 65_536


class MappingError(ValueError):
    """A column mapping that cannot be used; the message names the key."""


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ts: str
    user: str
    action: str
    event_id: str | None = None
    thread: str | None = None
    parent: str | None = None
    group: str | None = None


class Mapping(BaseModel):
    """How to read one activity CSV."""

    model_config = ConfigDict(extra="forbid")

    columns: Columns
    actions: dict[str, Literal["post", "reply", "react", "read"]]
    skip: dict[str, str] = {}
    ts_format: str = "iso"
    timezone: str = "UTC"
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    @field_validator("actions")
    @classmethod
    def _some_actions(cls, actions: dict) -> dict:
        if not actions:
            raise ValueError("map at least one value of the action column to an action")
        return actions

    @field_validator("ts_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value != "iso" and "%" not in value:
            raise ValueError("expected 'iso' or a strptime format such as '%d-%m-%Y %H:%M'")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; expected e.g. Europe/Amsterdam"
            ) from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError("expected one character, such as ',' or ';'")
        return value

    @model_validator(mode="after")
    def _no_overlap(self) -> Mapping:
        both = set(self.actions) & set(self.skip)
        if both:
            raise ValueError(f"values both in actions and in skip: {sorted(both)}")
        return self


def load_mapping(mapping: Any) -> Mapping:
    """A :class:`Mapping` from a YAML file path, a dict, or a Mapping.

    Raises :class:`MappingError` naming the file and each wrong key
    (``columns.user: Field required``).
    """
    if isinstance(mapping, Mapping):
        return mapping
    source = "the mapping"
    if isinstance(mapping, str | Path):
        source = str(mapping)
        try:
            mapping = yaml.safe_load(Path(mapping).read_text(encoding="utf-8"))
        except OSError as exc:
            raise MappingError(f"{source}: cannot read the mapping ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise MappingError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(mapping, dict):
        raise MappingError(f"{source}: expected a mapping with columns, actions, ...")
    try:
        return Mapping.model_validate(mapping)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(top)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise MappingError(f"{source}: " + "; ".join(problems)) from None


@register
class CsvImporter(BaseImporter):
    name = "csv"
    description = "Any activity CSV, with a YAML mapping of its columns and action values"
    options = {"mapping": "the YAML column mapping (a path) or the same as a dict; required"}

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        if context.option("mapping") is None:
            raise MappingError("the csv importer needs options={'mapping': 'mapping.yaml'}")
        mapping = load_mapping(context.option("mapping"))
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".csv")]
            if source.is_single_file:
                names = source.names()
            if not names:
                context.malformed(str(path), None, None, None, "a CSV file, or a folder of them")
            total = sum(source.size(name) for name in names)
            done = 0
            for name in names:
                prefix = "R" if len(names) == 1 else f"{name}:R"
                progress = functools.partial(_progress, context, done, total)
                yield from _File(source, name, mapping, prefix, context, progress).events()
                done += source.size(name)
                context.progress(done, total)


def _progress(context: ImportContext, before: int, total: int, position: int) -> None:
    context.progress(before + position, total)


class _File:
    """One CSV file: read in bulk with pyarrow while every batch is valid, and line by
    line with the csv module from the first batch that is not, so that each problem is
    reported with its line. Both ways give the same events."""

    def __init__(
        self,
        source,
        name,
        mapping: Mapping,
        prefix: str,
        context: ImportContext,
        progress=lambda position: None,
    ):
        self.source, self.name, self.progress = source, name, progress
        self.mapping, self.prefix, self.context = mapping, prefix, context
        columns = mapping.columns
        self.mapped = {k: v for k, v in columns.model_dump().items() if v is not None}
        self.reader = CsvFile(
            source,
            name,
            context,
            tuple(self.mapped.values()),
            delimiter=mapping.delimiter,
            encoding=mapping.encoding,
        )
        self.index = {key: self.reader.columns.get(column) for key, column in self.mapped.items()}
        self.zone = ZoneInfo(mapping.timezone)
        self.thread_of: dict[str, str] | None = None if columns.thread else {}

    def events(self) -> Iterator[tuple | EventBatch]:
        if not self.reader.ok:
            return
        records = self.reader.rows()
        done = 0
        if self.mapping.encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
            done = yield from self._bulk()
            if done is None:
                self.reader.close()
                return
            records = itertools.islice(records, done, None)
        batch: list[tuple[int, int, list[str]]] = []
        for record, (line, row) in enumerate(records, done + 1):
            batch.append((record, line, row))
            if len(batch) == BATCH:
                yield from self._rows(batch)
                batch = []
                self.progress(self.reader.position())
        if batch:
            yield from self._rows(batch)

    # --- in bulk ------------------------------------------------------------------------

    def _bulk(self) -> Generator[EventBatch, None, int | None]:
        columns = list(dict.fromkeys(self.mapped.values()))
        return (yield from read_in_bulk(self.reader, columns, self._bulk_batch, self.progress))

    def _bulk_batch(self, batch: pa.RecordBatch, done: int):
        mapping = self.mapping

        def column(key: str) -> pa.Array:
            return pc.utf8_trim_whitespace(batch.column(self.mapped[key]))

        values = column("action")
        known = pc.is_valid(pc.index_in(values, value_set=pa.array(list(mapping.actions))))
        skipped: dict[str, int] = {}
        keep = None
        if not pc.all(known).as_py():
            skips = pc.is_in(values, value_set=pa.array(list(mapping.skip), pa.string()))
            if not pc.all(pc.or_(known, skips)).as_py():
                return None  # an unknown action: let the line-by-line reader name it
            counts = pc.value_counts(pc.filter(values, skips)).to_pylist()
            for item in counts:
                reason = mapping.skip[item["values"]]
                skipped[reason] = skipped.get(reason, 0) + item["counts"]
            keep = known
            values = pc.filter(values, keep)

        def kept(key: str) -> pa.Array:
            array = column(key)
            return pc.filter(array, keep) if keep is not None else array

        action = pa.array(list(mapping.actions.values())).take(
            pc.index_in(values, value_set=pa.array(list(mapping.actions)))
        )
        user = kept("user")
        if pc.any(pc.equal(user, "")).as_py():
            return None
        ts = _bulk_times(kept("ts"), mapping.ts_format, mapping.timezone)
        if ts is None:
            return None
        if "event_id" in self.mapped:
            event_id = kept("event_id")
            if pc.any(pc.equal(event_id, "")).as_py():
                return None
        else:
            positions = counting(done + 1, batch.num_rows)
            if keep is not None:
                positions = pc.filter(positions, keep)
            event_id = pc.binary_join_element_wise(self.prefix, positions.cast(pa.string()), "")
        parent = _empty_to_null(kept("parent")) if "parent" in self.mapped else None
        if parent is None:
            parent = pa.nulls(len(action), pa.string())
        group = _empty_to_null(kept("group")) if "group" in self.mapped else None
        if group is None:
            group = pa.nulls(len(action), pa.string())
        is_post, is_read = pc.equal(action, "post"), pc.equal(action, "read")
        if "thread" in self.mapped:
            given = kept("thread")
            empty = pc.equal(given, "")
            orphan = pc.and_(empty, pc.invert(pc.or_(is_post, pc.or_(parent.is_valid(), is_read))))
            if pc.any(orphan).as_py():
                return None  # a reply or reaction with neither thread nor parent
            derived = pc.if_else(
                is_post, event_id, pc.if_else(parent.is_valid(), parent, NO_THREAD)
            )
            thread = pc.if_else(empty, derived, given)
        else:
            thread = self._derive_threads(event_id, action, parent)
            if thread is None:
                return None
        answers = pc.or_(pc.equal(action, "reply"), pc.equal(action, "react"))
        parent = pc.if_else(pc.and_(answers, parent.is_null()), thread, parent)
        return skipped, EventBatch(event_id, ts, user, action, thread, parent, group)

    def _derive_threads(self, event_ids, actions, parents) -> pa.Array | None:
        """Threads from parents, in file order (as the line-by-line reader does)."""
        thread_of = self.thread_of
        found: dict[str, str] = {}  # merged into thread_of only if the whole batch is good
        threads = []
        for event_id, action, parent in zip(
            event_ids.to_pylist(), actions.to_pylist(), parents.to_pylist(), strict=True
        ):
            if action == "post":
                thread = event_id
            elif parent is not None:
                thread = found.get(parent) or thread_of.get(parent, parent)
            elif action == "read":
                thread = NO_THREAD
            else:
                return None
            found[event_id] = thread
            threads.append(thread)
        thread_of.update(found)
        return pa.array(threads, pa.string())

    # --- line by line -------------------------------------------------------------------

    def _rows(self, batch: list[tuple[int, int, list[str]]]) -> Iterator[tuple]:
        mapping, context, display = self.mapping, self.context, self.reader.display
        malformed, skip = context.malformed, context.skip
        actions, skips = mapping.actions, mapping.skip
        i_action, i_user, i_ts = self.index["action"], self.index["user"], self.index["ts"]
        expected_actions = ", ".join(repr(value) for value in [*actions, *skips])
        kept: list[tuple[int, int, list[str], str, str]] = []
        for record, line, row in batch:
            value = row[i_action].strip()
            action = actions.get(value)
            if action is None:
                if value in skips:
                    skip(skips[value])
                else:
                    column = mapping.columns.action
                    malformed(display, f"line {line}", column, value, f"one of {expected_actions}")
                continue
            user = row[i_user].strip()
            if not user:
                malformed(display, f"line {line}", mapping.columns.user, row[i_user], "a user")
                continue
            kept.append((record, line, row, action, user))
        texts = [row[i_ts].strip() for _, _, row, _, _ in kept]
        times = _bulk_times(pa.array(texts, pa.string()), mapping.ts_format, mapping.timezone)
        if times is not None:
            times = times.to_pylist()
        else:  # name every time that does not parse
            times = [
                self._time(text, line) for text, (_, line, *_) in zip(texts, kept, strict=True)
            ]
        i_id, i_thread = self.index.get("event_id"), self.index.get("thread")
        i_parent, i_group = self.index.get("parent"), self.index.get("group")
        thread_of, prefix = self.thread_of, self.prefix
        for (record, line, row, action, user), ts in zip(kept, times, strict=True):
            if ts is None:
                continue
            event_id = row[i_id].strip() if i_id is not None else f"{prefix}{record}"
            if not event_id:
                malformed(display, f"line {line}", mapping.columns.event_id, "", "an event id")
                continue
            parent = (row[i_parent].strip() or None) if i_parent is not None else None
            group = (row[i_group].strip() or None) if i_group is not None else None
            thread = row[i_thread].strip() if i_thread is not None else ""
            if not thread:
                if action == "post":
                    thread = event_id
                elif parent is not None:
                    thread = thread_of.get(parent, parent) if thread_of is not None else parent
                elif action == "read":
                    thread = NO_THREAD
                else:
                    malformed(
                        display,
                        f"line {line}",
                        mapping.columns.thread or mapping.columns.parent or "thread",
                        "",
                        f"a thread or parent for a {action}",
                    )
                    continue
            if parent is None and action in ("reply", "react"):
                parent = thread
            if thread_of is not None:
                thread_of[event_id] = thread
            yield event_id, ts, user, action, thread, parent, group

    def _time(self, text: str, line: int) -> int | None:
        fmt = self.mapping.ts_format
        try:
            moment = datetime.fromisoformat(text) if fmt == "iso" else datetime.strptime(text, fmt)
        except ValueError:
            expected = "an ISO 8601 time" if fmt == "iso" else f"a time in the format {fmt!r}"
            self.context.malformed(
                self.reader.display, f"line {line}", self.mapping.columns.ts, text, expected
            )
            return None
        if moment.tzinfo is None:
            local = moment.replace(tzinfo=self.zone)
            if local.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != moment:
                self.context.malformed(
                    self.reader.display,
                    f"line {line}",
                    self.mapping.columns.ts,
                    text,
                    f"a time that exists in {self.mapping.timezone} (this one falls in the "
                    "gap when the clocks go forward)",
                )
                return None
            moment = local
        return micros(moment)


def _empty_to_null(array: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


# The patterns of Python's strptime for these directives (CPython's _strptime.TimeRE).
# A format with other directives is parsed line by line, by Python.
_DIRECTIVES = {
    "Y": r"(?P<Y>\d\d\d\d)",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
}
_COMPONENTS = {
    "Y": pc.year,
    "m": pc.month,
    "d": pc.day,
    "H": pc.hour,
    "M": pc.minute,
    "S": pc.second,
}


@functools.lru_cache
def strptime_pattern(fmt: str) -> str | None:
    """The regular expression Python's strptime matches ``fmt`` with, or None when the
    format has a directive other than %Y %m %d %H %M %S, one twice, or lacks a date."""
    text = re.sub(r"([\\.^$*+?\(\){}\[\]|])", r"\\\1", fmt)  # escaped as Python does
    text = re.sub(r"\s+", r"\\s+", text)
    parts, seen = [], set()
    while "%" in text:
        at = text.index("%")
        directive = text[at + 1 : at + 2]
        if directive not in _DIRECTIVES or directive in seen:
            return None
        seen.add(directive)
        parts += [text[:at], _DIRECTIVES[directive]]
        text = text[at + 2 :]
    if not {"Y", "m", "d"} <= seen:
        return None  # Python and pyarrow fill in a missing date differently
    return "".join(parts) + text


# Each field at its full width: the first alternatives of the patterns above.
_FULL_WIDTH = {
    "Y": r"\d\d\d\d",
    "m": r"1[0-2]|0[1-9]",
    "d": r"3[0-1]|[1-2]\d|0[1-9]| [1-9]",
    "H": r"2[0-3]|[0-1]\d",
    "M": r"[0-5]\d",
    "S": r"6[0-1]|[0-5]\d",
}


@functools.lru_cache
def _full_width_layout(fmt: str) -> tuple[str, dict[str, int]] | None:
    """A pattern for texts with every field at full width (``01-03-2024 09:05``), and
    where each field starts; None for formats :func:`strptime_pattern` refuses."""
    if strptime_pattern(fmt) is None:
        return None
    pattern, starts, position, at = [], {}, 0, 0
    while at < len(fmt):
        if fmt[at] == "%":
            directive = fmt[at + 1]
            pattern.append(f"(?:{_FULL_WIDTH[directive]})")
            starts[directive] = position
            position += 4 if directive == "Y" else 2
            at += 2
        else:
            pattern.append(re.escape(fmt[at]))
            position += 1
            at += 1
    return "^" + "".join(pattern) + "$", starts


def _bulk_strptime(texts: pa.Array, fmt: str) -> pa.Array | None:
    """Naive timestamps as Python's strptime reads ``texts``, or None (read line by line).

    pyarrow's own strptime is laxer than Python's (31-02-2024 becomes 2 March, 01-03-24
    the year 24), so it is used only after checking the texts against Python's pattern.
    When every field is at full width, as in most exports, the fields are cut out by
    position and read as ISO 8601, which refuses dates that do not exist, as Python does.
    """
    layout = _full_width_layout(fmt)
    if layout is not None and pc.all(pc.match_substring_regex(texts, layout[0])).as_py():
        starts = layout[1]

        def field(directive: str, default: str):
            if directive not in starts:
                return default
            width = 4 if directive == "Y" else 2
            start = starts[directive]
            return pc.utf8_slice_codeunits(texts, start, start + width)

        day = pc.replace_substring(field("d", "01"), " ", "0")  # " 1" is the 1st
        iso = pc.binary_join_element_wise(
            field("Y", "1900"), "-", field("m", "01"), "-", day, "T",
            field("H", "00"), ":", field("M", "00"), ":", field("S", "00"), "",
        )  # fmt: skip
        try:
            naive = iso.cast(pa.timestamp("us"))
        except pa.ArrowInvalid:
            return None
    else:
        naive = _strptime_checked(texts, fmt)
    if naive is None or pc.min(pc.year(naive)).as_py() < 1:
        return None  # Python has no year 0
    return naive


def _strptime_checked(texts: pa.Array, fmt: str) -> pa.Array | None:
    """Naive timestamps as Python's strptime would read ``texts``, or None.

    For texts whose fields are not all at full width: accepted only if every text
    matches Python's own pattern for the format and every field read equals the field of
    pyarrow's result.
    """
    pattern = strptime_pattern(fmt)
    if pattern is None:
        return None
    # Python takes the first match from the start and then wants nothing left over;
    # RE2 finds the same first match (leftmost-first, as Perl and Python).
    fields = pc.extract_regex(texts, f"^(?P<all>{pattern})")
    if (
        fields.null_count
        or not pc.all(pc.equal(pc.utf8_length(fields.field("all")), pc.utf8_length(texts))).as_py()
    ):
        return None
    naive = pc.strptime(texts, format=fmt, unit="us", error_is_null=True)
    if naive.null_count:
        return None
    for name, component in _COMPONENTS.items():
        if f"(?P<{name}>" in pattern:
            read = pc.utf8_trim_whitespace(fields.field(name)).cast(pa.int64())
            if not pc.all(pc.equal(read, component(naive))).as_py():
                return None
    return naive


def _bulk_times(texts: pa.Array, fmt: str, zone: str) -> pa.Array | None:
    """Microseconds (int64) for each text, or None if any does not parse in bulk.

    Times without a zone are in ``zone``; in the hour that happens twice when the clocks
    go back the earlier one is taken (as Python does); a time in the hour skipped when
    they go forward does not parse.
    """
    if len(texts) == 0:
        return pa.array([], pa.int64())
    try:
        if fmt == "iso":
            try:
                parsed = texts.cast(pa.timestamp("us", tz="UTC"))
            except pa.ArrowInvalid:
                naive = texts.cast(pa.timestamp("us"))
                parsed = pc.assume_timezone(naive, zone, ambiguous="earliest")
        else:
            naive = _bulk_strptime(texts, fmt)
            if naive is None:
                return None
            parsed = pc.assume_timezone(naive, zone, ambiguous="earliest")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return parsed.cast(pa.int64())
