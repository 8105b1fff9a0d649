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

A large export is parsed in worker processes, a chunk of files each (see
``_common.import_workers``). A worker does not know the messages of the chunks before
its own: the main process leaves out what a worker took that had been seen before (a
message found again, with its reactions and nested replies, as one duplicate) and reads
again, itself, a group where that is not enough (rare: a reply left out as a duplicate
of one nested in a message that was itself a duplicate) and every file a worker found
unusual. The dataset is the same whatever the number of processes.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np
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
    import_workers,
    in_chunks,
    in_order,
    load_json,
    source_in_worker,
)

TIME_EXPECTED = "an ISO 8601 time such as '2024-03-01T09:30:00.123Z'"


@register
class TeamsImporter(BaseImporter):
    name = "teams"
    description = "Microsoft Teams channel messages from Graph (chatMessage JSON files)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".json")]
            if not names:
                context.malformed(str(path), None, None, None, "Graph chatMessage JSON files")
            files = list(enumerate(names))
            sizes = [source.size(name) for name in names]
            workers = import_workers(sum(sizes), context)
            chunks = in_chunks(sizes, CHUNK_BYTES)
            reader = _Reader(source, context, len(names))
            if workers == 1 or len(chunks) == 1:
                for segment in _segments(source, reader.seen, files):
                    yield from reader.take(segment)
            else:  # chunks of files parsed in worker processes, handed on in order
                tasks = [(str(path), files[chunk]) for chunk in chunks]
                for segments in in_order(_segments_in_worker, tasks, workers):
                    for segment in segments:
                        yield from reader.take_from_worker(segment)
            yield from reader.columns.flush()


CHUNK_BYTES = 16 << 20
"""Files handed to a worker process at a time (when there are workers)."""

GROUP_EVENTS = 50_000
"""Events gathered before their times are read together."""


def _segments(
    source: ExportSource, seen: set[str], files: list[tuple[int, str]], spans: bool = False
) -> Iterator:
    """The files in order, in groups: ``("bulk", files, skipped, events, book)`` for a
    group read in bulk (``book``: what :func:`_reconciled` needs, with ``spans`` when
    made in a worker process), ``("lines", [file])``
    for a file to be read message by message (in this process, which reports each
    problem). ``seen`` holds the event ids of the files before, as the one reading the
    segments keeps it: it adds a bulk group's ids before asking for the next segment.

    Which files are read message by message depends on nothing but each file and what
    was seen before it (not on the groups), so that the events come in the same batches
    however the files are split among processes."""
    start = 0
    while start < len(files):
        group = _Group(seen, spans)
        index, unusual = start, None
        while index < len(files):
            done, name = files[index]
            index += 1
            with collector_paused():
                data = fast_json(source.read(name))
                taken = data is not NOT_JSON and group.add(done, name, data)
                data = None  # let it go before the events are made
            if not taken:
                unusual = (done, name)
                break
            if group.events >= GROUP_EVENTS:
                break
        if group.files:
            segment = group.segment()
            if segment is None:  # a time in another form: the first file with one
                bad = group.first_with_unusual_times()
                files_before, group = group.files[:bad], None
                yield from _segments(source, seen, files_before, spans)  # again, all usual
                yield ("lines", [files[start + bad]])
                start += bad + 1
                continue
            group = None
            yield segment
        if unusual is not None:
            yield ("lines", [unusual])
        start = index


def _segments_in_worker(task: tuple) -> list[tuple]:
    """:func:`_segments` of one chunk of files, in a worker process, knowing only what
    this chunk's own groups saw (the main process checks the rest: :func:`_reconciled`)."""
    path, files = task
    source = source_in_worker(path, None)
    seen: set[str] = set()
    segments = []
    for segment in _segments(source, seen, files, spans=True):
        if segment[0] == "bulk":
            seen.update(segment[4][0])
            events = segment[3]
            for column in _REPEATING:  # to hand on: a third of the bytes
                events[column] = events[column].dictionary_encode()
        segments.append(segment)
    return segments


_REPEATING = (2, 3, 4, 5, 6)
"""The event columns whose values repeat (user, action, thread, parent, channel): a
worker hands them on dictionary-encoded, which halves the bytes pickled and sent (and
the work of copying them, which is more than that of encoding and decoding)."""


