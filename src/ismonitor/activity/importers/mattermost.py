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
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import ExportSource


@register
class MattermostImporter(BaseImporter):
    name = "mattermost"
    description = "Mattermost bulk export (JSONL from mmctl export)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        with ExportSource(path) as source:
            names = [n for n in source.names() if n.lower().endswith((".jsonl", ".json"))]
            if source.is_single_file:
                names = source.names()
            if not names:
                context.malformed(str(path), None, None, None, "a Mattermost bulk export (.jsonl)")
            for name in names:
                yield from _lines(source, name, context)


def _lines(source: ExportSource, name: str, context: ImportContext) -> Iterator[tuple]:
    display, size = source.display(name), source.size(name)
    malformed, skip = context.malformed, context.skip
    loads, decode_error = json.loads, json.JSONDecodeError
    bots: set[str] = set()
    done = 0
    with source.open(name) as file:
        for number, line in enumerate(file, 1):
            done += len(line)
            if number % 50_000 == 0:
                context.progress(done, size)
            if not line.strip():
                continue
            try:
                record = loads(line)
            except (decode_error, UnicodeDecodeError) as exc:
                malformed(display, f"line {number}", None, None, f"a JSON object ({exc})")
                continue
            kind = record.get("type") if type(record) is dict else MISSING
            if number == 1 and kind != "version":
                malformed(display, "line 1", "type", kind, "'version': the export's first line")
                return
            if kind == "post":
                yield from _post(record.get("post"), number, bots, display, context)
            elif kind == "direct_post":
                replies = (record.get("direct_post") or {}).get("replies") or ()
                skip("direct_message", 1 + len(replies))
            elif kind == "bot":
                username = (record.get("bot") or {}).get("username")
                if isinstance(username, str):
                    bots.add(username)
            elif type(kind) is not str:
                malformed(display, f"line {number}", "type", kind, "the kind of line")
    context.progress(size, size)


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
