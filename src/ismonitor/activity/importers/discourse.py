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

Topic files are read in bulk: parsed with orjson, a group of files at a time, their times
read together with pyarrow; a file with anything unusual in it (a malformed post, a time
in another form than Discourse's own, a value orjson may read otherwise than ``json``)
is read again post by post, exactly as :meth:`_Topics.read_file` reads it, naming each
problem. Visits are read in bulk with pyarrow where every record is one plain line.
Both ways give the same events in the same order, and the same counts.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..events import NO_THREAD, EventBatch, iso_micros, micros
from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import (
    BIG_FLOAT,
    NOT_JSON,
    CsvFile,
    EventColumns,
    ExportSource,
    all_of_type,
    bulk_iso_micros,
    collector_paused,
    fast_json,
    load_json,
    read_in_bulk,
)

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

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple | EventBatch]:
        state = _Topics()
        columns = EventColumns()
        with ExportSource(path) as source:
            names = source.names()
            files = enumerate(names)
            while True:
                group = _Group(state)
                left = group.fill(source, files)
                yield from _bulk(group, source, len(names), columns, context)
                if left is _FULL:
                    continue
                if left is None:  # no files left
                    break
                # A file the group did not take, after those before it.
                done, name = left
                lower = name.lower()
                if lower.endswith(".json"):  # with anything unusual: line by line
                    yield from columns.flush()
                    yield from state.read_file(source, name, context)
                elif lower.endswith(".csv"):
                    yield from _visits(source, name, done, context, columns)
                context.progress(done + 1, len(names))
        visits = context.option("user_visits")
        if visits is not None:
            with ExportSource(visits) as source:
                yield from _visits(source, source.names()[0], len(names), context, columns)
        yield from columns.flush()
        state.count_missing(context)


GROUP_EVENTS = 50_000
"""Events gathered before their times are read together."""


def _bulk(group: _Group, source, total: int, columns: EventColumns, context):
    """The events of a group of topic files: in bulk if nothing in them is unusual, else
    file by file (from the state before the group)."""
    if not group.files:
        return
    ts = bulk_iso_micros(group.times)
    if ts is None:
        yield from columns.flush()
        for done, name in group.files:
            yield from group.state.read_file(source, name, context)
            context.progress(done + 1, total)
        return
    group.commit()
    for reason, number in group.skipped.items():
        context.skip(reason, number)
    yield from columns.add(
        [
            pa.array(group.ids, pa.string()),
            ts,
            pa.array(group.users, pa.string()),
            pa.array(group.actions, pa.string()),
            pa.array(group.threads, pa.string()),
            pa.array(group.parents, pa.string()),
            pa.array(group.groups, pa.string()),
        ]
    )
    for done, _ in group.files:
        context.progress(done + 1, total)


class _Unusual(Exception):
    """Something in a file that the file-by-file reading must see (and name)."""


_ABSENT = object()
_FULL = object()


