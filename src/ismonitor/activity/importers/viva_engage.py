"""Viva Engage (Yammer) network data export (ZIP or folder) → posts and replies.

Reads only ``Messages.csv`` (``Users.csv`` holds names and e-mail addresses and is not
opened). A message whose ``id`` equals its ``thread_id`` starts the thread (a post); any
other is a reply to ``replied_to_id`` (or to the thread when that is empty). The export
has no likes and no reading data: for those use the Viva Engage usage report
(``m365_usage``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..events import micros
from ..registry import BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource

REQUIRED = ("id", "thread_id", "sender_id", "sender_type", "created_at")
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
            yield from _messages(reader, source.size("Messages.csv"), context)


def _messages(reader: CsvFile, size: int, context: ImportContext) -> Iterator[tuple]:
    columns, display = reader.columns, reader.display
    skip, malformed = context.skip, context.malformed
    i_id, i_thread, i_sender = columns["id"], columns["thread_id"], columns["sender_id"]
    i_type, i_created = columns["sender_type"], columns["created_at"]
    i_replied = columns.get("replied_to_id")
    i_group = columns.get("group_id")
    i_deleted = columns.get("deleted_at")
    i_private = columns.get("in_private_conversation")
    i_kind = columns.get("message_type")
    for count, (line, row) in enumerate(reader.rows(), 1):
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