class _Reader:
    """Takes the segments in order: counts, events, progress, and the event ids seen."""

    def __init__(self, source: ExportSource, context: ImportContext, total: int):
        self.source, self.context, self.total = source, context, total
        self.seen: set[str] = set()
        self.columns = EventColumns()

    def take(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        context = self.context
        if segment[0] == "bulk":
            _, files, skipped, events, book = segment
            self.seen.update(book[0])
            for reason, number in skipped.items():
                context.skip(reason, number)
            yield from self.columns.add(events)
            for done, _ in files:
                context.progress(done + 1, self.total)
            return
        # Anything unusual in this file: what came before, then this file message by
        # message, naming each problem.
        yield from self.columns.flush()
        for done, name in segment[1]:
            yield from _line_by_line(self.source, name, done, self.total, self.seen, context)

    def take_from_worker(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        """A segment made in a worker process, which did not know the ids the files
        before its chunk hold: as it is where that changes nothing, else with the
        messages seen before left out, else (rarely) read again here."""
        checked = None
        if segment[0] == "bulk":
            events = segment[3]
            for column in _REPEATING:
                events[column] = events[column].dictionary_decode()
            checked = _reconciled(segment, self.seen)
        if checked is not None:
            yield from self.take(checked)
            return
        for again in _segments(self.source, self.seen, segment[1]):
            yield from self.take(again)


def _reconciled(segment: tuple, seen: set[str]) -> tuple | None:
    """A bulk segment made without knowing ``seen``, as if made knowing it: a message it
    took that is in ``seen`` is a duplicate, left out with its reactions and nested
    replies. None if it left out a message as a duplicate that is not one after all
    (the group must be read again)."""
    _, files, skipped, events, (claimed, spans, dups, skips) = segment
    if seen.isdisjoint(claimed) and all(
        event_id in seen for _, event_id, in_group in dups if not in_group
    ):
        return segment
    taken: list[str] = []
    kept: set[str] = set()
    dropped: list[tuple[int, int]] = []
    less: Counter[str] = Counter()
    duplicates = 0
    waiting = iter(dups)  # duplicates in the order met, by their place among the skips
    dup = next(waiting, None)
    index = 0
    while True:
        first_skip = spans[5 * index + 2] if index < len(claimed) else len(skips)
        while dup is not None and dup[0] < first_skip:
            if dup[1] not in seen and dup[1] not in kept:
                return None
            dup = next(waiting, None)
        if index == len(claimed):
            break
        event_id = claimed[index]
        if event_id not in seen:
            taken.append(event_id)
            kept.add(event_id)
            index += 1
            continue
        rows, rows_after, skip, skips_after, after = spans[5 * index : 5 * index + 5]
        dropped.append((rows, rows_after))
        less.update(skips[skip:skips_after])
        duplicates += 1
        while dup is not None and dup[0] < skips_after:  # within what is left out
            dup = next(waiting, None)
        index = after
    counts = Counter(skipped)
    counts.subtract(less)
    counts["duplicate"] += duplicates
    counts = Counter({reason: number for reason, number in counts.items() if number})
    if dropped:
        keep = np.ones(len(events[0]), bool)
        for rows, rows_after in dropped:
            keep[rows:rows_after] = False
        mask = pa.array(keep)
        events = [column.filter(mask) for column in events]
    return ("bulk", files, counts, events, (taken, array("q"), [], []))


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


class _Unusual(Exception):
    """Something in a file that the line-by-line reading must see (and name)."""


class _Group:
    """The events of a group of files, gathered message by message exactly as
    :func:`_message` makes them, with their times as text (read together at the end).
    Changes nothing (``seen``): the reader adds the ids the group took.

    For the main process to correct a group made in a worker process (which did not know
    the ids seen before its chunk), the group keeps, for every message it took, where
    its events, skips and replies are (``spans``: only then, as it costs a little), and
    every duplicate it left out."""

    def __init__(self, seen: set[str], spans: bool = False):
        self.previously_seen = seen
        self.seen: set[str] = set()
        self.claimed: list[str] = []  # the event ids of the messages taken, in order
        # of each of those: its first event, the event after it and its replies and
        # reactions, the same of its skips, and the next message taken after its replies
        self.spans: list[tuple[int, int, int, int, int] | None] | None = [] if spans else None
        self.dups: list[tuple[int, str, bool]] = []  # (its skip, event id, in this group)
        self.skips: list[str] = []  # what is left out, in order
        self.files: list[tuple[int, str]] = []
        self.ends: list[int] = []  # the events after each file
        self.ids: list[str] = []
        self.times: list[str] = []
        self.users: list[str] = []
        self.actions: list[str] = []
        self.threads: list[str] = []
        self.parents: list = []
        self.channels: list[str] = []
        self.events = 0

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
        rows, claimed, skips, dups = (
            len(self.ids),
            len(self.claimed),
            len(self.skips),
            len(self.dups),
        )
        try:
            for message in messages:
                self._message(message, None)
        except _Unusual:
            for column in self._columns():
                del column[rows:]
            self.seen.difference_update(self.claimed[claimed:])
            del self.claimed[claimed:]
            if self.spans is not None:
                del self.spans[claimed:]
            del self.skips[skips:], self.dups[dups:]
            return False
        self.files.append((done, name))
        self.events = len(self.ids)
        self.ends.append(self.events)
        return True

    def segment(self) -> tuple | None:
        """``("bulk", files, skipped, events, book)``; None if a time is in another form
        (then see :meth:`first_with_unusual_times`)."""
        ts = bulk_iso_micros(self.times)
        if ts is None:
            return None
        events = [
            pa.array(self.ids, pa.string()),
            ts,
            pa.array(self.users, pa.string()),
            pa.array(self.actions, pa.string()),
            pa.array(self.threads, pa.string()),
            pa.array(self.parents, pa.string()),
            pa.array(self.channels, pa.string()),
        ]
        spans = array("q", chain.from_iterable(self.spans)) if self.spans is not None else None
        book = (self.claimed, spans, self.dups, self.skips)
        return ("bulk", self.files, Counter(self.skips), events, book)

    def first_with_unusual_times(self) -> int:
        """The place in the group of the first file with a time in another form."""
        start = 0
        for place, end in enumerate(self.ends):
            if bulk_iso_micros(self.times[start:end]) is None:
                return place
            start = end
        return 0  # pragma: no cover - a time is checked on its own

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
        get = message.get
        identity = get("channelIdentity") or {}
        channel = identity.get("channelId") if type(identity) is dict else None
        if not channel and post is not None:
            channel = post[0]
        if not channel:
            if not get("chatId"):
                raise _Unusual
            self.skips.append("chat_message")
            return
        if type(channel) is not str:
            raise _Unusual
        event_id = f"{channel}:{message_id}"
        skips = self.skips
        if event_id in self.seen or event_id in self.previously_seen:
            self.dups.append((len(skips), event_id, event_id in self.seen))
            skips.append("duplicate")
            return
        ids, spans = self.ids, self.spans
        if spans is not None:  # in a worker process
            taken, first, first_skip = len(self.claimed), len(ids), len(skips)
            spans.append(None)
        self.seen.add(event_id)
        self.claimed.append(event_id)
        reply_to = get("replyToId") or (post[1] if post is not None else None)
        if reply_to:
            if type(reply_to) is not str:
                raise _Unusual
            action, thread = "reply", f"{channel}:{reply_to}"
            parent = thread
        else:
            action, thread, parent = "post", event_id, None

        kind = get("messageType")
        if kind is not None and type(kind) is not str:
            raise _Unusual
        sender = get("from") or {}
        user = sender.get("user") if type(sender) is dict else None
        if kind != "message":
            skips.append(
                "system_message" if kind == "systemEventMessage" else f"message_type_{kind}"
            )
        elif get("deletedDateTime"):
            skips.append("deleted")
        elif not user:
            if not (type(sender) is dict and sender.get("application")):
                raise _Unusual
            skips.append("bot_message")
        else:
            user_id = user.get("id") if type(user) is dict else None
            if type(user_id) is not str or not user_id:
                raise _Unusual
            ids.append(event_id)
            self.times.append(get("createdDateTime"))  # checked, and read, at the end
            self.users.append(user_id)
            self.actions.append(action)
            self.threads.append(thread)
            self.parents.append(parent)
            self.channels.append(channel)

        reactions = get("reactions") or ()
        if reactions:
            if type(reactions) is not list:
                raise _Unusual
            self._reactions(reactions, event_id, thread, channel)

        replies = get("replies")
        if replies:
            if type(replies) is not list:
                raise _Unusual
            post = (channel, message_id)
            for reply in replies:
                self._message(reply, post)
        if spans is not None:
            spans[taken] = (first, len(ids), first_skip, len(skips), len(self.claimed))

    def _reactions(self, reactions: list, event_id: str, thread: str, channel: str) -> None:
        ids, times, users = self.ids.append, self.times.append, self.users.append
        actions, threads = self.actions.append, self.threads.append
        parents, channels = self.parents.append, self.channels.append
        for number, reaction in enumerate(reactions):
            if type(reaction) is not dict:
                raise _Unusual
            identity = reaction.get("user") or {}
            if type(identity) is dict and not identity.get("user") and identity.get("application"):
                self.skips.append("bot_reaction")
                continue
            reactor = identity.get("user") if type(identity) is dict else None
            reactor_id = reactor.get("id") if type(reactor) is dict else None
            if type(reactor_id) is not str or not reactor_id:
                raise _Unusual
            ids(f"{event_id}:react:{number}")
            times(reaction.get("createdDateTime"))
            users(reactor_id)
            actions("react")
            threads(thread)
            parents(event_id)
            channels(channel)


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
