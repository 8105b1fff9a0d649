"""Viva Engage (Yammer) network data export (ZIP or folder) → posts and replies.

Reads only ``Messages.csv`` (``Users.csv`` holds names and e-mail addresses and is not
opened). A message whose ``id`` equals its ``thread_id`` starts the thread (a post); any
other is a reply to ``replied_to_id`` (or to the thread when that is empty). The export
has no likes and no reading data: for those use the Viva Engage usage report
(``m365_usage``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..events import EventBatch, micros
from ..registry import BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource, read_in_bulk, repeated

REQUIRED = ("id", "thread_id", "sender_id", "sender_type", "created_at")
OPTIONAL = ("replied_to_id", "group_id", "deleted_at", "in_private_conversation", "message_type")
COLUMNS = REQUIRED + OPTIONAL
EXPORT_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$"
TIME_EXPECTED = "a time such as '2019-03-14 13:21:40 UTC' or ISO 8601"


def yammer_micros(text: str) -> int:
    """Microseconds since the epoch of a Yammer export time.

    The export writes UTC times as ``2019-03-14 13:21:40 UTC``; the REST API's
    ``2019/03/14 13:21:40 +0000`` and ISO 8601 are accepted too, and a time without a
    zone is read as UTC (the export's zone).
    """
    text = text.strip()
    if text.endswith(" UTC"):
        text = text[:-4]
    if text[4:5] == "/":
        text = text.replace("/", "-", 2)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return micros(moment)


@register
class VivaEngageImporter(BaseImporter):
    name = "viva_engage"
    description = "Viva Engage / Yammer network data export (ZIP or folder with Messages.csv)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        with ExportSource(
            path,
            marker="Messages.csv",
            expected="a Viva Engage network data export: a ZIP file or folder with Messages.csv",
        ) as source:
            reader = CsvFile(source, "Messages.csv", context, REQUIRED)
            if not reader.ok:
                return
            size = source.size("Messages.csv")
            columns = [column for column in COLUMNS if column in reader.columns]
            done = yield from read_in_bulk(
                reader, columns, _bulk_batch, lambda position: context.progress(position, size)
            )
            if done is None:
                reader.close()
                context.progress(size, size)
                return
            yield from _messages(reader, size, context, done)


def _bulk_batch(batch: pa.RecordBatch, done: int) -> tuple[dict[str, int], EventBatch] | None:
    """The events of a batch of rows, exactly as :func:`_messages` makes them, or None if
    any row is malformed (or has a time in another format than the export's own)."""
    names = set(batch.schema.names)

    def column(name: str) -> pa.Array:
        return pc.utf8_trim_whitespace(batch.column(name))

    def lower(name: str) -> pa.Array | None:
        return pc.utf8_lower(column(name)) if name in names else None

    message_id, thread = column("id"), column("thread_id")
    if pc.any(pc.equal(message_id, "")).as_py() or pc.any(pc.equal(thread, "")).as_py():
        return None
    n = len(message_id)
    left = pa.array(np.zeros(n, dtype=bool))  # left out so far, in the order of _messages
    skipped: dict[str, int] = {}

    def leave_out(mask: pa.Array, reason: str) -> None:
        nonlocal left
        mask = pc.and_(mask, pc.invert(left))
        count = pc.sum(mask.cast(pa.int64())).as_py() or 0
        if count:
            skipped[reason] = skipped.get(reason, 0) + count
        left = pc.or_(left, mask)

    if "deleted_at" in names:
        leave_out(pc.not_equal(column("deleted_at"), ""), "deleted")
    sender_type = lower("sender_type")
    others = pc.and_(pc.not_equal(sender_type, "user"), pc.invert(left))
    for item in pc.value_counts(pc.filter(sender_type, others)).to_pylist():
        reason = f"sender_type_{item['values'] or 'empty'}"
        skipped[reason] = skipped.get(reason, 0) + item["counts"]
    left = pc.or_(left, others)
    if "in_private_conversation" in names:
        leave_out(pc.equal(lower("in_private_conversation"), "true"), "private_message")
    if "message_type" in names:
        leave_out(pc.equal(lower("message_type"), "system"), "system_message")
    keep = pc.invert(left)

    def kept(name: str) -> pa.Array:
        return pc.filter(column(name), keep)

    message_id, thread, sender = (
        pc.filter(message_id, keep),
        pc.filter(thread, keep),
        kept("sender_id"),
    )
    if pc.any(pc.equal(sender, "")).as_py():
        return None
    created = kept("created_at")
    if not pc.all(pc.match_substring_regex(created, EXPORT_TIME)).as_py():
        return None
    try:  # the same strict ISO reading as Python's fromisoformat
        ts = pc.utf8_slice_codeunits(created, 0, 19).cast(pa.timestamp("us")).cast(pa.int64())
    except pa.ArrowInvalid:
        return None  # a date that does not exist, such as 30 February
    is_post = pc.equal(message_id, thread)
    replied = kept("replied_to_id") if "replied_to_id" in names else None
    if replied is None:
        replied = repeated("", len(thread))
    parent = pc.if_else(pc.equal(replied, ""), thread, replied)
    parent = pc.if_else(is_post, pa.scalar(None, pa.string()), parent)
    if "group_id" in names:
        group = kept("group_id")
        group = pc.if_else(pc.equal(group, ""), pa.scalar(None, pa.string()), group)
    else:
        group = pa.nulls(len(thread), pa.string())
    action = pc.if_else(is_post, "post", "reply")
    return skipped, EventBatch(message_id, ts, sender, action, thread, parent, group)


def _messages(
    reader: CsvFile, size: int, context: ImportContext, start: int = 0
) -> Iterator[tuple]:
    columns, display = reader.columns, reader.display
    skip, malformed = context.skip, context.malformed
    i_id, i_thread, i_sender = columns["id"], columns["thread_id"], columns["sender_id"]
    i_type, i_created = columns["sender_type"], columns["created_at"]
    i_replied = columns.get("replied_to_id")
    i_group = columns.get("group_id")
    i_deleted = columns.get("deleted_at")
    i_private = columns.get("in_private_conversation")
    i_kind = columns.get("message_type")
    for count, (line, row) in enumerate(itertools.islice(reader.rows(), start, None), 1):
        if count % 50_000 == 0:
            context.progress(reader.position(), size)
        message_id, thread, sender = row[i_id].strip(), row[i_thread].strip(), row[i_sender]
        where = f"line {line}"
        if not message_id:
            malformed(display, where, "id", row[i_id], "a message id")
            continue
        if not thread:
            malformed(display, where, "thread_id", row[i_thread], "a thread id")
            continue
        if i_deleted is not None and row[i_deleted].strip():
            skip("deleted")
            continue
        sender_type = row[i_type].strip().lower()
        if sender_type != "user":
            skip(f"sender_type_{sender_type or 'empty'}")
            continue
        if i_private is not None and row[i_private].strip().lower() == "true":
            skip("private_message")
            continue
        if i_kind is not None and row[i_kind].strip().lower() == "system":
            skip("system_message")
            continue
        sender = sender.strip()
        if not sender:
            malformed(display, where, "sender_id", row[i_sender], "a user id")
            continue
        try:
            ts = yammer_micros(row[i_created])
        except ValueError:
            malformed(display, where, "created_at", row[i_created], TIME_EXPECTED)
            continue
        group = (row[i_group].strip() or None) if i_group is not None else None
        if message_id == thread:
            yield message_id, ts, sender, "post", thread, None, group
        else:
            parent = (row[i_replied].strip() if i_replied is not None else "") or thread
            yield message_id, ts, sender, "reply", thread, parent, group
    context.progress(size, size)
