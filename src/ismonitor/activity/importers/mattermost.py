"""Mattermost bulk export (JSONL) → posts, replies and reactions.

Reads the export file (or the ``.jsonl`` in a folder or ZIP) line by line: the first
line must be ``{"type": "version", ...}``. Each ``post`` line is a post in
``<team>/<channel>``; its ``replies`` are replies in its thread and its ``reactions``
(and each reply's) are reactions with their own ``create_at`` (milliseconds). Users are
usernames here; they are pseudonymised like any identifier.

The bulk export has no post ids, so an event id is the post's position in the file:
``L<line>`` for the post on that line, ``L<line>.<n>`` for its n-th reply, and
``...:react:<n>`` for reactions. The ids are stable for one export file, not across
exports. ``last_viewed_at`` (when a user last opened a channel) is too weak a reading
signal to become read events and is not imported.

The file is read in bulk, a block of lines at a time (with worker processes, a part
of the file each, mapped into memory): the lines parsed with msgspec, a thousand at a
time, into only the fields events are made of, these gathered into Arrow arrays, the
events put in order with numpy and their ids made with pyarrow. A block with anything
unusual in it (a malformed line, a value of another type than Mattermost's, JSON that
msgspec reads otherwise than ``json``) is read again line by line, exactly as
:func:`_line` reads it, naming each problem. Both ways give the same events in the same
order, and the same counts.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain, compress, count
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from msgspec.structs import astuple

from ..events import EventBatch
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import EventColumns, ExportSource, collector_paused, import_workers, in_order


@register
class MattermostImporter(BaseImporter):
    name = "mattermost"
    description = "Mattermost bulk export (JSONL from mmctl export)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        with ExportSource(path) as source:
            names = [n for n in source.names() if n.lower().endswith((".jsonl", ".json"))]
            if source.is_single_file:
                names = source.names()
            if not names:
                context.malformed(str(path), None, None, None, "a Mattermost bulk export (.jsonl)")
            for name in names:
                yield from _lines(source, name, context)


PROGRESS_LINES = 50_000
"""Progress is reported every this many lines; a block of lines read in bulk is as long."""


def _lines(source: ExportSource, name: str, context: ImportContext) -> Iterator[tuple | EventBatch]:
    display, size = source.display(name), source.size(name)
    workers = import_workers(size, context)
    local = source.local_path(name)
    if workers > 1 and local is not None:
        yield from _ranges_in_workers(local, display, size, context, workers)
        return
    bots: set[str] = set()
    columns = EventColumns()
    done = 0
    with source.open(name) as file:
        last = 0  # the number of the last line read
        while block := list(itertools.islice(file, PROGRESS_LINES)):
            first, last = last + 1, last + len(block)
            known = frozenset(bots)
            result = _bulk(b"".join(block), first, known)
            if result is not None:
                skipped, events = _without_bots(result, bots, known)
                for reason, number in skipped.items():
                    context.skip(reason, number)
                yield from columns.add(events)
                done += sum(map(len, block))
                if last % PROGRESS_LINES == 0:
                    context.progress(done, size)
                continue
            yield from columns.flush()
            for number, line in enumerate(block, first):
                done += len(line)
                if number % PROGRESS_LINES == 0:
                    context.progress(done, size)
                if number == 1 and not _version_line(line, display, context):
                    return
                yield from _line(number, line, bots, display, context)
    yield from columns.flush()
    context.progress(size, size)


RANGE_BYTES = 8 << 20
"""The part of the file a worker process reads at a time (whole lines)."""


def _ranges(path: str) -> Iterator[tuple[int, int, int]]:
    """``(offset, length, number of the first line)`` of consecutive parts of the file of
    about :data:`RANGE_BYTES`, each of whole lines; made as they are asked for, so that
    the workers start at once."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        try:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        except OSError:  # a file system that does not map files: read them
            start, first = 0, 1
            while part := file.read(RANGE_BYTES):
                part += b"" if part.endswith(b"\n") else file.readline()
                yield start, len(part), first
                start, first = start + len(part), first + part.count(b"\n")
            return
        if data is None:
            return
        with data:
            start, first = 0, 1
            while start < size:
                # to the end of the line the part would end in
                end = data.find(b"\n", min(start + RANGE_BYTES, size) - 1) + 1 or size
                after = first + _newlines(data, start, end)
                yield start, end - start, first
                start, first = end, after


