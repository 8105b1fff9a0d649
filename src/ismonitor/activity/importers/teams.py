"""Microsoft Teams channel messages from Microsoft Graph (``chatMessage`` JSON) → events.

Reads one JSON file, or a folder or ZIP of them, each holding a Graph page
(``{"value": [...]}``), an array of messages, or one message. Replies may be nested under
``replies`` (``$expand=replies``) or be messages of their own with ``replyToId``; a
message found twice (both ways, or in overlapping pages) is imported once and the copy
counted as skipped ``duplicate``. A message with ``replyToId`` is a reply in the thread
of that channel post. Reactions have their own time and user.

The event id is ``<channelId>:<message id>``: Teams message ids are unique only within
their channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..events import iso_micros
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import ExportSource, load_json

TIME_EXPECTED = "an ISO 8601 time such as '2024-03-01T09:30:00.123Z'"


@register
class TeamsImporter(BaseImporter):
    name = "teams"
    description = "Microsoft Teams channel messages from Graph (chatMessage JSON files)"

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        seen: set[str] = set()
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".json")]
            if not names:
                context.malformed(str(path), None, None, None, "Graph chatMessage JSON files")
            for done, name in enumerate(names):
                data = load_json(source, name, context)
                display = source.display(name)
                if data is None:
                    continue
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
                    continue
                for index, message in enumerate(messages):
                    where = "$" if prefix is None else f"${'.' + prefix if prefix else ''}[{index}]"
                    yield from _message(message, None, display, where, seen, context)
                context.progress(done + 1, len(names))


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
