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

The file is read in bulk, a block of lines at a time: each line parsed with orjson,
the events gathered as columns and their ids made with pyarrow. A block with anything
unusual in it (a malformed line, a value orjson may read otherwise than ``json``) is
read again line by line, exactly as :func:`_line` reads it, naming each problem. Both
ways give the same events in the same order, and the same counts.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

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
        lines = enumerate(file, 1)
        while block := list(itertools.islice(lines, PROGRESS_LINES)):
            result = _bulk(block)
            if result is not None:
                skipped, events = _without_bots(result, bots)
                for reason, number in skipped.items():
                    context.skip(reason, number)
                yield from columns.add(events)
                done += sum(map(len, (line for _, line in block)))
                if block[-1][0] % PROGRESS_LINES == 0:
                    context.progress(done, size)
                continue
            yield from columns.flush()
            for number, line in block:
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


def _ranges(path: str) -> list[tuple[int, int, int]]:
    """``(offset, length, number of the first line)`` of consecutive parts of the file of
    about :data:`RANGE_BYTES`, each of whole lines."""
    ranges, start, first = [], 0, 1
    with open(path, "rb") as file:
        while data := file.read(RANGE_BYTES):
            if not data.endswith(b"\n"):
                data += file.readline()  # to the end of its line
            ranges.append((start, len(data), first))
            start += len(data)
            first += data.count(b"\n")
    return ranges


