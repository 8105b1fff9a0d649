"""Slack workspace export (ZIP or folder) → posts, replies and reactions.

Reads ``channels.json`` (and ``groups.json``, ``mpims.json``, ``dms.json`` when there),
``users.json`` (only to know which users are bots) and every ``<folder>/<YYYY-MM-DD>.json``.
A message without ``thread_ts`` or with ``thread_ts == ts`` is a post; one with another
``thread_ts`` a reply in the thread of that parent. Each user in ``reactions[].users``
reacts once; Slack does not say when, so a reaction gets its message's time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import ExportSource, load_json

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

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
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
            for done, name in enumerate(days):
                folder = name.split("/", 1)[0]
                if folder not in conversations:
                    context.malformed(
                        source.display(name),
                        None,
                        None,
                        None,
                        f"a conversation listed in channels.json, groups.json, mpims.json or "
                        f"dms.json (folder {folder!r} is not)",
                    )
                    continue
                channel, direct = conversations[folder]
                messages = load_json(source, name, context)
                if messages is None:
                    continue
                if not isinstance(messages, list):
                    context.malformed(
                        source.display(name), None, None, None, "a JSON array of messages"
                    )
                    continue
                yield from _messages(messages, channel, direct, bots, source.display(name), context)
                context.progress(done + 1, len(days))


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
