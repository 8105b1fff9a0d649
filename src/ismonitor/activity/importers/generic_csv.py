"""Any activity CSV, described by a YAML column mapping → events.

For platforms without a public export format (Embrace, Plek, ViaDesk, Synigo, ...): the
mapping names the file's columns and how its action values translate, e.g.::

    columns:
      event_id: ID            # optional: without it an event is named by its line
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

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..events import NO_THREAD, micros
from ..registry import BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource

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

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        if context.option("mapping") is None:
            raise MappingError("the csv importer needs options={'mapping': 'mapping.yaml'}")
        mapping = load_mapping(context.option("mapping"))
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".csv")]
            if source.is_single_file:
                names = source.names()
            if not names:
                context.malformed(str(path), None, None, None, "a CSV file, or a folder of them")
            for done, name in enumerate(names):
                prefix = "L" if len(names) == 1 else f"{name}:L"
                yield from _File(source, name, mapping, prefix, context).events()
                context.progress(done + 1, len(names))


class _File:
    def __init__(self, source, name, mapping: Mapping, prefix: str, context: ImportContext):
        self.mapping, self.prefix, self.context = mapping, prefix, context
        columns = mapping.columns
        mapped = {key: value for key, value in columns.model_dump().items() if value is not None}
        self.reader = CsvFile(
            source,
            name,
            context,
            tuple(mapped.values()),
            delimiter=mapping.delimiter,
            encoding=mapping.encoding,
        )
        self.index = {key: self.reader.columns.get(column) for key, column in mapped.items()}
        self.zone = ZoneInfo(mapping.timezone)
        self.thread_of: dict[str, str] | None = None if columns.thread else {}

    def events(self) -> Iterator[tuple]:
        if not self.reader.ok:
            return
        batch: list[tuple[int, list[str]]] = []
        for item in self.reader.rows():
            batch.append(item)
            if len(batch) == BATCH:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, batch: list[tuple[int, list[str]]]) -> Iterator[tuple]:
        mapping, context, display = self.mapping, self.context, self.reader.display
        malformed, skip = context.malformed, context.skip
        actions, skips = mapping.actions, mapping.skip
        i_action, i_user, i_ts = self.index["action"], self.index["user"], self.index["ts"]
        expected_actions = ", ".join(repr(value) for value in [*actions, *skips])
        kept: list[tuple[int, list[str], str, str]] = []
        for line, row in batch:
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
            kept.append((line, row, action, user))
        times = self._times([row[i_ts].strip() for _, row, _, _ in kept], kept)
        i_id, i_thread = self.index.get("event_id"), self.index.get("thread")
        i_parent, i_group = self.index.get("parent"), self.index.get("group")
        thread_of, prefix = self.thread_of, self.prefix
        for (line, row, action, user), ts in zip(kept, times, strict=True):
            if ts is None:
                continue
            event_id = row[i_id].strip() if i_id is not None else f"{prefix}{line}"
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

    def _times(self, texts: list[str], kept: list) -> list[int | None]:
        """Microseconds for each text, parsed in bulk; None where malformed (reported)."""
        if not texts:
            return []
        fmt, zone = self.mapping.ts_format, self.mapping.timezone
        array = pa.array(texts, pa.string())
        parsed = None
        try:
            if fmt == "iso":
                try:
                    parsed = array.cast(pa.timestamp("us", tz="UTC"))
                except pa.ArrowInvalid:
                    parsed = pc.assume_timezone(
                        array.cast(pa.timestamp("us")), zone, ambiguous="earliest"
                    )
            elif "%z" not in fmt and "%f" not in fmt:
                naive = pc.strptime(array, format=fmt, unit="us", error_is_null=True)
                if naive.null_count == 0:
                    parsed = pc.assume_timezone(naive, zone, ambiguous="earliest")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            parsed = None
        if parsed is not None:
            return parsed.cast(pa.int64()).to_pylist()
        # Something in this batch did not parse in bulk: go row by row, naming each one.
        return [self._time(text, line) for text, (line, *_) in zip(texts, kept, strict=True)]

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
