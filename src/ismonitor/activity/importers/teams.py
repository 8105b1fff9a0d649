"""Microsoft Teams channel messages from Microsoft Graph (``chatMessage`` JSON) → events.

Reads one JSON file, or a folder or ZIP of them, each holding a Graph page
(``{"value": [...]}``), an array of messages, or one message. Replies may be nested under
``replies`` (``$expand=replies``) or be messages of their own with ``replyToId``; a
message found twice (both ways, or in overlapping pages) is imported once and the copy
counted as skipped ``duplicate``. A message with ``replyToId`` is a reply in the thread
of that channel post. Reactions have their own time and user.

The event id is ``<channelId>:<message id>``: Teams message ids are unique only within
their channel.

Files are read in bulk: each parsed with msgspec into only the fields events are made of,
and the messages of a group of files turned into events together with numpy and pyarrow.
A file with anything unusual in it (a malformed message, a value of another type than
Graph's, a time in another form than Graph's own, JSON that msgspec reads otherwise than
``json``, a reply nested in a nested reply) is read again message by message, exactly as
:func:`_message` reads it, naming each problem. Both ways give the same events in the
same order, and the same counts.

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
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from operator import attrgetter, is_not, truth
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from msgspec.structs import astuple

from ..events import EventBatch, iso_micros, string_hashes
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import (
    ISO_UTC,
    NOT_JSON,
    EventColumns,
    ExportSource,
    bulk_iso_micros,
    collector_paused,
    fast_structs,
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
"""Messages and reactions (at most so many events) gathered before their events are made
together."""


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
        index, unusual, segment = start, None, None
        with collector_paused():  # (a file parsed is many objects, let go file by file)
            while index < len(files):
                done, name = files[index]
                index += 1
                data = fast_structs(_DOCUMENT, source.read(name))
                taken = data is not NOT_JSON and group.add(done, name, data)
                data = None
                if not taken:
                    unusual = (done, name)
                    break
                if group.events >= GROUP_EVENTS:
                    break
            if group.files:
                segment = group.segment()
        if group.files:
            if segment is None:  # something unusual: the first file with any
                bad = group.unusual
                files_before, group = group.files[:bad], None
                yield from _segments(source, seen, files_before, spans)  # again, by themselves
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
            ids = segment[4][0]
            if segment[1][-1] != files[-1]:  # for the groups after it
                seen.update(_listed(ids))
            if type(ids) is list:
                ids = pa.array(ids, pa.string())
            segment = (*segment[:4], (*segment[4], string_hashes(ids)))
        segments.append(segment)
    return segments


class _Reader:
    """Takes the segments in order: counts, events, progress, and the event ids seen.

    The ids a worker's group took are kept at first only as their 64-bit hashes (a
    group whose hashes are none of those seen took no id seen: the common case), and
    made into strings in :attr:`seen` only when needed: for a group with a hash seen
    before or with a duplicate, or a file read here. From then on every id is kept."""

    def __init__(self, source: ExportSource, context: ImportContext, total: int):
        self.source, self.context, self.total = source, context, total
        self._seen: set[str] = set()
        self._hashes: set[int] | None = set()  # None once every id is in _seen
        self._pending: list[list[str] | pa.Array] = []  # ids in _hashes, not in _seen
        self.columns = EventColumns()

    @property
    def seen(self) -> set[str]:
        """The event ids seen, every one (from here on kept as strings only)."""
        if self._hashes is not None:
            for ids in self._pending:
                self._seen.update(_listed(ids))
            self._pending, self._hashes = [], None
        return self._seen

    def take(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        if segment[0] == "bulk":
            _, files, skipped, events, book = segment
            self.seen.update(_listed(book[0]))
            yield from self._take_bulk(files, skipped, events)
            return
        # Anything unusual in this file: what came before, then this file message by
        # message, naming each problem.
        yield from self.columns.flush()
        for done, name in segment[1]:
            yield from _line_by_line(self.source, name, done, self.total, self.seen, self.context)

    def _take_bulk(self, files: list, skipped: Counter, events: list) -> Iterator[EventBatch]:
        context = self.context
        for reason, number in skipped.items():
            context.skip(reason, number)
        yield from self.columns.add(events)
        for done, _ in files:
            context.progress(done + 1, self.total)

    def take_from_worker(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        """A segment made in a worker process, which did not know the ids the files
        before its chunk hold: as it is where that changes nothing, else with the
        messages seen before left out, else (rarely) read again here."""
        checked = None
        if segment[0] == "bulk":
            _, files, skipped, events, (ids, spans, dups, skips, hashes) = segment
            if self._hashes is not None and not dups:
                before = len(self._hashes)
                self._hashes.update(hashes.tolist())  # (the group's are all different)
                if len(self._hashes) == before + len(hashes):  # then no id was seen before
                    # (copied: the worker's result, mapped from /dev/shm, is let go)
                    self._pending.append(ids if type(ids) is list else pa.concat_arrays([ids]))
                    yield from self._take_bulk(files, skipped, events)
                    return
            segment = ("bulk", files, skipped, events, (_listed(ids), spans, dups, skips))
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
    return ("bulk", files, counts, events, (taken, array("i"), [], []))


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


class _User(msgspec.Struct, gc=False):
    id: str | None = None


class _Identity(msgspec.Struct, gc=False):
    """Who sent a message (its ``from``) or reacted (a reaction's ``user``)."""

    user: _User | None = None
    application: dict | None = None


class _Channel(msgspec.Struct, gc=False):
    channelId: str | None = None


class _Reaction(msgspec.Struct, gc=False):
    createdDateTime: str | None = None
    user: _Identity | None = None


class _Reply(msgspec.Struct, gc=False):
    """The fields of a message that events are made of (a missing one is None, as
    ``dict.get`` gives it; a present one, such as ``{}``, a Struct, which is true
    where ``{}`` is not: where that matters the file is unusual); a value of another
    type than declared sends the file message by message. A nested reply has no nested
    replies of its own (in Graph): a file where one has is read message by message."""

    id: str | None = None
    replyToId: str | None = None
    messageType: str | None = None
    createdDateTime: str | None = None
    deletedDateTime: str | None = None
    chatId: str | None = None
    channelIdentity: _Channel | None = None
    sender: _Identity | None = msgspec.field(default=None, name="from")
    reactions: list[_Reaction] | None = None
    replies: tuple[()] | None = None


class _Message(_Reply):
    """A message not nested: the same fields, and its nested replies."""

    replies: list[_Reply] | None = None


class _Document(_Message):
    """A file: a Graph page (``value``), else one message."""

    value: list[_Message] | None = None


_DOCUMENT = msgspec.json.Decoder(_Document | list[_Message])
"""Reads a file: a page or one message (:class:`_Document`), or an array of messages."""

_REPLIES = attrgetter("replies")
_REACTIONS = attrgetter("reactions")
_ID = attrgetter("id")
_CHANNEL_IDENTITY = attrgetter("channelIdentity")
_CHAT_ID = attrgetter("chatId")
_KIND = attrgetter("messageType")
_CREATED = attrgetter("createdDateTime")  # of a message and of a reaction
_DELETED = attrgetter("deletedDateTime")
_REPLY_TO = attrgetter("replyToId")
_SENDER = attrgetter("sender")
_USER = attrgetter("user")  # of a reaction
_ACTIONS = pa.array(["post", "reply", "react"], pa.string())
_NO_STRING = pa.scalar(None, pa.string())


def _field(values: Iterable, name: str) -> Iterator:
    """Each value's field ``name``: None for a value that is None."""
    return map(getattr, values, repeat(name), repeat(None))


def _split(arrays: list[pa.Array], fields: int) -> list[pa.Array]:
    """Of string arrays each holding ``fields`` fields one after the other (each of as
    many values), each field as one array."""
    if not arrays:
        return [pa.array([], pa.string())] * fields
    sizes = [len(array) // fields for array in arrays]
    return [
        pa.concat_arrays(
            [array.slice(field * size, size) for array, size in zip(arrays, sizes, strict=True)]
        )
        for field in range(fields)
    ]


def _listed(ids: list[str] | pa.Array) -> list[str]:
    """Event ids as strings: a group's ids taken, which it may give as a string array."""
    return ids if type(ids) is list else ids.to_numpy(zero_copy_only=False).tolist()


def _flags(flags: bytearray) -> np.ndarray:
    """Bytes that are each 0 or 1 as booleans."""
    return np.frombuffer(flags, np.bool_)


def _given(values: list) -> np.ndarray:
    """Which values are not None."""
    return np.fromiter(map(is_not, values, repeat(None)), bool, len(values))


def _nonempty(strings: pa.Array) -> np.ndarray:
    """Which strings are neither null nor empty: true, as ``bool`` says."""
    longer = pc.greater(pc.binary_length(strings), 0)
    return pc.fill_null(longer, False).to_numpy(zero_copy_only=False)


def _skip_reason(kind: str | None) -> str:
    """Why a message of another type than ``message`` is left out."""
    return "system_message" if kind == "systemEventMessage" else f"message_type_{kind}"


class _Group:
    """The messages of a group of files, as :data:`_DOCUMENT` read them (the fields
    that matter, taken out file by file), turned into events all together
    (:meth:`segment`) exactly as :func:`_message` makes them: the
    messages in the order :func:`_message` meets them (each post, then its nested
    replies), the events and skips of each in that order, its reactions' after its own.
    Changes nothing (``seen``): the reader adds the ids the group took.

    A file is unusual (to be read message by message) for what it holds alone, whatever
    was seen before: every message in it is checked, also one that :func:`_message`
    leaves out unread as a duplicate, or as a nested reply of a duplicate.

    For the main process to correct a group made in a worker process (which did not know
    the ids seen before its chunk), the group keeps, for every message it took, where
    its events, skips and replies are (``spans``: only then, as it costs a little), and
    every duplicate it left out."""

    def __init__(self, seen: set[str], spans: bool = False):
        self.previously_seen = seen
        self.spans = spans
        self.files: list[tuple[int, str]] = []
        self.ends: list[int] = []  # the messages after each file
        self.events = 0  # at most: the messages and reactions
        self.unusual = 0  # when :meth:`segment` found anything unusual: the first file
        self.messages = 0
        self.replies = array("q")  # of each post (a message not nested): how many
        # Of each message (each post, then its nested replies), the fields that matter,
        # taken out file by file (while the file's messages are at hand, in the cache):
        # of each file its messages' id, replyToId, messageType, createdDateTime, own
        # channel id and user id (as a string array, each field after the one before);
        self.strings: list[pa.Array] = []
        self.reacted = array("q")  # how many reactions;
        # and, one byte each (true or false), whether it has
        self.chat = bytearray()  # a chat id
        self.deleted = bytearray()  # a deletedDateTime
        self.by_user = bytearray()  # a user in "from"
        self.by_application = bytearray()  # an application in "from"
        # Of each reaction (of each file's, as of messages): createdDateTime and user id;
        self.reaction_strings: list[pa.Array] = []
        # and whether it has
        self.by_reactor = bytearray()  # a user in "user"
        self.reactor_application = bytearray()  # an application in "user"

    def add(self, done: int, name: str, data) -> bool:
        """Take in one file (as :data:`_DOCUMENT` read it); False, taking nothing, if it
        is not a page, an array of messages or one message."""
        if type(data) is list:
            posts = data
        elif data.value is not None:
            posts = data.value
        elif data.id:
            posts = [data]
        else:
            return False
        replies = list(map(_REPLIES, posts))
        if None in replies:
            replies = [nested or () for nested in replies]
        messages = list(chain.from_iterable(map(chain, zip(posts), replies)))
        self.replies.extend(map(len, replies))
        if messages:  # the fields in the order declared, each of every message (one read
            # as a _Document has one more, value, which this leaves out)
            (ids, reply_to, kinds, times, deleted, chat, identity, senders, reactions) = list(
                zip(*map(astuple, messages), strict=False)
            )[:9]
        else:
            ids = reply_to = kinds = times = deleted = chat = identity = senders = reactions = ()
        if None in reactions:
            reactions = [each or () for each in reactions]
        self.reacted.extend(map(len, reactions))
        self.deleted.extend(map(truth, deleted))
        self.chat.extend(map(truth, chat))
        users = list(_field(senders, "user"))
        self.by_user.extend(map(is_not, users, repeat(None)))
        self.by_application.extend(map(truth, _field(senders, "application")))
        # the string fields one after the other, in one array (each array made costs)
        fields = chain(
            ids, reply_to, kinds, times, _field(identity, "channelId"), _field(users, "id")
        )
        self.strings.append(pa.array(list(fields), pa.string()))
        reactions = list(chain.from_iterable(reactions))
        if reactions:
            times, identities = zip(*map(astuple, reactions), strict=True)
            reactors = list(_field(identities, "user"))
            self.by_reactor.extend(map(is_not, reactors, repeat(None)))
            self.reactor_application.extend(map(truth, _field(identities, "application")))
            fields = chain(times, _field(reactors, "id"))
            self.reaction_strings.append(pa.array(list(fields), pa.string()))
        self.files.append((done, name))
        self.messages += len(messages)
        self.ends.append(self.messages)
        self.events = self.messages + len(self.by_reactor)
        return True

    def segment(self) -> tuple | None:
        """``("bulk", files, skipped, events, book)``; None if a file is unusual (then
        :attr:`unusual` is the place in the group of the first one)."""
        n = self.messages
        replies = np.frombuffer(self.replies, np.int64)
        sizes = replies + 1
        post_at = np.cumsum(sizes) - sizes
        post = np.repeat(post_at, sizes)  # of each message its post (of a post: itself)
        nested = np.ones(n, bool)
        nested[post_at] = False
        after = np.arange(1, n + 1, dtype=np.int64)  # the message after its replies
        after[post_at] += replies

        # What every message is, and whether anything in it is unusual.
        ids, reply_to, kind, times, own, user_ids = _split(self.strings, 6)
        reaction_times, reactor_ids = _split(self.reaction_strings, 2)
        bad = ~_nonempty(ids)
        own_channel = _nonempty(own)
        chat = ~nested & ~own_channel  # a chat message (a channel's has a channel id)
        bad |= chat & ~_flags(self.chat)
        channel = pc.if_else(own_channel, own, own.take(post))  # a reply's: else its post's
        taken = ~(chat | (nested & chat[post]))  # not a chat message, nor a reply in one
        plain = pc.fill_null(pc.equal(kind, "message"), False).to_numpy(zero_copy_only=False)
        deleted = _flags(self.deleted)
        by_user = _flags(self.by_user)
        kept = taken & plain & ~deleted
        bad |= kept & np.where(by_user, ~_nonempty(user_ids), ~_flags(self.by_application))
        posted = kept & by_user  # an event, unless the message is a duplicate

        n_reactions = len(self.by_reactor)
        reacted = np.frombuffer(self.reacted, np.int64)
        of = np.repeat(np.arange(n, dtype=np.int64), reacted)  # each reaction's message
        by_bot = ~_flags(self.by_reactor) & _flags(self.reactor_application)
        reacts = taken[of] & ~by_bot  # an event, unless its message is a duplicate
        bad[of[reacts & ~_nonempty(reactor_ids)]] = True

        # The times of those events (all: of duplicates too), checked together.
        rows_of = np.concatenate([np.flatnonzero(posted), of[reacts]])
        times = pa.concat_arrays(
            [
                times.filter(posted),
                reaction_times.filter(reacts),
            ]
        )
        if not bad.any():
            ts = bulk_iso_micros(times)
            if ts is None:
                usual = pc.match_substring_regex(times, ISO_UTC)
                bad[rows_of[~pc.fill_null(usual, False).to_numpy(zero_copy_only=False)]] = True
                if not bad.any():  # not a time (30 February), or year 0
                    self.unusual = self._first_with_unusual_times(times, rows_of)
                    return None
        if bad.any():
            self.unusual = bisect_right(self.ends, int(np.argmax(bad)))
            return None

        event_ids = pc.binary_join_element_wise(channel, ids, ":")
        claimed, dups, claimed_ids = self._claimed(event_ids, taken, after)
        has_reply_to = _nonempty(reply_to)
        reply = has_reply_to | nested  # a nested reply is one to its post
        reply_to = pc.if_else(has_reply_to, reply_to, ids.take(post))
        thread = pc.if_else(reply, pc.binary_join_element_wise(channel, reply_to, ":"), event_ids)
        parent = pc.if_else(reply, thread, _NO_STRING)

        # The rows: of each message taken its own event, then its reactions' events.
        posts = posted & claimed
        message_rows = np.flatnonzero(posts)
        reaction_rows = np.flatnonzero(reacts & claimed[of])
        reaction_of = of[reaction_rows]
        events, reactions_events = len(message_rows), len(reaction_rows)
        per_message = np.bincount(reaction_of, minlength=n)
        rows = np.zeros(n + 1, np.int64)  # the rows before each message
        np.cumsum(posts + per_message, out=rows[1:])
        order = np.empty(events + reactions_events, np.int64)
        order[rows[message_rows]] = np.arange(events)
        order[
            rows[reaction_of]
            + posts[reaction_of]
            + np.arange(reactions_events)
            - (np.cumsum(per_message) - per_message)[reaction_of]
        ] = np.arange(events, events + reactions_events)
        message_of = np.concatenate([message_rows, reaction_of])[order]
        if claimed is taken:  # the rows are the rows checked
            checked = order
        else:
            of_posted = np.cumsum(posted) - 1
            of_reacts = np.cumsum(reacts) - 1 + np.count_nonzero(posted)
            checked = np.concatenate([of_posted[message_rows], of_reacts[reaction_rows]])[order]
        numbers = np.arange(n_reactions, dtype=np.int64) - np.repeat(
            np.cumsum(reacted) - reacted, reacted
        )
        reaction_ids = pc.binary_join_element_wise(
            event_ids.take(reaction_of),
            pa.array(numbers[reaction_rows]).cast(pa.string()),
            ":react:",
        )
        actions = np.full(events + reactions_events, 2, np.int8)
        actions[:events] = reply[message_rows]
        # each column gathered at once from its message's and its reaction's values
        message_rows = message_rows.astype(np.int64)
        columns = [
            pa.concat_arrays([event_ids, reaction_ids]).take(
                np.concatenate([message_rows, np.arange(n, n + reactions_events)])[order]
            ),
            ts.take(checked),
            pa.concat_arrays([user_ids, reactor_ids]).take(
                np.concatenate([message_rows, reaction_rows + n])[order]
            ),
            None,
            None,
            pa.concat_arrays([parent, event_ids]).take(
                np.concatenate([message_rows, reaction_of + n])[order]
            ),
            None,
        ]
        columns[3] = _ACTIONS.take(actions[order])
        columns[4] = thread.take(message_of)
        columns[6] = channel.take(message_of)

        # What is left out: a chat message, a duplicate, a message of another type, a
        # deleted one, a bot's (each once, whatever its replies), a bot's reaction.
        reasons = {
            "chat_message": chat,
            "deleted": claimed & plain & deleted,
            "bot_message": claimed & plain & ~deleted & ~by_user,
        }
        other = claimed & ~plain
        by_bot &= claimed[of]
        skipped = Counter()
        for reason, which in reasons.items():
            skipped[reason] = int(np.count_nonzero(which))
        skipped["duplicate"] = len(dups)
        skipped["bot_reaction"] = int(np.count_nonzero(by_bot))
        other_kinds = kind.filter(other).to_pylist()
        skipped.update(map(_skip_reason, other_kinds))
        skipped = Counter({reason: number for reason, number in skipped.items() if number})
        book = (claimed_ids, None, [], [])
        if self.spans:  # in a worker process: where each message's events and skips are
            own = np.full(n, None, object)
            for reason, which in reasons.items():
                own[which] = reason
            own[other] = list(map(_skip_reason, other_kinds))
            dup_at = np.array([index for index, _, _ in dups], np.int64)
            own[dup_at] = "duplicate"
            left_out = _given(own.tolist())
            skips = np.zeros(n + 1, np.int64)  # the skips before each message
            np.cumsum(left_out + np.bincount(of[by_bot], minlength=n), out=skips[1:])
            every = np.full(skips[-1], "bot_reaction", object)
            every[skips[:-1][left_out]] = own[left_out]
            took = np.flatnonzero(claimed)
            before = np.zeros(n + 1, np.int64)  # the messages taken before each one
            np.cumsum(claimed, out=before[1:])
            ends = after[took]
            spans = np.stack([rows[took], rows[ends], skips[took], skips[ends], before[ends]], 1)
            dups = [
                (at, event_id, in_group)
                for at, (_, event_id, in_group) in zip(skips[dup_at].tolist(), dups, strict=True)
            ]
            spans = array("i", spans.astype(np.int32).ravel().tobytes())  # half the bytes
            book = (claimed_ids, spans, dups, every.tolist())
        return ("bulk", self.files, skipped, columns, book)

    def _claimed(
        self, event_ids: pa.Array, taken: np.ndarray, after: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[int, str, bool]], list[str] | pa.Array]:
        """Which messages are taken, not duplicates: of the messages ``taken`` (not chat
        messages) the first with each id, not seen before, and not nested in a duplicate;
        the duplicates (the message, its id, whether this group took the id); the ids
        taken, in order (see :func:`_listed`)."""
        if not self.previously_seen:  # (a worker's first group) checked in Arrow, and
            # handed on as an array: the strings made where they are needed
            ids = event_ids.filter(taken)
            if pc.count_distinct(ids).as_py() == len(ids):
                return taken, [], ids
        else:
            ids = event_ids.filter(taken).to_numpy(zero_copy_only=False).tolist()
            distinct = set(ids)
            if len(distinct) == len(ids) and self.previously_seen.isdisjoint(distinct):
                return taken, [], ids
        every = pc.if_else(taken, event_ids, _NO_STRING).to_numpy(zero_copy_only=False).tolist()
        previously_seen, seen = self.previously_seen, set()
        claimed = np.zeros(len(every), bool)
        dups, ids = [], []
        ends = after.tolist()
        index = 0
        while index < len(every):
            event_id = every[index]
            if event_id is None:  # a chat message, or a reply in one
                index += 1
            elif event_id in seen or event_id in previously_seen:
                dups.append((index, event_id, event_id in seen))
                index = ends[index]  # with its replies
            else:
                seen.add(event_id)
                ids.append(event_id)
                claimed[index] = True
                index += 1
        return claimed, dups, ids

    def _first_with_unusual_times(self, times: pa.Array, rows_of: np.ndarray) -> int:
        """The place in the group of the first file with a time in another form."""
        start = 0
        for place, end in enumerate(self.ends):
            if bulk_iso_micros(times.filter((rows_of >= start) & (rows_of < end))) is None:
                return place
            start = end
        return 0  # pragma: no cover - a time is checked on its own


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
