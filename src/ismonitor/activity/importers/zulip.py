"""Zulip export (folder or ZIP/tarball unpacked) → posts, replies, reactions and reads.

Reads ``realm.json`` (``zerver_userprofile`` for which users are bots,
``zerver_recipient`` for which messages went to a stream, ``zerver_reaction`` when
there) and ``messages-000001.json, ...`` (``zerver_message`` and ``zerver_usermessage``).

A thread is a stream's topic (Zulip compares topics case-insensitively): the first
message in a topic is the post, later ones are replies to it. A user message row with
bit 0 of ``flags_mask`` set (read) becomes a read event by that user, except the
sender's own copy; Zulip keeps no time for reading or reacting, so reads and reactions
get the message's ``date_sent``.

Message files are read in bulk: parsed with msgspec into only the fields events are made
of, the user message rows (the reads) turned into events with numpy and pyarrow. A file
with anything unusual in it (a malformed record, a value of another type than Zulip's,
JSON that msgspec reads otherwise than ``json``) is read again line by line, exactly as
:meth:`_Realm.messages` reads it, naming each problem. Both ways give the same events in
the same order, and the same counts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from msgspec import UNSET, UnsetType

from ..events import EventBatch
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import (
    NOT_JSON,
    EventColumns,
    ExportSource,
    collector_paused,
    fast_structs,
    import_workers,
    in_order,
    load_json,
    repeated,
    source_in_worker,
)

MESSAGE_FILE = re.compile(r"messages-\d+\.json")
STREAM = 2  # zerver_recipient.type: 1 personal, 2 stream, 3 direct message group
READ = 1  # bit 0 of zerver_usermessage.flags_mask
RESOLVE_TOPIC_NOTIFICATION = 2  # zerver_message.type in recent Zulip versions
REJECTED = ("rejected",)  # a malformed message, left out (on_error="reject")


_KINDS = (pa.string(), pa.int64(), pa.string(), pa.string(), pa.string(), pa.string(), pa.string())


def _int(value) -> bool:
    return type(value) is int


@register
class ZulipImporter(BaseImporter):
    name = "zulip"
    description = "Zulip export (folder with realm.json and messages-*.json)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        with ExportSource(
            path,
            marker="realm.json",
            expected="a Zulip export: a folder (or ZIP) with realm.json and messages-*.json",
        ) as source:
            realm = load_json(source, "realm.json", context)
            if not isinstance(realm, dict):
                if realm is not None:
                    context.malformed(
                        source.display("realm.json"), None, None, None, "a JSON object"
                    )
                return
            state = _Realm(realm, source.display("realm.json"), context)
            files = [name for name in source.names() if MESSAGE_FILE.fullmatch(name)]
            workers = import_workers(sum(map(source.size, files)), context)
            if workers == 1:
                digests = (_digest_of(source, name) for name in files)
            else:  # files parsed in worker processes, handed on in order
                tasks = [(str(path), name) for name in files]
                digests = in_order(_digest_in_worker, tasks, workers)
            columns = EventColumns()
            for done, (name, digest) in enumerate(zip(files, digests, strict=True)):
                result = state.bulk(digest) if digest is not None else None
                if result is None:  # line by line, naming each problem
                    yield from columns.flush()
                    data = load_json(source, name, context)
                    if data is not None:
                        yield from state.messages(data, source.display(name))
                else:
                    skipped, events = result
                    for reason, number in skipped.items():
                        context.skip(reason, number)
                    yield from columns.add(events)
                context.progress(done + 1, len(files))
            yield from columns.flush()
            left = sum(len(reactions) for reactions in state.reactions.values())
            if left:
                context.skip("reaction_to_message_not_in_export", left)


class _Realm:
    def __init__(self, realm: dict, display: str, context: ImportContext):
        self.context = context
        self.bots: set[int] = set()
        self.people: set[int] = set()
        for table in ("zerver_userprofile", "zerver_userprofile_mirrordummy"):
            for index, user in enumerate(realm.get(table) or ()):
                if type(user) is not dict or not _int(user.get("id")):
                    context.malformed(display, f"$.{table}[{index}]", "id", user, "a user id")
                    continue
                (self.bots if user.get("is_bot") else self.people).add(user["id"])
        # Cross-realm bots (notification-bot, welcome-bot) are in no user table: not people.
        self.streams: dict[int, str] = {}
        for index, recipient in enumerate(realm.get("zerver_recipient") or ()):
            if type(recipient) is not dict or not all(
                _int(recipient.get(key)) for key in ("id", "type", "type_id")
            ):
                context.malformed(
                    display, f"$.zerver_recipient[{index}]", None, recipient, "id, type, type_id"
                )
                continue
            if recipient["type"] == STREAM:
                self.streams[recipient["id"]] = str(recipient["type_id"])
        self.reactions: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for index, reaction in enumerate(realm.get("zerver_reaction") or ()):
            if type(reaction) is not dict or not all(
                _int(reaction.get(key)) for key in ("id", "message", "user_profile")
            ):
                context.malformed(
                    display,
                    f"$.zerver_reaction[{index}]",
                    None,
                    reaction,
                    "id, message, user_profile",
                )
                continue
            self.reactions[reaction["message"]].append((reaction["id"], reaction["user_profile"]))
        self.topics: dict[tuple[int, str], str] = {}

    def messages(self, data, display: str) -> Iterator[tuple]:
        context = self.context
        malformed, skip = context.malformed, context.skip
        messages = data.get("zerver_message") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            malformed(display, "$.zerver_message", None, MISSING, "a list of messages")
            return
        # message id -> (event id, time, sender, thread, group); None for direct messages
        known: dict[int, tuple | None] = {}
        ordered = sorted(
            enumerate(messages),
            key=lambda item: item[1].get("id", 0) if isinstance(item[1], dict) else 0,
        )
        for index, message in ordered:
            where = f"$.zerver_message[{index}]"
            if type(message) is not dict:
                malformed(display, where, None, message, "a message object")
                continue
            message_id, sender = message.get("id", MISSING), message.get("sender", MISSING)
            recipient = message.get("recipient", MISSING)
            sent = message.get("date_sent", message.get("pub_date", MISSING))
            subject = message.get("subject", MISSING)
            for key, value, expected in (
                ("id", message_id, _int),
                ("sender", sender, _int),
                ("recipient", recipient, _int),
                ("date_sent", sent, lambda v: type(v) in (int, float)),
                ("subject", subject, lambda v: type(v) is str),
            ):
                if not expected(value):
                    malformed(display, where, key, value, f"the message's {key}")
                    if _int(message_id):
                        known[message_id] = REJECTED
                    break
            else:
                event_id = str(message_id)
                group = self.streams.get(recipient)
                if group is None:
                    known[message_id] = None
                    skip("direct_message")
                    continue
                ts = round(sent * 1_000_000)
                topic = (recipient, subject.lower())
                thread = self.topics.setdefault(topic, event_id)
                known[message_id] = (event_id, ts, sender, thread, group)
                if message.get("type") == RESOLVE_TOPIC_NOTIFICATION:
                    skip("topic_resolved_notice")
                elif sender not in self.people:
                    skip("bot_user")
                elif thread == event_id:
                    yield event_id, ts, str(sender), "post", thread, None, group
                else:
                    yield event_id, ts, str(sender), "reply", thread, thread, group
                for reaction_id, user in self.reactions.pop(message_id, ()):
                    if user not in self.people:
                        skip("bot_reaction")
                    else:
                        react_id = f"{event_id}:react:{reaction_id}"
                        yield react_id, ts, str(user), "react", thread, event_id, group
        yield from self._reads(data, known, display)

    def bulk(self, digest: tuple) -> tuple[Counter, list[pa.Array]] | None:
        """Skip counts and event columns of one message file (its :func:`_digest`),
        exactly as :meth:`messages` gives them; None if anything in it is unusual (to be
        read line by line). Changes nothing (topics, reactions) unless it gives the
        events."""
        messages, (row_id, user, at) = digest
        streams, people, reactions, topics = self.streams, self.people, self.reactions, self.topics
        skipped: Counter[str] = Counter()
        rows: list[tuple] = []  # messages and reactions
        new_topics: dict[tuple[int, str], str] = {}
        used: list[int] = []  # messages whose reactions were read
        # per message in this file: id, whether direct, event id, time, sender, thread, group
        known: list[tuple] = []
        for message_id, sender, recipient, sent, subject, resolved in messages:
            event_id = str(message_id)
            group = streams.get(recipient)
            if group is None:
                known.append((message_id, True, event_id, 0, sender, "", ""))
                skipped["direct_message"] += 1
                continue
            ts = round(sent * 1_000_000)
            topic = (recipient, subject.lower())
            thread = topics.get(topic)
            if thread is None:
                thread = new_topics.setdefault(topic, event_id)
            known.append((message_id, False, event_id, ts, sender, thread, group))
            if resolved:
                skipped["topic_resolved_notice"] += 1
            elif sender not in people:
                skipped["bot_user"] += 1
            elif thread == event_id:
                rows.append((event_id, ts, str(sender), "post", thread, None, group))
            else:
                rows.append((event_id, ts, str(sender), "reply", thread, thread, group))
            if message_id in reactions:
                used.append(message_id)
                for reaction_id, user_id in reactions[message_id]:
                    if user_id not in people:
                        skipped["bot_reaction"] += 1
                    else:
                        react_id = f"{event_id}:react:{reaction_id}"
                        rows.append((react_id, ts, str(user_id), "react", thread, event_id, group))
        try:
            reads = self._bulk_reads(known, row_id, user, at, skipped)
            columns = zip(*rows, strict=True) if rows else ([] for _ in _KINDS)
            own = [pa.array(list(v), kind) for v, kind in zip(columns, _KINDS, strict=True)]
        except (pa.ArrowInvalid, OverflowError):
            return None  # a time beyond 64 bits: line by line, as the writer then says
        topics.update(new_topics)
        for message_id in used:
            del reactions[message_id]
        return +skipped, [pa.concat_arrays(pair) for pair in zip(own, reads, strict=True)]

    def _bulk_reads(
        self, known: list[tuple], row_id: np.ndarray, user: np.ndarray, at: np.ndarray, skipped
    ) -> list[pa.Array]:
        """The read events of the read user message rows (``at``: their message's place in
        ``known``), as :meth:`_reads` makes them."""
        senders = np.array([item[4] for item in known], np.int64)
        ts = pa.array([item[3] for item in known], pa.int64())
        people = np.array(sorted(self.people), np.int64)
        direct = np.array([item[1] for item in known], bool)[at]
        if direct.any():
            skipped["direct_message_read"] += int(direct.sum())
        own = ~direct & (user == senders[at])
        if own.any():
            skipped["own_message_read"] += int(own.sum())
        bot = ~direct & ~own & ~np.isin(user, people)
        if bot.any():
            skipped["bot_user"] += int(bot.sum())
        keep = ~(direct | own | bot)
        at = pa.array(at[keep])
        event_id = pa.array([item[2] for item in known], pa.string()).take(at)
        return [
            pc.binary_join_element_wise(
                event_id, ":read:", pa.array(row_id[keep]).cast(pa.string()), ""
            ),
            ts.take(at),
            pa.array(user[keep]).cast(pa.string()),
            repeated("read", len(at)),
            pa.array([item[5] for item in known], pa.string()).take(at),
            event_id,
            pa.array([item[6] for item in known], pa.string()).take(at),
        ]

    def _reads(self, data: dict, known: dict, display: str) -> Iterator[tuple]:
        malformed, skip = self.context.malformed, self.context.skip
        rows = data.get("zerver_usermessage") or []
        if not isinstance(rows, list):
            malformed(display, "$.zerver_usermessage", None, rows, "a list")
            return
        people = self.people
        for index, row in enumerate(rows):
            if type(row) is not dict:
                malformed(display, f"$.zerver_usermessage[{index}]", None, row, "an object")
                continue
            flags, message_id = row.get("flags_mask", MISSING), row.get("message", MISSING)
            row_id, user = row.get("id", MISSING), row.get("user_profile", MISSING)
            if not _int(flags):
                where = f"$.zerver_usermessage[{index}]"
                malformed(display, where, "flags_mask", flags, "a number")
                continue
            if not flags & READ:
                continue  # not read: no event, and nothing left out
            if message_id not in known:
                where = f"$.zerver_usermessage[{index}]"
                malformed(display, where, "message", message_id, "a message in this file")
                continue
            if not (_int(row_id) and _int(user)):
                where = f"$.zerver_usermessage[{index}]"
                malformed(display, where, "id/user_profile", row, "numbers")
                continue
            message = known[message_id]
            if message is None:
                skip("direct_message_read")
                continue
            if message is REJECTED:
                skip("read_of_rejected_message")
                continue
            event_id, ts, sender, thread, group = message
            if user == sender:
                skip("own_message_read")
            elif user not in people:
                skip("bot_user")
            else:
                yield f"{event_id}:read:{row_id}", ts, str(user), "read", thread, event_id, group


class _Message(msgspec.Struct, gc=False):
    """The fields of a ``zerver_message`` row that events are made of; a missing one,
    or one of another type, sends the file line by line (:meth:`_Realm.messages`)."""

    id: int
    sender: int
    recipient: int
    subject: str
    date_sent: int | float | None | UnsetType = UNSET
    pub_date: int | float | None | UnsetType = UNSET  # before Zulip 2.1
    type: Any = None


class _UserMessage(msgspec.Struct, gc=False):
    flags_mask: int
    id: int | None = None  # checked only where read
    user_profile: int | None = None
    message: int | None = None


class _MessageFile(msgspec.Struct, gc=False):
    zerver_message: list[_Message]
    zerver_usermessage: list[_UserMessage] | None = None


_MESSAGE_FILE = msgspec.json.Decoder(_MessageFile)
_ID = attrgetter("id")
_FLAGS = attrgetter("flags_mask")
_READ_ROW = tuple(attrgetter(key) for key in ("id", "user_profile", "message"))


def _digest_of(source: ExportSource, name: str) -> tuple | None:
    """:func:`_digest` of a message file as :data:`_MESSAGE_FILE` reads it; None if
    msgspec does not or anything in it is unusual."""
    with collector_paused():
        data = fast_structs(_MESSAGE_FILE, source.read(name))
        return _digest(data) if data is not NOT_JSON else None


def _digest_in_worker(task: tuple[str, str]) -> tuple | None:
    """:func:`_digest_of` in a worker process."""
    path, name = task
    return _digest_of(source_in_worker(path, "realm.json"), name)


def _digest(data: _MessageFile) -> tuple | None:
    """What :meth:`_Realm.bulk` needs of a message file, checked: its messages in the
    order of their ids as ``(id, sender, recipient, date_sent, subject, whether a
    resolved-topic notice)``, and its read user message rows as arrays of their id, user
    and the place of their message in that order. None if anything is unusual (to be
    read line by line). Needs nothing of the realm, so that it can run in a worker."""
    messages = data.zerver_message
    ids = list(map(_ID, messages))
    if len(set(ids)) != len(ids):
        return None
    taken = []
    for index in sorted(range(len(messages)), key=ids.__getitem__):
        message = messages[index]
        sent = message.date_sent
        if sent is UNSET:
            sent = message.pub_date
        if sent is None or sent is UNSET:
            return None
        resolved = message.type == RESOLVE_TOPIC_NOTIFICATION
        taken.append(
            (ids[index], message.sender, message.recipient, sent, message.subject, resolved)
        )
    rows = data.zerver_usermessage or []
    try:
        read = (np.array(list(map(_FLAGS, rows)), np.int64) & READ) != 0
        rows = list(compress(rows, read.tolist()))  # the others are no event
        # a missing id, user or message (None) is a TypeError here
        row_id, user, message = (np.array(list(map(get, rows)), np.int64) for get in _READ_ROW)
        known_ids = np.array([item[0] for item in taken], np.int64)  # sorted
    except (TypeError, OverflowError):
        return None
    at = np.searchsorted(known_ids, message).clip(0, max(len(known_ids) - 1, 0))
    if len(message) and (not len(known_ids) or (known_ids[at] != message).any()):
        return None  # a read of a message not in this file: malformed
    return taken, (row_id, user, at)
