"""Discourse topics (``/t/{id}.json``) and Data Explorer ``user_visits`` → events.

Reads every ``*.json`` file (a topic as ``/t/{id}.json`` returns it, or a page of its
posts from ``/t/{id}/posts.json``) and every CSV with the ``user_visits`` columns
(``user_id, visited_at, posts_read``), from one file, a folder or a ZIP; the option
``user_visits`` names a visits CSV kept elsewhere.

Post number 1 starts the topic (a post); every other post is a reply to post
``reply_to_post_number``, or to the first post when that is empty. The event id is
``<topic id>#<post number>``. A visit day with ``posts_read > 0`` becomes one read
event at 00:00 UTC of that day; as it is about no one topic its ``thread_id`` is the
empty string (:data:`~ismonitor.activity.events.NO_THREAD`) and its ``parent_id`` null.

A topic JSON holds only the first posts of a long topic (``post_stream.stream`` lists
them all): posts listed there but in none of the files are counted as skipped
``post_not_in_export``, so the gap shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from ..events import NO_THREAD, iso_micros, micros
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource, load_json

POST_TYPES = {2: "moderator_action", 3: "small_action", 4: "whisper"}
VISIT_COLUMNS = ("user_id", "visited_at", "posts_read")
TIME_EXPECTED = "an ISO 8601 time such as '2024-03-01T09:30:00.000Z'"


def _int(value) -> bool:
    return type(value) is int


@register
class DiscourseImporter(BaseImporter):
    name = "discourse"
    description = "Discourse topic JSON (/t/{id}.json) and Data Explorer user_visits CSV"
    options = {"user_visits": "a user_visits CSV (user_id, visited_at, posts_read) elsewhere"}

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        state = _Topics()
        with ExportSource(path) as source:
            names = source.names()
            for done, name in enumerate(names):
                lower = name.lower()
                if lower.endswith(".json"):
                    yield from state.read_file(source, name, context)
                elif lower.endswith(".csv"):
                    yield from _visits(source, name, done, context)
                context.progress(done + 1, len(names))
        visits = context.option("user_visits")
        if visits is not None:
            with ExportSource(visits) as source:
                yield from _visits(source, source.names()[0], len(names), context)
        state.count_missing(context)


class _Topics:
    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()
        self.listed: dict[int, set] = defaultdict(set)
        self.found: dict[int, set] = defaultdict(set)
        self.category: dict[int, str | None] = {}

    def read_file(self, source: ExportSource, name: str, context: ImportContext):
        data = load_json(source, name, context)
        if data is None:
            return
        display = source.display(name)
        stream = data.get("post_stream") if isinstance(data, dict) else None
        posts = stream.get("posts") if isinstance(stream, dict) else None
        if not isinstance(posts, list):
            context.malformed(
                display, "$.post_stream.posts", None, None, "a Discourse topic (/t/{id}.json)"
            )
            return
        topic = data.get("id")
        if _int(topic):
            category = data.get("category_id")
            if category is not None or topic not in self.category:
                self.category[topic] = None if category is None else str(category)
            if isinstance(stream.get("stream"), list):
                self.listed[topic].update(stream["stream"])
        for index, post in enumerate(posts):
            yield from self._post(post, topic, display, f"$.post_stream.posts[{index}]", context)

    def _post(self, post, topic, display: str, where: str, context: ImportContext):
        malformed, skip = context.malformed, context.skip
        if type(post) is not dict:
            malformed(display, where, None, post, "a post object")
            return
        topic = post.get("topic_id", topic)
        number, user = post.get("post_number", MISSING), post.get("user_id", MISSING)
        if not _int(topic):
            malformed(display, where, "topic_id", topic, "the topic's id (a number)")
            return
        if not _int(number) or number < 1:
            malformed(display, where, "post_number", number, "a post number (1, 2, ...)")
            return
        if (topic, number) in self.seen:
            skip("duplicate")
            return
        self.seen.add((topic, number))
        if _int(post.get("id")):
            self.found[topic].add(post["id"])
        post_type = post.get("post_type", 1)
        if post.get("deleted_at"):
            skip("deleted")
            return
        if post_type != 1:
            skip(POST_TYPES.get(post_type, f"post_type_{post_type}"))
            return
        if not _int(user):
            malformed(display, where, "user_id", user, "a user id (a number)")
            return
        if user < 0:
            skip("system_user")
            return
        created = post.get("created_at", MISSING)
        try:
            ts = iso_micros(created)
        except (TypeError, ValueError):
            malformed(display, where, "created_at", created, TIME_EXPECTED)
            return
        thread = f"{topic}#1"
        group = self.category.get(topic)
        if number == 1:
            yield thread, ts, str(user), "post", thread, None, group
            return
        reply_to = post.get("reply_to_post_number")
        if reply_to is not None and (not _int(reply_to) or reply_to < 1):
            malformed(display, where, "reply_to_post_number", reply_to, "a post number or null")
            return
        parent = f"{topic}#{reply_to or 1}"
        yield f"{topic}#{number}", ts, str(user), "reply", thread, parent, group

    def count_missing(self, context: ImportContext) -> None:
        missing = sum(len(ids - self.found[topic]) for topic, ids in self.listed.items())
        if missing:
            context.skip("post_not_in_export", missing)


def _visits(source: ExportSource, name: str, file_number: int, context: ImportContext):
    reader = CsvFile(source, name, context, VISIT_COLUMNS)
    if not reader.ok:
        return
    display, malformed, skip = reader.display, context.malformed, context.skip
    i_user, i_day, i_read = (reader.columns[column] for column in VISIT_COLUMNS)
    for line, row in reader.rows():
        where = f"line {line}"
        user, day, read = row[i_user].strip(), row[i_day].strip(), row[i_read].strip()
        if not user.lstrip("-").isdigit():
            malformed(display, where, "user_id", row[i_user], "a user id (a number)")
            continue
        try:
            visited = date.fromisoformat(day[:10])
        except ValueError:
            malformed(display, where, "visited_at", row[i_day], "a date such as 2024-03-01")
            continue
        if not read.isdigit():
            malformed(display, where, "posts_read", row[i_read], "a whole number")
            continue
        if int(user) < 0:
            skip("system_user")
        elif int(read) == 0:
            skip("visit_without_reading")
        else:
            midnight = micros(datetime(visited.year, visited.month, visited.day, tzinfo=UTC))
            yield f"visit:{file_number}:{line}", midnight, user, "read", NO_THREAD, None, None