class _Group:
    """The events of a group of topic files, gathered post by post exactly as
    :meth:`_Topics._post` makes them, with their times as text (read together at the
    end). Changes nothing in ``state`` until :meth:`commit`."""

    def __init__(self, state: _Topics):
        self.state = state
        self.files: list[tuple[int, str]] = []
        self.skipped: Counter[str] = Counter()
        self.seen: set[tuple[int, int]] = set()
        self.found: list[tuple[int, int]] = []
        self.listed: list[tuple[int, list]] = []
        self.category: dict[int, str | None] = {}
        self.ids: list[str] = []
        self.times: list = []
        self.users: list[str] = []
        self.actions: list[str] = []
        self.threads: list[str] = []
        self.parents: list = []
        self.groups: list = []
        self.events = 0

    def commit(self) -> None:
        state = self.state
        state.seen |= self.seen
        state.found.update(self.found)
        for topic, ids in self.listed:
            state.listed.update(zip(itertools.repeat(topic), ids))
        state.category.update(self.category)

    def _columns(self) -> tuple[list, ...]:
        return (
            self.ids,
            self.times,
            self.users,
            self.actions,
            self.threads,
            self.parents,
            self.groups,
        )

    def fill(self, source: ExportSource, files: Iterator[tuple[int, str]]):
        """Take topic files until the group is full (``_FULL``), the files run out
        (None), or a file comes that the group does not take: then ``(done, name)``.

        Python's garbage collector is paused meanwhile: the group's files are parsed
        and their events taken out with no yield in between (see collector_paused).
        """
        with collector_paused():
            for done, name in files:
                if not name.lower().endswith(".json"):
                    return done, name
                data = fast_json(source.read(name))
                taken = data is not NOT_JSON and self.add(done, name, data)
                data = None  # let it go before the next is read
                if not taken:
                    return done, name
                if self.events >= GROUP_EVENTS:
                    return _FULL
        return None

    def add(self, done: int, name: str, data) -> bool:
        """Take in one file (as orjson read it); False, taking nothing, if anything in it
        is unusual."""
        stream = data.get("post_stream") if type(data) is dict else None
        posts = stream.get("posts") if type(stream) is dict else None
        if type(posts) is not list:
            return False
        category: dict[int, str | None] = {}  # what this file says
        topic = data.get("id")
        listed = None
        if type(topic) is int:
            in_file = data.get("category_id")
            if in_file is not None and type(in_file) is not int:
                return False
            if in_file is not None or self._category(topic, category) is _ABSENT:
                category[topic] = None if in_file is None else str(in_file)
            listed = stream.get("stream")
            if type(listed) is list:
                if not all_of_type(listed, int):
                    return False
            else:
                listed = None
        elif type(topic) is float:
            return False  # perhaps an integer beyond 64 bits, which json keeps whole
        before = len(self.ids)
        taken = self._posts(posts, topic, category)
        if taken is None:
            for column in self._columns():
                del column[before:]
            return False
        seen, found, counted = taken
        self.category.update(category)
        self.seen.update(seen)
        self.found.extend(found)
        if listed is not None:
            self.listed.append((topic, listed))
        for reason, number in counted.items():
            self.skipped[reason] += number
        self.files.append((done, name))
        self.events = len(self.ids)
        return True

    def _category(self, topic: int, category: dict):
        """The category of a topic as known at this point (``_ABSENT`` if not known), from
        the file's ``category``, the group's or the state's."""
        for known in (category, self.category, self.state.category):
            found = known.get(topic, _ABSENT)
            if found is not _ABSENT:
                return found
        return _ABSENT

    def _posts(self, posts: list, file_topic, category: dict):
        """The file's posts into the columns, as :meth:`_Topics._post` makes them: the
        posts seen, the post ids found and the counts of what is left out; None if
        anything is unusual."""
        earlier, in_group = self.state.seen, self.seen
        seen: list[tuple[int, int]] = []
        found: list[tuple[int, int]] = []
        counted: dict[str, int] = {}
        threads: dict[int, tuple[str, str | None]] = {}  # topic: thread, group
        ids, times, users = self.ids.append, self.times.append, self.users.append
        actions, thread_ids, parents = self.actions.append, self.threads.append, self.parents.append
        groups = self.groups.append
        for post in posts:
            if type(post) is not dict:
                return None
            topic = post.get("topic_id", file_topic)
            number, user = post.get("post_number", MISSING), post.get("user_id", MISSING)
            if type(topic) is not int or type(number) is not int or number < 1:
                return None
            key = (topic, number)
            if key in earlier or key in in_group or key in seen:
                counted["duplicate"] = counted.get("duplicate", 0) + 1
                continue
            seen.append(key)
            post_id = post.get("id")
            if type(post_id) is int:
                found.append((topic, post_id))
            elif type(post_id) is float:
                return None  # perhaps an integer beyond 64 bits, which json keeps whole
            post_type = post.get("post_type", 1)
            if type(post_type) is float and not abs(post_type) < BIG_FLOAT:
                return None
            if post.get("deleted_at"):
                reason = "deleted"
            elif post_type != 1:
                reason = POST_TYPES.get(post_type, f"post_type_{post_type}")
            elif type(user) is not int:
                return None
            elif user < 0:
                reason = "system_user"
            else:
                if topic not in threads:
                    group = self._category(topic, category)
                    threads[topic] = (f"{topic}#1", None if group is _ABSENT else group)
                thread, group = threads[topic]
                if number == 1:
                    ids(thread)
                    actions("post")
                    parents(None)
                else:
                    reply_to = post.get("reply_to_post_number")
                    if reply_to is not None and (type(reply_to) is not int or reply_to < 1):
                        return None
                    ids(f"{topic}#{number}")
                    actions("reply")
                    parents(f"{topic}#{reply_to or 1}")
                times(post.get("created_at"))  # checked, and read, at the end
                users(str(user))
                thread_ids(thread)
                groups(group)
                continue
            counted[reason] = counted.get(reason, 0) + 1
        return seen, found, counted