def _read_range(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as file:
        file.seek(offset)
        return file.read(length)


def _bulk_of_range(task: tuple[str, int, int, int]) -> tuple | None:
    """:func:`_bulk` of a part of the file, read by the worker process itself."""
    path, offset, length, first = task
    return _bulk(_numbered(_read_range(path, offset, length), first))


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
    the progress calls (one per part)."""
    ranges = _ranges(path)
    tasks = [(path, *part) for part in ranges]
    bots: set[str] = set()
    columns = EventColumns()
    for (offset, length, first), digest in zip(
        ranges, in_order(_bulk_of_range, tasks, workers), strict=True
    ):
        result = _without_bots(digest, bots) if digest is not None else None
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
        replies = (record.get("direct_post") or {}).get("replies") or ()
        context.skip("direct_message", 1 + len(replies))
    elif kind == "bot":
        username = (record.get("bot") or {}).get("username")
        if isinstance(username, str):
            bots.add(username)
    elif type(kind) is not str:
        context.malformed(display, f"line {number}", "type", kind, "the kind of line")


# --- in bulk -------------------------------------------------------------------------

POST, REPLY, POST_REACTION, REPLY_REACTION = range(4)
_MAX_MS = (2**63 - 1) // 1000  # times beyond this do not fit in microseconds
_NULL = pa.scalar(None, pa.string())


class _Unusual(Exception):
    """Something in a block that the line-by-line reading must see (and name)."""


def _bulk(block: list[tuple[int, bytes]]) -> tuple | None:
    """What a block of lines holds, as :func:`_line` finds it, but for the bots: skip
    counts, event columns, each event's kind and line, and the bots the block names
    with their lines (see :func:`_without_bots`); None if anything in it is unusual.
    Needs nothing of the lines before, so that it can run in a worker."""
    try:
        with collector_paused():
            return _bulk_events(block)
    except _Unusual:
        return None


def _without_bots(digest: tuple, bots: set[str]) -> tuple[Counter, list[pa.Array]]:
    """Skip counts and event columns of a block, exactly as :func:`_line` gives them:
    the posts, replies and reactions of the bots named before them (in ``bots``, from
    earlier blocks, or earlier in this block) left out and counted. Adds the block's
    bots to ``bots``."""
    skipped, events, kind, line, named = digest
    user = events[2]
    bot = pc.is_in(user, pa.array(sorted(bots), pa.string())).to_numpy(zero_copy_only=False)
    for number, username in named:
        bot |= (line > number) & pc.equal(user, username).to_numpy(zero_copy_only=False)
        bots.add(username)
    if bot.any():
        reaction = (kind == POST_REACTION) | (kind == REPLY_REACTION)
        skipped = Counter(skipped)
        skipped["bot_user"] += int((bot & ~reaction).sum())
        skipped["bot_reaction"] += int((bot & reaction).sum())
        keep = pa.array(~bot)
        events = [column.filter(keep) for column in events]
    return +skipped, events


def _bulk_events(block: list[tuple[int, bytes]]) -> tuple:
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    named: list[tuple[int, str]] = []  # the bot lines: line, username
    skipped: Counter[str] = Counter()
    # Per event: its kind, line, reply number, reaction number, milliseconds, user,
    # group; in lists of their own (a tuple per event would keep the garbage collector
    # busy).
    columns: tuple[list, ...] = ([], [], [], [], [], [], [])
    kinds, lines, replies_, reactions_, times, users, groups = (c.append for c in columns)
    for number, line in block:
        try:
            record = loads(line)
        except decode_error:
            if line.strip():
                raise _Unusual from None
            continue  # a blank line
        kind = record.get("type") if type(record) is dict else MISSING
        if number == 1:
            if kind != "version":
                raise _Unusual
            continue
        if kind == "post":
            post = record.get("post")
            if type(post) is not dict:
                raise _Unusual
            team, channel = post.get("team"), post.get("channel")
            if type(team) is not str or not team or type(channel) is not str or not channel:
                raise _Unusual
            group = f"{team}/{channel}"
            post_kind = post.get("type") or ""
            props = post.get("props")
            user = post.get("user", MISSING)
            if type(post_kind) is str and post_kind.startswith("system_"):
                skipped["system_message"] += 1
            elif (
                props
                and type(props) is dict
                and (props.get("from_webhook") == "true" or props.get("from_bot") == "true")
            ):
                skipped["bot_message"] += 1
            elif type(user) is not str or not user:
                raise _Unusual
            else:
                created = post.get("create_at")
                if type(created) is not int:
                    raise _Unusual
                kinds(POST)
                lines(number)
                replies_(0)
                reactions_(0)
                times(created)
                users(user)
                groups(group)
            reactions = post.get("reactions")
            if reactions:
                _bulk_reactions(reactions, POST_REACTION, number, 0, group, columns)
            replies = post.get("replies") or []
            if type(replies) is not list:
                raise _Unusual
            for position, reply in enumerate(replies):
                if type(reply) is not dict:
                    raise _Unusual
                user, created = reply.get("user"), reply.get("create_at")
                if type(user) is not str or not user or type(created) is not int:
                    raise _Unusual
                props = reply.get("props")
                if (
                    props
                    and type(props) is dict
                    and (props.get("from_webhook") == "true" or props.get("from_bot") == "true")
                ):
                    skipped["bot_message"] += 1
                else:
                    kinds(REPLY)
                    lines(number)
                    replies_(position)
                    reactions_(0)
                    times(created)
                    users(user)
                    groups(group)
                reactions = reply.get("reactions")
                if reactions:
                    _bulk_reactions(reactions, REPLY_REACTION, number, position, group, columns)
        elif kind == "direct_post":
            direct = record.get("direct_post") or {}
            if type(direct) is not dict:
                raise _Unusual
            replies = direct.get("replies") or ()
            if replies and type(replies) is not list:
                raise _Unusual
            skipped["direct_message"] += 1 + len(replies)
        elif kind == "bot":
            bot = record.get("bot")
            if bot and type(bot) is not dict:
                raise _Unusual
            username = (bot or {}).get("username")
            if isinstance(username, str):
                named.append((number, username))
        elif type(kind) is not str:
            raise _Unusual
    return (
        skipped,
        _columns(*columns),
        np.array(columns[0], np.int8),
        np.array(columns[1], np.int64),
        named,
    )


def _bulk_reactions(reactions, kind, number, position, group, columns) -> None:
    """Each reaction, as :func:`_reactions` finds them (``reactions`` is the message's,
    and not empty), added to ``columns``; bots' reactions too."""
    if type(reactions) is not list:
        raise _Unusual
    kinds, lines, replies, numbers, times, users, groups = columns
    for index, reaction in enumerate(reactions):
        if type(reaction) is not dict:
            raise _Unusual
        user, created = reaction.get("user"), reaction.get("create_at")
        if type(user) is not str or not user or type(created) is not int:
            raise _Unusual
        kinds.append(kind)
        lines.append(number)
        replies.append(position)
        numbers.append(index)
        times.append(created)
        users.append(user)
        groups.append(group)


def _columns(kinds, lines, replies, reactions, times, users, groups) -> list[pa.Array]:
    try:
        ms = np.array(times, np.int64)
    except OverflowError:
        raise _Unusual from None
    if len(ms) and np.abs(ms).max() > _MAX_MS:
        raise _Unusual  # the line-by-line reading hands it to the writer, which says so
    kind = np.array(kinds, np.int8)
    post = pc.binary_join_element_wise("L", pa.array(lines, pa.int64()).cast(pa.string()), "")
    in_reply = (kind == REPLY) | (kind == REPLY_REACTION)
    reaction = (kind == POST_REACTION) | (kind == REPLY_REACTION)
    reply_part = pc.if_else(
        pa.array(in_reply),
        pc.binary_join_element_wise(".", pa.array(replies, pa.int64()).cast(pa.string()), ""),
        "",
    )
    message = pc.binary_join_element_wise(post, reply_part, "")
    event_id = pc.if_else(
        pa.array(reaction),
        pc.binary_join_element_wise(
            message, ":react:", pa.array(reactions, pa.int64()).cast(pa.string()), ""
        ),
        message,
    )
    parent = pc.if_else(
        pa.array(reaction), message, pc.if_else(pa.array(kind == REPLY), post, _NULL)
    )
    action = pa.array(np.array(["post", "reply", "react", "react"], object)[kind], pa.string())
    return [
        event_id,
        pa.array(ms * 1000),
        pa.array(users, pa.string()),
        action,
        post,
        parent,
        pa.array(groups, pa.string()),
    ]


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