def _newlines(data: mmap.mmap, start: int, end: int) -> int:
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, end - start, start) == 10))


def _mapped(path: str, offset: int, length: int) -> memoryview | bytes:
    """A part of a file, mapped into memory (unmapped when let go), or read."""
    try:
        with open(path, "rb") as file:
            return memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))[
                offset : offset + length
            ]
    except OSError:  # a file system that does not map files
        return _read_range(path, offset, length)


def _read_range(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as file:
        file.seek(offset)
        return file.read(length)


def _bulk_of_range(task: tuple[str, int, int, int, frozenset[str]]) -> tuple | None:
    """:func:`_bulk` of a part of the file, read by the worker process itself."""
    path, offset, length, first, known = task
    return _bulk(_mapped(path, offset, length), first, known)


def _numbered(text: bytes, first: int) -> list[tuple[int, bytes]]:
    """The lines of ``text`` (each as a file gives it, with its newline) and their numbers."""
    return list(enumerate(_split(text), first))


def _split(text: bytes) -> list[bytes]:
    """The lines of ``text`` as iterating over a binary file gives them: cut after each
    ``\\n`` only."""
    lines = [line + b"\n" for line in text.split(b"\n")]
    if lines[-1] == b"\n":
        lines.pop()  # the text ended with a newline
    else:
        lines[-1] = lines[-1][:-1]  # the file's last line, without one
    return lines


def _ranges_in_workers(
    path: str, display: str, size: int, context: ImportContext, workers: int
) -> Iterator[tuple | EventBatch]:
    """The file read by worker processes, a part each, as :func:`_lines` reads it but for
    the progress calls (one per part). Each worker is told the bots named before its
    part as far as they are known when it is handed the part."""
    bots: set[str] = set()
    handed: list[tuple[tuple[int, int, int], frozenset[str]]] = []  # each part, the bots

    def tasks() -> Iterator[tuple[str, int, int, int, frozenset[str]]]:
        for part in _ranges(path):
            handed.append((part, frozenset(bots)))
            yield (path, *part, handed[-1][1])

    columns = EventColumns()
    for index, digest in enumerate(in_order(_bulk_of_range, tasks(), workers)):
        (offset, length, first), known = handed[index]
        result = _without_bots(digest, bots, known) if digest is not None else None
        if result is not None:
            skipped, events = result
            for reason, number in skipped.items():
                context.skip(reason, number)
            yield from columns.add(events)
        else:  # anything unusual: read line by line here, naming each problem
            yield from columns.flush()
            for number, line in _numbered(_read_range(path, offset, length), first):
                if number == 1 and not _version_line(line, display, context):
                    return
                yield from _line(number, line, bots, display, context)
        context.progress(offset + length, size)
    yield from columns.flush()
    context.progress(size, size)


def _version_line(line: bytes, display: str, context: ImportContext) -> bool:
    """Whether the first line says the export's version; reports it if not."""
    if not line.strip():
        return True
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return True  # _line reports it
    kind = record.get("type") if type(record) is dict else MISSING
    if kind != "version":
        context.malformed(display, "line 1", "type", kind, "'version': the export's first line")
        return False
    return True


def _line(number: int, line: bytes, bots: set[str], display: str, context: ImportContext):
    """The rows of one line, read as ``json`` reads it, naming each problem."""
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        context.malformed(display, f"line {number}", None, None, f"a JSON object ({exc})")
        return
    kind = record.get("type") if type(record) is dict else MISSING
    if number == 1:
        return  # the version, checked by _version_line
    if kind == "post":
        yield from _post(record.get("post"), number, bots, display, context)
    elif kind == "direct_post":
        direct = record.get("direct_post") or {}
        replies = direct.get("replies") or () if type(direct) is dict else MISSING
        if type(direct) is not dict:
            context.malformed(display, f"line {number}", "direct_post", direct, "an object")
        elif type(replies) not in (list, tuple):
            expected = "a list of replies"
            context.malformed(display, f"line {number}", "direct_post.replies", replies, expected)
        else:
            context.skip("direct_message", 1 + len(replies))
    elif kind == "bot":
        bot = record.get("bot") or {}
        if type(bot) is not dict:
            context.malformed(display, f"line {number}", "bot", bot, "an object")
        elif isinstance(username := bot.get("username"), str):
            bots.add(username)
    elif type(kind) is not str:
        context.malformed(display, f"line {number}", "type", kind, "the kind of line")


# --- in bulk -------------------------------------------------------------------------

POST, REPLY, POST_REACTION, REPLY_REACTION = range(4)
_MAX_MS = (2**63 - 1) // 1000  # times beyond this do not fit in microseconds
_ACTIONS = pa.array(["post", "reply", "react", "react"], pa.string())  # by kind of event


class _Unusual(Exception):
    """Something in a block that the line-by-line reading must see (and name)."""


class _Reaction(msgspec.Struct, gc=False):
    user: str | None = None
    create_at: int | None = None


class _Props(msgspec.Struct, gc=False):
    """Whether a webhook or a bot posted a message: any JSON value, compared with
    ``"true"`` as :func:`_post` compares it."""

    from_webhook: Any = None
    from_bot: Any = None


class _Reply(msgspec.Struct, gc=False):  # the fields in the order _Messages.add takes them
    user: str | None = None
    create_at: int | None = None
    props: _Props | None = None
    reactions: list[_Reaction] | None = None


class _Post(msgspec.Struct, gc=False):  # the fields in the order _Gathered.add takes them
    team: str | None = None
    channel: str | None = None
    type: str | None = None
    user: str | None = None
    create_at: int | None = None
    props: _Props | None = None
    reactions: list[_Reaction] | None = None
    replies: list[_Reply] | None = None


class _DirectPost(msgspec.Struct, gc=False):
    replies: list[msgspec.Raw] | None = None  # only counted


class _Bot(msgspec.Struct, gc=False):
    username: Any = None


class _Line(msgspec.Struct, gc=False):
    """The fields of a line that events are made of (a missing one is None, as
    ``dict.get`` gives it; a value of another type sends the block line by line). Only
    posts, direct posts and bots are read: msgspec skips the objects of the other kinds
    of lines (``team``, ``channel``, ``user``, ...)."""

    type: str  # a line without one is named line by line
    post: _Post | None = None
    direct_post: _DirectPost | None = None
    bot: _Bot | None = None


_LINE = msgspec.json.Decoder(_Line)
_TYPE, _POST, _DIRECT_POST, _BOT, _USER, _CREATED, _REPLIES = map(
    attrgetter, ("type", "post", "direct_post", "bot", "user", "create_at", "replies")
)
_FROM_WEBHOOK, _FROM_BOT = attrgetter("from_webhook"), attrgetter("from_bot")

DECODE_LINES = 1024
"""Lines parsed at a time, their fields gathered at once while the processor's cache
still holds them."""


def _bulk(text: bytes | memoryview, first: int, known: frozenset[str]) -> tuple | None:
    """What a block of whole lines holds (``text``, its first line numbered ``first``),
    as :func:`_line` finds it if ``known`` are the bots named before it: skip counts,
    event columns, each event's kind, and the bots the block names with their lines (see
    :func:`_without_bots`); None if anything in it is unusual. Needs nothing of the
    lines before, so that it can run in a worker."""
    try:
        with collector_paused():
            return _bulk_events(text, first, known)
    except _Unusual:
        return None


def _without_bots(
    digest: tuple, bots: set[str], known: frozenset[str]
) -> tuple[Counter, list[pa.Array]]:
    """Skip counts and event columns of a block, exactly as :func:`_line` gives them:
    :func:`_bulk` left out the posts, replies and reactions of the bots it was told of
    (``known``) and of those the block names before them; here those of the bots named
    in earlier blocks that it was not told of (in ``bots``). Adds the block's bots to
    ``bots``."""
    skipped, events, kind, named = digest
    if bots - known:
        value_set = pa.array(sorted(bots - known), pa.string())
        bot = pc.is_in(events[2], value_set).to_numpy(zero_copy_only=False)
        if bot.any():
            reaction = (kind == POST_REACTION) | (kind == REPLY_REACTION)
            skipped = Counter(skipped)
            skipped["bot_user"] += int((bot & ~reaction).sum())
            skipped["bot_reaction"] += int((bot & reaction).sum())
            keep = pa.array(~bot)
            events = [column.filter(keep) for column in events]
    bots.update(username for _, username in named)
    return +skipped, events


def _by_bots(user: pa.Array, line: np.ndarray, known: frozenset[str], named: list) -> Any:
    """Whether each event is of a bot: one of ``known`` (named before), or one ``named``
    on an earlier line than the event's (each a line and a username); None if none."""
    if not known and not named:
        return None
    bot = np.zeros(len(user), bool)
    if known:
        value_set = pa.array(sorted(known), pa.string())
        bot |= pc.is_in(user, value_set).to_numpy(zero_copy_only=False)
    for number, username in named:
        bot |= (line > number) & pc.equal(user, username).to_numpy(zero_copy_only=False)
    return bot


def _bulk_events(text: bytes | memoryview, first: int, known: frozenset[str]) -> tuple:
    array = np.frombuffer(text, np.uint8)
    if len(array) and array.max() >= 0x80:  # not ASCII
        try:
            str(text, "utf-8")  # json refuses what is not; msgspec does not check
        except UnicodeDecodeError:  # the strings it skips
            raise _Unusual from None
    gathered = _Gathered()
    for records, numbers in _records(text, array, first):
        gathered.add(records, numbers)
    return gathered.digest(known)


def _records(
    text: bytes | memoryview, array: np.ndarray, first: int
) -> Iterator[tuple[list[_Line], Sequence[int]]]:
    """The lines of ``text`` (whole lines as a file gives them; ``array`` its bytes) that
    are not blank, as :data:`_LINE` reads each, with their numbers: :data:`DECODE_LINES`
    at a time."""
    ends = np.flatnonzero(array == ord("\n"))
    starts, stops = np.concatenate(([0], ends + 1)), np.append(ends, len(array))
    filled = stops > starts
    starts, stops = starts[filled], stops[filled]
    if (array[starts] == ord("{")).all() and (array[stops - 1] == ord("}")).all():
        # Each such line holds one value, or msgspec refuses the block: a value going
        # on past a line would close an inner object with the line's last "}", which
        # "," or a closing bracket must follow, not the "{" of the next line (no string
        # goes on past a line); a line of two values makes more values than lines.
        numbers = (np.flatnonzero(filled) + first).tolist()
        whole = memoryview(text)
        for at in range(0, len(numbers), DECODE_LINES):
            some = numbers[at : at + DECODE_LINES]
            try:
                records = _LINE.decode_lines(whole[starts[at] : stops[at + len(some) - 1]])
            except (msgspec.DecodeError, RecursionError):  # also a value of another type
                raise _Unusual from None
            if len(records) != len(some):
                raise _Unusual  # a line of more than one value
            yield records, some
        return
    # Else line by line (a line with spaces around its value, or a Windows line end).
    lines = bytes(text).split(b"\n")  # as a file gives them (without the newline)
    if not lines[-1]:
        lines.pop()  # after the last newline
    numbers: Sequence[int] = range(first, first + len(lines))
    not_blank = list(map(bytes.strip, lines))
    if not all(not_blank):  # blank lines, which hold nothing
        lines, numbers = list(compress(lines, not_blank)), list(compress(numbers, not_blank))
    for at in range(0, len(lines), DECODE_LINES):
        try:
            records = list(map(_LINE.decode, lines[at : at + DECODE_LINES]))
        except (msgspec.DecodeError, RecursionError):
            raise _Unusual from None
        yield records, numbers[at : at + DECODE_LINES]


class _Messages:
    """Posts or replies, as lists: of each its user and time; which say in their props
    that a webhook or a bot posted them; which have reactions, how many, and of each
    reaction its user and time."""

    def __init__(self) -> None:
        self.count = 0
        self.users: list = []
        self.times: list = []
        self.from_bot: list[int] = []
        self.reacted: list[int] = []
        self.reactions: list[int] = []
        self.reaction_users: list = []
        self.reaction_times: list = []

    def add(self, users: tuple, times: tuple, props: tuple, reactions: tuple) -> None:
        """Messages, as their fields: each a tuple of every message's."""
        first, self.count = self.count, self.count + len(users)
        self.users.append(_names(users))
        self.times.append(_ms(times))
        present = list(filter(None, props))
        said = {
            *_true_at(list(map(_FROM_WEBHOOK, present))),
            *_true_at(list(map(_FROM_BOT, present))),
        }
        if said:  # which messages they are
            with_props = list(compress(count(first), props))
            self.from_bot += (with_props[at] for at in said)
        some = list(filter(None, reactions))
        if some:
            self.reacted += compress(count(first), reactions)
            self.reactions += map(len, some)
            each = list(chain.from_iterable(some))
            self.reaction_users.append(_names(list(map(_USER, each))))
            self.reaction_times.append(_ms(list(map(_CREATED, each))))

    def by_bot(self) -> np.ndarray:
        """Whether each message's props say that a webhook or a bot posted it."""
        flags = np.zeros(self.count, bool)
        flags[np.array(self.from_bot, np.int64)] = True
        return flags


class _Gathered:
    """The fields of a block's lines that events are made of, gathered a few lines at a
    time: of the posts (with the line of each, its team, channel and type, and how many
    replies it has) and of their replies."""

    def __init__(self) -> None:
        self.skipped: Counter[str] = Counter()
        self.named: list[tuple[int, str]] = []  # the bot lines: line, username
        self.lines: list[int] = []
        self.teams: list = []
        self.channels: list = []
        self.types: list = []
        self.posts = _Messages()
        self.replied: list[int] = []
        self.replies: list[int] = []
        self.reply = _Messages()
        self.version_checked = False

    def add(self, records: list[_Line], numbers: Sequence[int]) -> None:
        if not self.version_checked:
            self.version_checked = True
            if numbers[0] == 1:  # the version line, which holds no events
                if records[0].type != "version":
                    raise _Unusual
                records, numbers = records[1:], numbers[1:]
        kinds = list(map(_TYPE, records))
        is_post = list(map("post".__eq__, kinds))
        posts = list(map(_POST, compress(records, is_post)))
        if len(posts) < len(records):
            self._others(records, numbers, kinds)
        if not posts:
            return
        if not all(posts):
            raise _Unusual  # a post line without a post object
        self.lines += compress(numbers, is_post)
        # the fields, in the order declared: each a tuple of every post's
        teams, channels, types, users, times, props, reactions, replies = zip(
            *map(astuple, posts), strict=True
        )
        self.teams.append(_names(teams))
        self.channels.append(_names(channels))
        self.types.append(_names(types))
        some = list(filter(None, replies))
        if some:
            self.replied += compress(count(self.posts.count), replies)
            self.replies += map(len, some)
            self.reply.add(*zip(*map(astuple, chain.from_iterable(some)), strict=True))
        self.posts.add(users, times, props, reactions)

    def _others(self, records: list[_Line], numbers: Sequence[int], kinds: list[str]) -> None:
        """Direct posts (counted with their replies) and bots."""
        direct = list(map(_DIRECT_POST, compress(records, map("direct_post".__eq__, kinds))))
        if direct:
            replies = filter(None, map(_REPLIES, filter(None, direct)))
            self.skipped["direct_message"] += len(direct) + sum(map(len, replies))
        is_bot = list(map("bot".__eq__, kinds))
        bots = map(_BOT, compress(records, is_bot))
        for number, bot in zip(compress(numbers, is_bot), bots, strict=True):
            username = bot.username if bot is not None else None
            if isinstance(username, str):
                self.named.append((number, username))

    def digest(self, known: frozenset[str]) -> tuple:
        """What :func:`_bulk` gives: the events in the order :func:`_post` gives them."""
        posts, reply = self.posts, self.reply
        teams, channels = _joined(self.teams, pa.string()), _joined(self.channels, pa.string())
        if not (_filled(teams) and _filled(channels)):
            raise _Unusual
        group = pc.binary_join_element_wise(teams, channels, "/")
        system = pc.starts_with(_joined(self.types, pa.string()), "system_")
        system = system.fill_null(False).to_numpy(zero_copy_only=False)
        from_bot = posts.by_bot() & ~system
        post_kept = ~(system | from_bot)
        reply_kept = ~reply.by_bot()
        self.skipped["system_message"] += int(system.sum())
        self.skipped["bot_message"] += int(from_bot.sum()) + reply.count - int(reply_kept.sum())
        post_users, post_ms = _joined(posts.users, pa.string()), _joined(posts.times, pa.int64())
        if not _filled(post_users.filter(post_kept)) or post_ms.filter(post_kept).null_count:
            raise _Unusual
        reply_users, reply_ms = _joined(reply.users, pa.string()), _joined(reply.times, pa.int64())
        users = [post_users.filter(post_kept), reply_users.filter(reply_kept)]
        ms = [post_ms.filter(post_kept), reply_ms.filter(reply_kept)]
        for messages in posts, reply:
            users.append(_joined(messages.reaction_users, pa.string()))
            ms.append(_joined(messages.reaction_times, pa.int64()))
        if not all(map(_filled, [reply_users, *users[2:]])) or any(
            column.null_count for column in [reply_ms, *ms[2:]]
        ):
            raise _Unusual

        # Where each event goes: each post, then its reactions, then each of its replies
        # followed by the reply's reactions; a message that is skipped leaves its reactions.
        post_replies = _counts(self.replied, self.replies, posts.count)
        post_reactions = _counts(posts.reacted, posts.reactions, posts.count)
        reply_reactions = _counts(reply.reacted, reply.reactions, reply.count)
        reply_of = np.repeat(np.arange(posts.count), post_replies)
        reply_at = np.arange(reply.count) - np.repeat(_before(post_replies), post_replies)
        posts_at = np.arange(posts.count) + _before(post_replies)  # among posts and replies
        replies_at = posts_at[reply_of] + 1 + reply_at
        events = np.zeros(posts.count + reply.count, np.int64)  # of each message
        events[posts_at] = post_kept + post_reactions
        events[replies_at] = reply_kept + reply_reactions
        start = _before(events)
        post_start, reply_start = start[posts_at], start[replies_at]
        reacted, reaction_at = _owners(post_reactions)
        reply_reacted, reply_reaction_at = _owners(reply_reactions)
        kept_posts = np.flatnonzero(post_kept)
        parts = [  # kind, where each goes, post, message (posts, then replies), reaction
            (POST, post_start[post_kept], kept_posts, kept_posts, -1),
            (
                REPLY,
                reply_start[reply_kept],
                reply_of[reply_kept],
                np.flatnonzero(reply_kept) + posts.count,
                -1,
            ),
            (
                POST_REACTION,
                post_start[reacted] + post_kept[reacted] + reaction_at,
                reacted,
                reacted,
                reaction_at,
            ),
            (
                REPLY_REACTION,
                reply_start[reply_reacted] + reply_kept[reply_reacted] + reply_reaction_at,
                reply_of[reply_reacted],
                reply_reacted + posts.count,
                reply_reaction_at,
            ),
        ]
        sizes = [len(part[1]) for part in parts]
        order = np.empty(sum(sizes), np.int64)  # of the events as in parts
        order[np.concatenate([part[1] for part in parts])] = np.arange(len(order))
        user = pa.concat_arrays(users)
        lines = np.array(self.lines, np.int64)
        line = lines[np.concatenate([part[2] for part in parts])]
        bot = _by_bots(user, line, known, self.named)
        if bot is not None:
            messages = sizes[0] + sizes[1]
            self.skipped["bot_user"] += int(bot[:messages].sum())
            self.skipped["bot_reaction"] += int(bot[messages:].sum())
            order = order[~bot[order]]

        def column(values: list, dtype) -> np.ndarray:
            return np.concatenate(
                [
                    np.broadcast_to(np.asarray(value, dtype), (size,))
                    for value, size in zip(values, sizes, strict=True)
                ]
            )[order]

        kind = column([part[0] for part in parts], np.int8)
        post = column([part[2] for part in parts], np.int64)
        message = column([part[3] for part in parts], np.int64)
        reaction = column([part[4] for part in parts], np.int64)
        ms = pa.concat_arrays(ms).to_numpy()[order]
        if len(ms) and (ms.max() > _MAX_MS or ms.min() < -_MAX_MS):
            raise _Unusual  # the line-by-line reading hands it to the writer, which says so
        event_id, thread, parent = _ids(lines, reply_of, reply_at, post, message, reaction)
        columns = [
            event_id,
            pa.array(ms * 1000),
            user.take(order),
            _ACTIONS.take(pa.array(kind)),
            thread,
            parent,
            group.take(post),
        ]
        return +self.skipped, columns, kind, self.named


def _ids(lines, reply_of, reply_at, post, message, reaction) -> tuple[pa.Array, ...]:
    """Event, thread and parent ids (see the module's docstring) of events of ``post``
    (on ``lines``), of ``message`` (the posts, then the replies: ``reply_of`` a post,
    the ``reply_at``-th), and each a ``reaction``-th reaction to it (-1 if not one)."""
    post_ids = pc.binary_join_element_wise("L", pa.array(lines).cast(pa.string()), "")
    message_ids = pa.concat_arrays(
        [
            post_ids,
            pc.binary_join_element_wise(
                post_ids.take(reply_of), pa.array(reply_at).cast(pa.string()), "."
            ),
        ]
    )
    parents = pa.concat_arrays(  # of each message, then of a reaction to each
        [pa.nulls(len(post_ids), pa.string()), post_ids.take(reply_of), message_ids]
    )
    most = int(reaction.max()) + 1 if len(reaction) else 0
    suffixes = pa.array(["", *(f":react:{number}" for number in range(most))], pa.string())
    event_id = pc.binary_join_element_wise(
        message_ids.take(message), suffixes.take(reaction + 1), ""
    )
    parent = parents.take(np.where(reaction >= 0, message + len(message_ids), message))
    return event_id, post_ids.take(post), parent


def _true_at(values: list) -> list[int]:
    """Where ``values`` hold ``"true"`` (equal to it, as ``==`` compares)."""
    at, found = -1, []
    for _ in range(values.count("true")):
        at = values.index("true", at + 1)
        found.append(at)
    return found


def _joined(arrays: list, type_) -> pa.Array:
    return pa.concat_arrays(arrays) if arrays else pa.array([], type_)


def _names(values: list) -> pa.Array:
    return pa.array(values, pa.string())


def _filled(names: pa.Array) -> bool:
    """Whether every one is there and not empty."""
    return not names.null_count and (not len(names) or pc.min(pc.binary_length(names)).as_py() > 0)


def _ms(values: list) -> pa.Array:
    """Times in milliseconds (None is null); unusual if one is beyond 64 bits."""
    try:
        return pa.array(values, pa.int64())
    except (OverflowError, pa.ArrowInvalid):
        raise _Unusual from None


def _counts(which: list[int], sizes: list[int], total: int) -> np.ndarray:
    counts = np.zeros(total, np.int64)
    counts[np.array(which, np.int64)] = sizes
    return counts


def _owners(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items counted by ``sizes`` (per owner), each item's owner and its index among
    the owner's items."""
    return np.repeat(np.arange(len(sizes)), sizes), np.arange(int(sizes.sum())) - np.repeat(
        _before(sizes), sizes
    )


def _before(sizes: np.ndarray) -> np.ndarray:
    """For each size, the sum of those before it."""
    return np.cumsum(sizes) - sizes


def _post(post, number: int, bots: set[str], display: str, context: ImportContext):
    malformed, skip = context.malformed, context.skip
    where = f"line {number}"
    if type(post) is not dict:
        malformed(display, where, "post", post, "a post object")
        return
    team, channel = post.get("team", MISSING), post.get("channel", MISSING)
    for key, value in (("team", team), ("channel", channel)):
        if type(value) is not str or not value:
            malformed(display, where, f"post.{key}", value, f"the {key}'s name")
            return
    group = f"{team}/{channel}"
    post_id = f"L{number}"
    kind = post.get("type") or ""
    props = post.get("props") if type(post.get("props")) is dict else {}
    user = post.get("user", MISSING)
    if type(kind) is str and kind.startswith("system_"):
        skip("system_message")
    elif props.get("from_webhook") == "true" or props.get("from_bot") == "true":
        skip("bot_message")
    elif type(user) is not str or not user:
        malformed(display, where, "post.user", user, "a username")
        return
    elif user in bots:
        skip("bot_user")
    else:
        created = post.get("create_at", MISSING)
        if type(created) is not int:
            malformed(display, where, "post.create_at", created, "milliseconds since 1970")
            return
        yield post_id, created * 1000, user, "post", post_id, None, group
    yield from _reactions(post, post_id, post_id, group, where, "post", bots, display, context)

    replies = post.get("replies") or []
    if type(replies) is not list:
        malformed(display, where, "post.replies", replies, "a list of replies")
        return
    for index, reply in enumerate(replies):
        path = f"post.replies[{index}]"
        if type(reply) is not dict:
            malformed(display, where, path, reply, "a reply object")
            continue
        reply_id = f"{post_id}.{index}"
        user, created = reply.get("user", MISSING), reply.get("create_at", MISSING)
        reply_props = reply.get("props") if type(reply.get("props")) is dict else {}
        if type(user) is not str or not user:
            malformed(display, where, f"{path}.user", user, "a username")
            continue
        if type(created) is not int:
            malformed(display, where, f"{path}.create_at", created, "milliseconds since 1970")
            continue
        if reply_props.get("from_webhook") == "true" or reply_props.get("from_bot") == "true":
            skip("bot_message")
        elif user in bots:
            skip("bot_user")
        else:
            yield reply_id, created * 1000, user, "reply", post_id, post_id, group
        yield from _reactions(reply, reply_id, post_id, group, where, path, bots, display, context)


def _reactions(message, message_id, thread, group, where, path, bots, display, context):
    reactions = message.get("reactions") or []
    if type(reactions) is not list:
        context.malformed(display, where, f"{path}.reactions", reactions, "a list")
        return
    for index, reaction in enumerate(reactions):
        at = f"{path}.reactions[{index}]"
        user = reaction.get("user", MISSING) if type(reaction) is dict else MISSING
        created = reaction.get("create_at", MISSING) if type(reaction) is dict else MISSING
        if type(user) is not str or not user:
            context.malformed(display, where, f"{at}.user", user, "a username")
        elif type(created) is not int:
            context.malformed(display, where, f"{at}.create_at", created, "milliseconds")
        elif user in bots:
            context.skip("bot_reaction")
        else:
            yield (
                f"{message_id}:react:{index}",
                created * 1000,
                user,
                "react",
                thread,
                message_id,
                group,
            )
