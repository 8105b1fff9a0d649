"""Microsoft Teams channel messages from Microsoft Graph (``chatMessage`` JSON) → events.

Reads one JSON file, or a folder or ZIP of them, each holding a Graph page
(``{"value": [...]}``), an array of messages, or one message. Replies may be nested under
``replies`` (``$expand=replies``) or be messages of their own with ``replyToId``; a
message found twice (both ways, or in overlapping pages) is imported once and the copy
counted as skipped ``duplicate``. A message with ``replyToId`` is a reply in the thread
of that channel post. Reactions have their own time and user.

The event id is ``<channelId>:<message id>``: Teams message ids are unique only within
their channel.

Files are read in bulk: parsed with orjson, a group of files at a time, their times read
together with pyarrow. A file with anything unusual in it (a malformed message, a time
in another form than Graph's own, a value orjson may read otherwise than ``json``) is
read again message by message, exactly as :func:`_message` reads it, naming each problem.
Both ways give the same events in the same order, and the same counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ..events import EventBatch, iso_micros
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import (
    NOT_JSON,
    EventColumns,
    ExportSource,
    bulk_iso_micros,
    collector_paused,
    fast_json,
    load_json,
)

TIME_EXPECTED = "an ISO 8601 time such as '2024-03-01T09:30:00.123Z'"


@register
class TeamsImporter(BaseImporter):
    name = "teams"
    description = "Microsoft Teams channel messages from Graph (chatMessage JSON files)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        seen: set[str] = set()
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".json")]
            if not names:
                context.malformed(str(path), None, None, None, "Graph chatMessage JSON files")
            columns = EventColumns()
            group = _Group(seen)
            for done, name in enumerate(names):
                with collector_paused():
                    data = fast_json(source.read(name))
                    taken = group.add(done, name, data) if data is not NOT_JSON else False
                    data = None  # let it go before the events are written
                if taken:
                    if group.events >= GROUP_EVENTS:
                        yield from _bulk(group, source, names, seen, columns, context)
                        group = _Group(seen)
                    continue
                # Anything unusual in this file: what came before in bulk (or line by
                # line), then this file line by line, naming each problem.
                yield from _bulk(group, source, names, seen, columns, context)
                group = _Group(seen)
                yield from columns.flush()
                yield from _line_by_line(source, name, done, len(names), seen, context)
            yield from _bulk(group, source, names, seen, columns, context)
            yield from columns.flush()


def _line_by_line(source, name: str, done: int, total: int, seen: set, context) -> Iterator[tuple]:
    """The rows of one file, read with ``json`` and message by message, naming each
    problem."""
    data = load_json(source, name, context)
    display = source.display(name)
    if data is None:
        return
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        messages, prefix = data["value"], "value"
    elif isinstance(data, list):
        messages, prefix = data, ""
    elif isinstance(data, dict) and "id" in data:
        messages, prefix = [data], None
    else:
        context.malformed(
            display,
            None,
            None,
            None,
            'a Graph page {"value": [...]}, an array of messages or one message',
        )
        return
    for index, message in enumerate(messages):
        where = "$" if prefix is None else f"${'.' + prefix if prefix else ''}[{index}]"
        yield from _message(message, None, display, where, seen, context)
    context.progress(done + 1, total)


GROUP_EVENTS = 50_000
"""Events gathered before their times are read together."""


def _bulk(group: _Group, source, names, seen, columns: EventColumns, context):
    """The events of a group of files: in bulk if nothing in them is unusual, else line by
    line (from what had been seen before the group)."""
    if not group.files:
        return
    ts = bulk_iso_micros(group.times)
    if ts is None:
        yield from columns.flush()
        for done, name in group.files:
            yield from _line_by_line(source, name, done, len(names), seen, context)
        return
    seen |= group.seen
    for reason, number in group.skipped.items():
        context.skip(reason, number)
    yield from columns.add(
        [
            pa.array(group.ids, pa.string()),
            ts,
            pa.array(group.users, pa.string()),
            pa.array(group.actions, pa.string()),
            pa.array(group.threads, pa.string()),
            pa.array(group.parents, pa.string()),
            pa.array(group.channels, pa.string()),
        ]
    )
    for done, _ in group.files:
        context.progress(done + 1, len(names))


class _Unusual(Exception):
    """Something in a file that the line-by-line reading must see (and name)."""


class _Group:
    """The events of a group of files, gathered message by message exactly as
    :func:`_message` makes them, with their times as text (read together at the end).
    Changes nothing (``seen``) until :func:`_bulk` takes the events."""

    def __init__(self, seen: set[str]):
        self.previously_seen = seen
        self.seen: set[str] = set()
        self.files: list[tuple[int, str]] = []
        self.skipped: Counter[str] = Counter()
        self.ids: list[str] = []
        self.times: list[str] = []
        self.users: list[str] = []
        self.actions: list[str] = []
        self.threads: list[str] = []
        self.parents: list = []
        self.channels: list[str] = []
        self.events = 0
        self.added: list[str] = []  # event ids the file being taken in adds to seen
        self.counted: Counter[str] = Counter()  # what it leaves out

    def add(self, done: int, name: str, data) -> bool:
        """Take in one file (as orjson read it); False, taking nothing, if anything in it
        is unusual."""
        if type(data) is dict and type(data.get("value")) is list:
            messages = data["value"]
        elif type(data) is list:
            messages = data
        elif type(data) is dict and "id" in data:
            messages = [data]
        else:
            return False
        before = len(self.ids)
        self.added, self.counted = [], Counter()
        try:
            for message in messages:
                self._message(message, None)
        except _Unusual:
            for column in self._columns():
                del column[before:]
            self.seen.difference_update(self.added)
            return False
        self.skipped.update(self.counted)
        self.files.append((done, name))
        self.events = len(self.ids)
        return True

    def _columns(self) -> tuple[list, ...]:
        return (
            self.ids,
            self.times,
            self.users,
            self.actions,
            self.threads,
            self.parents,
            self.channels,
        )

    def _message(self, message, post: tuple[str, str] | None) -> None:
        if type(message) is not dict:
            raise _Unusual
        message_id = message.get("id")
        if type(message_id) is not str or not message_id:
            raise _Unusual
        identity = message.get("channelIdentity") or {}
        channel = identity.get("channelId") if type(identity) is dict else None
        if not channel and post is not None:
            channel = post[0]
        if not channel:
            if not message.get("chatId"):
                raise _Unusual
            self.counted["chat_message"] += 1
            return
        if type(channel) is not str:
            raise _Unusual
        event_id = f"{channel}:{message_id}"
        if event_id in self.previously_seen or event_id in self.seen:
            self.counted["duplicate"] += 1
            return
        self.seen.add(event_id)
        self.added.append(event_id)
        reply_to = message.get("replyToId") or (post[1] if post is not None else None)
        if reply_to:
            if type(reply_to) is not str:
                raise _Unusual
            action, thread = "reply", f"{channel}:{reply_to}"
            parent = thread
        else:
            action, thread, parent = "post", event_id, None

        kind = message.get("messageType")
        if kind is not None and type(kind) is not str:
            raise _Unusual
        sender = message.get("from") or {}
        user = sender.get("user") if type(sender) is dict else None
        if kind != "message":
            self.counted[
                "system_message" if kind == "systemEventMessage" else f"message_type_{kind}"
            ] += 1
        elif message.get("deletedDateTime"):
            self.counted["deleted"] += 1
        elif not user:
            if not (type(sender) is dict and sender.get("application")):
                raise _Unusual
            self.counted["bot_message"] += 1
        else:
            user_id = user.get("id") if type(user) is dict else None
            if type(user_id) is not str or not user_id:
                raise _Unusual
            self._event(
                event_id, message.get("createdDateTime"), user_id, action, thread, parent, channel
            )

        reactions = message.get("reactions") or ()
        if type(reactions) is not list and reactions != ():
            raise _Unusual
        for number, reaction in enumerate(reactions):
            if type(reaction) is not dict:
                raise _Unusual
            identity = reaction.get("user") or {}
            if type(identity) is dict and not identity.get("user") and identity.get("application"):
                self.counted["bot_reaction"] += 1
                continue
            reactor = identity.get("user") if type(identity) is dict else None
            reactor_id = reactor.get("id") if type(reactor) is dict else None
            if type(reactor_id) is not str or not reactor_id:
                raise _Unusual
            self._event(
                f"{event_id}:react:{number}",
                reaction.get("createdDateTime"),
                reactor_id,
                "react",
                thread,
                event_id,
                channel,
            )

        replies = message.get("replies")
        if replies:
            if type(replies) is not list:
                raise _Unusual
            for reply in replies:
                self._message(reply, (channel, message_id))

    def _event(self, event_id, created, user, action, thread, parent, channel) -> None:
        self.ids.append(event_id)
        self.times.append(created)  # checked, and read, with the others at the end
        self.users.append(user)
        self.actions.append(action)
        self.threads.append(thread)
        self.parents.append(parent)
        self.channels.append(channel)


def _message(
    message, post: tuple[str, str] | None, display: str, where: str, seen: set, context
) -> Iterator[tuple]:
    """Rows for one message and its nested replies; ``post`` is (channel, id) of the
    post a nested reply belongs to."""
    malformed, skip = context.malformed, context.skip
    if type(message) is not dict:
        malformed(display, where, None, message, "a chatMessage object")
        return
    message_id = message.get("id", MISSING)
    if type(message_id) is not str or not message_id:
        malformed(display, where, "id", message_id, "a message id")
        return
    identity = message.get("channelIdentity") or {}
    channel = identity.get("channelId") if type(identity) is dict else None
    if not channel and post is not None:
        channel = post[0]
    if not channel:
        if message.get("chatId"):
            skip("chat_message")
        else:
            malformed(display, where, "channelIdentity.channelId", MISSING, "a channel id")
        return
    event_id = f"{channel}:{message_id}"
    if event_id in seen:
        skip("duplicate")
        return
    seen.add(event_id)

    reply_to = message.get("replyToId") or (post[1] if post is not None else None)
    if reply_to:
        action, thread = "reply", f"{channel}:{reply_to}"
        parent = thread
    else:
        action, thread, parent = "post", event_id, None

    kind = message.get("messageType")
    sender = message.get("from") or {}
    user = sender.get("user") if type(sender) is dict else None
    if kind != "message":
        skip("system_message" if kind == "systemEventMessage" else f"message_type_{kind}")
    elif message.get("deletedDateTime"):
        skip("deleted")
    elif not user:
        if type(sender) is dict and sender.get("application"):
            skip("bot_message")
        else:
            malformed(display, where, "from.user.id", MISSING, "the sender's user id")
            return
    else:
        user_id = user.get("id") if type(user) is dict else None
        created = message.get("createdDateTime", MISSING)
        if type(user_id) is not str or not user_id:
            malformed(display, where, "from.user.id", user_id, "the sender's user id")
            return
        try:
            ts = iso_micros(created)
        except (TypeError, ValueError):
            malformed(display, where, "createdDateTime", created, TIME_EXPECTED)
            return
        yield event_id, ts, user_id, action, thread, parent, channel

    # Reactions are the reacting people's activity, kept whatever became of the message.
    for number, reaction in enumerate(message.get("reactions") or ()):
        at = f"{where}.reactions[{number}]"
        if type(reaction) is not dict:
            malformed(display, at, None, reaction, "a reaction object")
            continue
        identity = reaction.get("user") or {}
        if type(identity) is dict and not identity.get("user") and identity.get("application"):
            skip("bot_reaction")
            continue
        reactor = identity.get("user") if type(identity) is dict else None
        reactor_id = reactor.get("id") if type(reactor) is dict else None
        if type(reactor_id) is not str or not reactor_id:
            malformed(display, at, "user.user.id", reactor_id, "the reacting user's id")
            continue
        created = reaction.get("createdDateTime", MISSING)
        try:
            ts = iso_micros(created)
        except (TypeError, ValueError):
            malformed(display, at, "createdDateTime", created, TIME_EXPECTED)
            continue
        yield f"{event_id}:react:{number}", ts, reactor_id, "react", thread, event_id, channel

    replies = message.get("replies")
    if replies:
        if type(replies) is not list:
            malformed(display, where, "replies", replies, "a list of replies")
            return
        for number, reply in enumerate(replies):
            yield from _message(
                reply, (channel, message_id), display, f"{where}.replies[{number}]", seen, context
            )