class _Topics:
    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()
        # (topic, post id) pairs rather than a set per topic: many small sets would
        # keep Python's garbage collector busy
        self.listed: set[tuple] = set()
        self.found: set[tuple] = set()
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
                self.listed.update((topic, post_id) for post_id in stream["stream"])
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
            self.found.add((topic, post["id"]))
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
        missing = len(self.listed - self.found)
        if missing:
            context.skip("post_not_in_export", missing)


def _visits(
    source: ExportSource, name: str, file_number: int, context: ImportContext, columns: EventColumns
) -> Iterator[tuple | EventBatch]:
    reader = CsvFile(source, name, context, VISIT_COLUMNS)
    if not reader.ok:
        return
    start = 0
    if _one_record_a_line(source.read(name)):
        batches = read_in_bulk(reader, list(VISIT_COLUMNS), partial(_bulk_visits, file_number))
        while True:
            try:
                events = next(batches)
            except StopIteration as stop:
                start = stop.value
                break
            yield from columns.add(events)
        if start is None:
            reader.close()
            return
    yield from columns.flush()
    yield from _visit_rows(reader, file_number, context, start)


def _visit_rows(reader: CsvFile, file_number: int, context: ImportContext, start: int = 0):
    display, malformed, skip = reader.display, context.malformed, context.skip
    i_user, i_day, i_read = (reader.columns[column] for column in VISIT_COLUMNS)
    for line, row in itertools.islice(reader.rows(), start, None):
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


def _one_record_a_line(data: bytes) -> bool:
    """Whether each line of a CSV (after the header) is one record, with nothing quoted,
    no blank lines and no other line ends: then the record read in bulk as the n-th is on
    line n + 1, as the csv module counts."""
    return not (
        b'"' in data
        or b"\r" in data
        or b"\x00" in data
        or b"\n\n" in data
        or data.startswith(b"\n")
    )


_USER_ID = r"^-?[0-9]+$"
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_COUNT = r"^[0-9]+$"
_MICROS_A_DAY = 86_400_000_000


def _bulk_visits(file_number: int, batch: pa.RecordBatch, done: int):
    """Skip counts and event columns of a batch of visit rows, exactly as
    :func:`_visit_rows` gives them, or None if any row is unusual (or malformed)."""
    user, day, read = (batch.column(column) for column in VISIT_COLUMNS)
    if not (
        pc.all(pc.match_substring_regex(user, _USER_ID)).as_py() is not False
        and pc.all(pc.match_substring_regex(day, _DAY)).as_py() is not False
        and pc.all(pc.match_substring_regex(read, _COUNT)).as_py() is not False
    ):
        return None
    try:
        user_id, posts_read = user.cast(pa.int64()), read.cast(pa.int64())
        days = pc.utf8_slice_codeunits(day, 0, 10).cast(pa.date32())
    except pa.ArrowInvalid:
        return None  # a number beyond 64 bits, or a date that does not exist
    if len(days) and pc.min(pc.year(days)).as_py() < 1:
        return None  # Python has no year 0
    system = pc.less(user_id, 0)
    unread = pc.and_(pc.invert(system), pc.equal(posts_read, 0))
    keep = pc.invert(pc.or_(system, unread))
    skipped = {
        reason: count
        for reason, count in (
            ("system_user", pc.sum(system).as_py() or 0),
            ("visit_without_reading", pc.sum(unread).as_py() or 0),
        )
        if count
    }
    line = pa.array(range(done + 2, done + 2 + len(user)), pa.int64()).filter(keep)
    n = len(line)
    event_id = pc.binary_join_element_wise(f"visit:{file_number}:", line.cast(pa.string()), "")
    midnight = pc.multiply(days.filter(keep).cast(pa.int32()).cast(pa.int64()), _MICROS_A_DAY)
    return skipped, [
        event_id,
        midnight,
        user.filter(keep),
        pa.array(["read"] * n, pa.string()),
        pa.array([NO_THREAD] * n, pa.string()),
        pa.nulls(n, pa.string()),
        pa.nulls(n, pa.string()),
    ]
