"""Slack workspace export (ZIP or folder) → posts, replies and reactions.

Reads ``channels.json`` (and ``groups.json``, ``mpims.json``, ``dms.json`` when there),
``users.json`` (only to know which users are bots) and every ``<folder>/<YYYY-MM-DD>.json``.
A message without ``thread_ts`` or with ``thread_ts == ts`` is a post; one with another
``thread_ts`` a reply in the thread of that parent. Each user in ``reactions[].users``
reacts once; Slack does not say when, so a reaction gets its message's time.

Day files are read in bulk: a group of files at a time, each parsed with msgspec into
only the fields events are made of, and turned into event columns with pyarrow. A group
with anything unusual in it (a malformed record, a value of another type than Slack's,
a timestamp in another form than Slack's own, JSON that msgspec reads otherwise than
``json``) is read again line by line, exactly as :func:`_messages` reads it, naming each
problem. Both ways give the same events in the same order, and the same counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import chain, compress, count
from operator import attrgetter
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..events import EventBatch
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import (
    EventColumns,
    ExportSource,
    collector_paused,
    fast_structs,
    file_sizes,
    import_workers,
    in_chunks,
    in_order,
    load_json,
    repeated,
    source_in_worker,
)

DAY_FILE = re.compile(r"([^/]+)/(\d{4}-\d{2}-\d{2})\.json")

USER_SUBTYPES = frozenset({"thread_broadcast", "reply_broadcast", "file_share", "me_message"})
"""Subtypes that are a person's own message; every other subtype (``channel_join``,
``bot_message``, ``tombstone``, ``file_comment``, ...) is skipped under its own name."""

LISTINGS = (
    # file, the key that names the folder, whether its conversations are direct messages
    ("channels.json", "name", False),
    ("groups.json", "name", False),  # private channels
    ("mpims.json", "name", True),  # group direct messages
    ("dms.json", "id", True),  # direct messages
)

SYSTEM_USERS = frozenset({"USLACKBOT"})
TS_EXPECTED = 'a Slack timestamp such as "1452837352.000006"'


_SIX_DIGITS = re.compile(r"[0-9]{1,12}\.[0-9]{6}").fullmatch  # what Slack writes; checked fast
_TS = re.compile(r"([0-9]{1,12})(?:\.([0-9]{1,6}))?").fullmatch


def slack_micros(ts: str) -> int:
    """Microseconds since the epoch of a Slack ``ts`` ("seconds.microseconds")."""
    if type(ts) is not str:
        raise ValueError(ts)
    if _SIX_DIGITS(ts):
        return int(ts.replace(".", ""))
    match = _TS(ts)
    if match is None:
        raise ValueError(ts)
    seconds, fraction = match.groups()
    return int(seconds) * 1_000_000 + int((fraction or "").ljust(6, "0"))


@register
class SlackImporter(BaseImporter):
    name = "slack"
    description = "Slack workspace export (ZIP or folder with channels.json and day files)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        with ExportSource(
            path,
            marker="channels.json",
            expected="a Slack workspace export: a ZIP file or folder with channels.json",
        ) as source:
            conversations = _conversations(source, context)
            bots = SYSTEM_USERS | _bot_users(source, context)
            days = [name for name in source.names() if DAY_FILE.fullmatch(name)]
            for name in source.names():
                if name.count("/") == 1 and name.endswith(".json") and not DAY_FILE.fullmatch(name):
                    context.malformed(
                        source.display(name), None, None, None, "a day file named YYYY-MM-DD.json"
                    )
            reader = _DayFiles(source, conversations, bots, context, len(days))
            sizes = file_sizes(source, days)
            workers = import_workers(sum(sizes), context)
            numbered = list(enumerate(days))
            if workers == 1:
                segments = _segments(source, conversations, reader.bot_ids, numbered)
            else:  # chunks of day files parsed in worker processes, handed on in order
                tasks = [
                    (str(path), conversations, reader.bot_ids, numbered[chunk])
                    for chunk in in_chunks(sizes, CHUNK_BYTES)
                ]
                segments = chain.from_iterable(in_order(_segments_in_worker, tasks, workers))
            columns = EventColumns()
            for kind, files, *result in segments:
                if kind == "bulk":
                    skipped, events = result
                    for reason, number in skipped.items():
                        context.skip(reason, number)
                    yield from columns.add(events)
                    for done, _ in files:
                        context.progress(done + 1, len(days))
                    continue
                # Anything unusual in these files: what came before, then these files
                # line by line, naming each problem.
                yield from columns.flush()
                for done, name in files:
                    yield from reader.line_by_line(done, name)
            yield from columns.flush()


CHUNK_BYTES = 16 << 20
"""Day files handed to a worker process at a time (when there are workers)."""


def _segments(
    source: ExportSource, conversations: dict, bot_ids: pa.Array, days: list[tuple[int, str]]
) -> Iterator[tuple]:
    """The day files in order, in groups: ``("bulk", files, skipped, events)`` for a group
    read in bulk, ``("lines", files)`` for files to be read line by line (in this
    process, which reports each problem)."""
    group = _Group(bot_ids)
    for done, name in days:
        conversation = conversations.get(name.split("/", 1)[0])
        with collector_paused():
            messages = fast_structs(_DAY_FILE, source.read(name)) if conversation else None
            taken = type(messages) is list and group.add(done, name, *conversation, messages)
            messages = None  # let it go before the events are made
        if taken:
            if group.messages >= GROUP_MESSAGES:
                yield group.segment()
                group = _Group(bot_ids)
            continue
        if group.files:
            yield group.segment()
            group = _Group(bot_ids)
        yield ("lines", [(done, name)])
    if group.files:
        yield group.segment()


def _segments_in_worker(task: tuple) -> list[tuple]:
    """:func:`_segments` of one chunk of day files, in a worker process."""
    path, conversations, bot_ids, days = task
    source = source_in_worker(path, "channels.json")
    return list(_segments(source, conversations, bot_ids, days))


GROUP_MESSAGES = 50_000
"""Messages gathered before they are turned into events together."""


class _DayFiles:
    """Turns day files into events: in bulk, or line by line as :func:`_messages` does."""

    def __init__(self, source, conversations, bots, context: ImportContext, total: int):
        self.source, self.conversations, self.bots = source, conversations, bots
        self.context, self.total = context, total
        self.bot_ids = pa.array(sorted(bots), pa.string())

    def line_by_line(self, done: int, name: str) -> Iterator[tuple]:
        source, context = self.source, self.context
        folder = name.split("/", 1)[0]
        if folder not in self.conversations:
            context.malformed(
                source.display(name),
                None,
                None,
                None,
                f"a conversation listed in channels.json, groups.json, mpims.json or "
                f"dms.json (folder {folder!r} is not)",
            )
            return
        channel, direct = self.conversations[folder]
        messages = load_json(source, name, context)
        if messages is None:
            return
        if not isinstance(messages, list):
            context.malformed(source.display(name), None, None, None, "a JSON array of messages")
            return
        yield from _messages(messages, channel, direct, self.bots, source.display(name), context)
        context.progress(done + 1, self.total)


_POST_TS = r"^[0-9]{1,12}\.[0-9]{6}$"  # _SIX_DIGITS
_ANY_TS = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"  # _TS
_USER_SUBTYPES = pa.array(sorted(USER_SUBTYPES), pa.string())
_NULL = pa.scalar(None, pa.string())
_FIELDS = ("ts", "thread_ts", "user", "subtype", "bot_id")
_GETTERS = tuple(attrgetter(key) for key in _FIELDS)
_REACTIONS = attrgetter("reactions")
_USERS = attrgetter("users")
_COUNT = attrgetter("count")


class _Reaction(msgspec.Struct, gc=False):
    users: list[str]
    count: int | float | None = None


class _Message(msgspec.Struct, gc=False):
    """The fields of a message that events are made of (a missing one is None, as
    ``dict.get`` gives it); a value of another type sends the file line by line."""

    ts: str | None = None
    thread_ts: str | None = None
    user: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    reactions: list[_Reaction] | None = None


_DAY_FILE = msgspec.json.Decoder(list[_Message])


class _Group:
    """The fields of day files that events are made of, gathered file by file (the
    parsed files are let go at once: kept, they would make Python's garbage collector
    slow), and then turned into events together, exactly as :func:`_messages` makes
    them."""

    def __init__(self, bot_ids: pa.Array):
        self.bot_ids = bot_ids
        self.files: list[tuple[int, str]] = []
        self.fields: tuple[list, ...] = tuple([] for _ in _FIELDS)
        self.channels: list[str] = []
        self.counts: list[int] = []
        self.messages = 0
        self.direct = 0
        self.not_listed = 0
        # reactions: the messages with any, how many each has, and per reaction its
        # users (how many, and who)
        self.reacted: list[int] = []
        self.reactions: list[int] = []
        self.sizes: list[int] = []
        self.reactors: list[str] = []

    def add(self, done: int, name: str, channel: str, direct: bool, messages: list) -> bool:
        """Take in one day file (as :data:`_DAY_FILE` read it); False, taking nothing,
        if anything in it is unusual."""
        if direct:  # only checked and counted
            for ts in map(_GETTERS[0], messages):
                if type(ts) is not str or not (_SIX_DIGITS(ts) or _TS(ts)):
                    return False
            self.direct += len(messages)
            self.files.append((done, name))
            return True
        every = list(map(_REACTIONS, messages))
        some = list(filter(None, every))
        if some:
            each = list(chain.from_iterable(some))
            users = list(map(_USERS, each))
            sizes = list(map(len, users))
            # Slack lists at most some of the users behind a large count
            self.not_listed += sum(
                total - size
                for total, size in zip(map(_COUNT, each), sizes, strict=True)
                if type(total) is int and total > size
            )
            self.reacted += compress(count(self.messages), every)
            self.reactions += map(len, some)
            self.sizes += sizes
            self.reactors += chain.from_iterable(users)
        for values, get in zip(self.fields, _GETTERS, strict=True):
            values += map(get, messages)
        if messages:
            self.channels.append(channel)
            self.counts.append(len(messages))
        self.messages += len(messages)
        self.files.append((done, name))
        return True

    def segment(self) -> tuple:
        """``("bulk", files, skipped, events)``, or ``("lines", files)`` if anything in
        the group is unusual."""
        result = self.events()
        if result is None:
            return ("lines", self.files)
        return ("bulk", self.files, *result)

    def events(self) -> tuple[Counter, list[pa.Array]] | None:
        """Skip counts and event columns; None if anything is unusual."""
        skipped: Counter[str] = Counter()
        if self.direct:
            skipped["direct_message"] = self.direct
        if self.not_listed:
            skipped["reaction_user_not_listed"] = self.not_listed
        if not self.messages:
            return skipped, []
        try:
            ts, thread_ts, user, subtype, bot_id = (
                pa.array(values, pa.string()) for values in self.fields
            )
            reactor = pa.array(self.reactors, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None  # a value that is not a string (or null)
        if ts.null_count or not _all(pc.match_substring_regex(ts, _POST_TS)):
            return None
        if not _all(pc.match_substring_regex(thread_ts, _ANY_TS)):  # a null is a post
            return None
        if reactor.null_count or pc.any(pc.equal(reactor, "")).as_py():
            return None
        channel = pa.array(self.channels, pa.string()).take(
            np.repeat(np.arange(len(self.channels), dtype=np.int32), self.counts)
        )
        event_id = pc.binary_join_element_wise(channel, ts, ":")
        micros = pc.cast(pc.replace_substring(ts, ".", ""), pa.int64())
        is_post = pc.fill_null(pc.equal(thread_ts, ts), True)
        thread = pc.if_else(is_post, event_id, pc.binary_join_element_wise(channel, thread_ts, ":"))

        # What becomes of each message, decided in the order _messages decides it. A
        # message without a subtype is a person's (and is_in is false for a null).
        subtype_skip = pc.and_(pc.is_valid(subtype), pc.invert(pc.is_in(subtype, _USER_SUBTYPES)))
        for item in pc.value_counts(pc.filter(subtype, subtype_skip)).to_pylist():
            skipped[item["values"]] += item["counts"]
        rest = pc.invert(subtype_skip)
        bot_message = pc.and_(rest, pc.fill_null(pc.not_equal(bot_id, ""), False))
        skipped["bot_message"] += pc.sum(bot_message).as_py() or 0
        rest = pc.and_(rest, pc.invert(bot_message))
        if pc.any(pc.and_(rest, pc.fill_null(pc.equal(user, ""), True))).as_py():
            return None  # a person's message without a user: malformed
        bot_user = pc.and_(rest, pc.is_in(user, self.bot_ids))
        skipped["bot_user"] += pc.sum(bot_user).as_py() or 0
        kept = pc.and_(rest, pc.invert(bot_user))

        # Reactions, of every message whatever became of it: user by user.
        reactions = np.array(self.reactions, dtype=np.int64)
        sizes = np.array(self.sizes, dtype=np.int64)
        of = np.repeat(np.repeat(np.array(self.reacted, dtype=np.int64), reactions), sizes)
        number = np.repeat(
            np.arange(len(sizes), dtype=np.int64)
            - np.repeat(np.cumsum(reactions) - reactions, reactions),
            sizes,
        )
        position = np.arange(len(of), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        by_bot = pc.is_in(reactor, self.bot_ids)
        skipped["bot_reaction"] += pc.sum(by_bot).as_py() or 0
        person = pc.invert(by_bot)
        people = person.to_numpy(zero_copy_only=False)
        of, number, position = of[people], number[people], position[people]
        reactor = reactor.filter(person)
        of_ = pa.array(of)
        react_id = pc.binary_join_element_wise(
            event_id.take(of_),
            ":react:",
            pc.cast(pa.array(number), pa.string()),
            ":",
            pc.cast(pa.array(position), pa.string()),
            "",
        )

        # A message's own event first, then its reactions, message after message.
        posts = np.flatnonzero(kept.to_numpy(zero_copy_only=False))
        order = pa.array(np.argsort(np.concatenate([posts * 2, of * 2 + 1]), kind="stable"))
        post = is_post.filter(kept)
        own_thread = thread.filter(kept)
        columns = [
            (event_id.filter(kept), react_id),
            (micros.filter(kept), micros.take(of_)),
            (user.filter(kept), reactor),
            (pc.if_else(post, "post", "reply"), repeated("react", len(of))),
            (own_thread, thread.take(of_)),
            (pc.if_else(post, _NULL, own_thread), event_id.take(of_)),
            (channel.filter(kept), channel.take(of_)),
        ]
        return +skipped, [pa.concat_arrays(pair).take(order) for pair in columns]


def _all(mask: pa.Array) -> bool:
    """Whether every value of a boolean array is true, leaving out nulls."""
    return pc.all(mask, min_count=0).as_py() is not False


def _messages(
    messages: list,
    channel: str,
    direct: bool,
    bots: frozenset[str],
    display: str,
    context: ImportContext,
) -> Iterator[tuple]:
    skip, malformed = context.skip, context.malformed
    six_digits = _SIX_DIGITS
    for index, message in enumerate(messages):
        if type(message) is not dict:
            malformed(display, f"record {index}", None, message, "a message object")
            continue
        ts = message.get("ts", MISSING)
        if type(ts) is str and six_digits(ts):
            micros = int(ts.replace(".", ""))  # the common case, without a call
        else:
            try:
                micros = slack_micros(ts)
            except ValueError:
                malformed(display, f"record {index}", "ts", ts, TS_EXPECTED)
                continue
        if direct:
            skip("direct_message")
            continue
        event_id = f"{channel}:{ts}"
        thread_ts = message.get("thread_ts")
        if thread_ts is None or thread_ts == ts:
            action, thread, parent = "post", event_id, None
        else:
            if type(thread_ts) is not str or not (_SIX_DIGITS(thread_ts) or _TS(thread_ts)):
                malformed(display, f"record {index}", "thread_ts", thread_ts, TS_EXPECTED)
                continue
            action = "reply"
            thread = parent = f"{channel}:{thread_ts}"

        subtype = message.get("subtype")
        if subtype is not None and subtype not in USER_SUBTYPES:
            skip(str(subtype))
        elif message.get("bot_id"):
            skip("bot_message")
        else:
            user = message.get("user", MISSING)
            if type(user) is not str or not user:
                malformed(display, f"record {index}", "user", user, "a Slack user id")
                continue
            if user in bots:
                skip("bot_user")
            else:
                yield event_id, micros, user, action, thread, parent, channel

        # A reaction is the reacting person's activity, kept even when the message it
        # answers was left out (a bot's announcement, a join notice).
        reactions = message.get("reactions")
        if not reactions:
            continue
        if type(reactions) is not list:
            malformed(display, f"record {index}", "reactions", reactions, "a list")
            continue
        for number, reaction in enumerate(reactions):
            users = reaction.get("users") if type(reaction) is dict else None
            if type(users) is not list:
                malformed(
                    display,
                    f"record {index}",
                    f"reactions[{number}].users",
                    users,
                    "a list of user ids",
                )
                continue
            for position, user in enumerate(users):
                if type(user) is not str or not user:
                    malformed(
                        display,
                        f"record {index}",
                        f"reactions[{number}].users[{position}]",
                        user,
                        "a Slack user id",
                    )
                elif user in bots:
                    skip("bot_reaction")
                else:
                    yield (
                        f"{event_id}:react:{number}:{position}",
                        micros,
                        user,
                        "react",
                        thread,
                        event_id,
                        channel,
                    )
            # Slack lists at most some of the users behind a large count.
            count = reaction.get("count")
            if type(count) is int and count > len(users):
                skip("reaction_user_not_listed", count - len(users))


def _conversations(source: ExportSource, context: ImportContext) -> dict[str, tuple[str, bool]]:
    """Folder name → (conversation id, whether it is a direct message)."""
    found: dict[str, tuple[str, bool]] = {}
    for listing, key, direct in LISTINGS:
        if not source.exists(listing):
            continue
        entries = load_json(source, listing, context)
        if entries is None:
            continue
        display = source.display(listing)
        if not isinstance(entries, list):
            context.malformed(display, None, None, None, "a JSON array of conversations")
            continue
        for index, entry in enumerate(entries):
            if type(entry) is not dict:
                context.malformed(display, f"record {index}", None, entry, "an object")
                continue
            conversation, folder = entry.get("id", MISSING), entry.get(key, MISSING)
            if type(conversation) is not str or not conversation:
                context.malformed(display, f"record {index}", "id", conversation, "an id")
            elif type(folder) is not str or not folder:
                context.malformed(display, f"record {index}", key, folder, "a folder name")
            else:
                found[folder] = (conversation, direct)
    return found


def _bot_users(source: ExportSource, context: ImportContext) -> frozenset[str]:
    if not source.exists("users.json"):
        return frozenset()
    users = load_json(source, "users.json", context)
    if not isinstance(users, list):
        if users is not None:
            context.malformed(
                source.display("users.json"), None, None, None, "a JSON array of users"
            )
        return frozenset()
    return frozenset(
        user["id"]
        for user in users
        if type(user) is dict and isinstance(user.get("id"), str) and user.get("is_bot")
    )
