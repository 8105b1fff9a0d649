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

A large export's topic files are parsed in worker processes, a chunk of files each (see
``_common.import_workers``); the main process reads the visits. A worker does not know
the posts and categories of the chunks before its own: the main process leaves out the
posts a worker took that had been seen before (as duplicates), keeps the post ids
listed and found, and reads again, itself, a group in which a worker took a topic's
category otherwise than it is known (a topic's posts in files of more than one chunk)
and every file a worker found unusual. The dataset is the same whatever the number of
processes.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np
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
    file_sizes,
    import_workers,
    in_chunks,
    in_order,
    load_json,
    read_in_bulk,
    source_in_worker,
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
            files = list(enumerate(names))
            sizes = _sizes(source, names)
            workers = import_workers(sum(sizes), context)
            chunks = in_chunks(sizes, CHUNK_BYTES)
            reader = _Reader(source, state, columns, context, len(names))
            if workers == 1 or len(chunks) == 1:
                for segment in _segments(source, state, files):
                    yield from reader.take(segment)
            else:  # chunks of files parsed in worker processes, handed on in order
                tasks = [(str(path), files[chunk]) for chunk in chunks]
                for segments in in_order(_segments_in_worker, tasks, workers):
                    for segment in segments:
                        yield from reader.take_from_worker(segment)
        visits = context.option("user_visits")
        if visits is not None:
            with ExportSource(visits) as source:
                yield from _visits(source, source.names()[0], len(names), context, columns)
        yield from columns.flush()
        state.count_missing(context)


CHUNK_BYTES = 16 << 20
"""Topic files handed to a worker process at a time (when there are workers)."""

GROUP_EVENTS = 50_000
"""Events gathered before their times are read together."""

def _sizes(source: ExportSource, names: list[str]) -> list[int]:
    """The size of each topic file (0 for other files), or an estimate of it."""
    topics = [name.lower().endswith(".json") for name in names]
    sizes = iter(file_sizes(source, list(compress(names, topics))))
    return [next(sizes) if topic else 0 for topic in topics]


def _segments(source: ExportSource, state: _Topics, files: list[tuple[int, str]]) -> Iterator:
    """The files in order, in groups: ``("bulk", files, skipped, events, book)`` for a
    group of topic files read in bulk (``book``: what :meth:`_Topics.commit` and
    :func:`_reconciled` need), ``("lines", [file])`` for a topic file to be read post by
    post (in this process, which reports each problem), ``("other", [file])`` for a
    visits CSV or any other file. ``state`` is what the files before left, as the one
    reading the segments keeps it: it commits a bulk group before asking for more.

    Which topic files are read post by post depends on nothing but each file and what
    came before it (not on the groups), so that the events come in the same batches
    however the files are split among processes."""
    start = 0
    while start < len(files):
        group = _Group(state)
        index, stop = start, None
        # The collector paused: the group's files are parsed and their events taken out
        # with no yield in between (see collector_paused).
        with collector_paused():
            while index < len(files):
                done, name = files[index]
                if not name.lower().endswith(".json"):
                    stop = "other"
                    break
                index += 1
                data = fast_json(source.read(name))
                taken = data is not NOT_JSON and group.add(done, name, data)
                data = None  # let it go before the next is read
                if not taken:
                    stop = "lines"
                    break
                if group.events >= GROUP_EVENTS:
                    break
        if group.files:
            segment = group.segment()
            if segment is None:  # a time in another form: the first file with one
                bad = group.first_with_unusual_times()
                files_before, group = group.files[:bad], None
                yield from _segments(source, state, files_before)  # read again, all usual
                yield ("lines", [files[start + bad]])
                start += bad + 1
                continue
            group = None
            yield segment
        if stop == "lines":
            yield ("lines", [files[index - 1]])
        elif stop == "other":
            yield ("other", [files[index]])
            index += 1
        start = index


def _segments_in_worker(task: tuple) -> list[tuple]:
    """:func:`_segments` of one chunk of files, in a worker process, knowing only what
    this chunk's own groups saw (the main process checks the rest: :func:`_reconciled`)."""
    path, files = task
    source = source_in_worker(path, None)
    state = _Topics()
    segments = []
    for segment in _segments(source, state, files):
        if segment[0] == "bulk":
            state.commit(segment[4], everything=False)
        segments.append(segment)
    return segments


class _Reader:
    """Takes the segments in order: counts, events, progress, and the state."""

    def __init__(self, source, state: _Topics, columns: EventColumns, context, total: int):
        self.source, self.state, self.columns = source, state, columns
        self.context, self.total = context, total

    def take(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        context, total = self.context, self.total
        kind, files = segment[:2]
        if kind == "bulk":
            _, _, skipped, events, book = segment
            self.state.commit(book)
            for reason, number in skipped.items():
                context.skip(reason, number)
            yield from self.columns.add(events)
            for done, _ in files:
                context.progress(done + 1, total)
        elif kind == "lines":  # anything unusual: what came before, then post by post
            yield from self.columns.flush()
            for done, name in files:
                yield from self.state.read_file(self.source, name, context)
                context.progress(done + 1, total)
        else:
            for done, name in files:
                if name.lower().endswith(".csv"):
                    yield from _visits(self.source, name, done, context, self.columns)
                context.progress(done + 1, total)

    def take_from_worker(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        """A segment made in a worker process, which did not know what the files before
        its chunk left: as it is where that changes nothing, else with the posts seen
        before left out, else (rarely) read again here."""
        if segment[0] == "other":
            yield from self.take(segment)
            return
        checked = _reconciled(segment, self.state) if segment[0] == "bulk" else None
        if checked is not None:
            yield from self.take(checked)
            return
        for again in _segments(self.source, self.state, segment[1]):
            yield from self.take(again)


def _reconciled(segment: tuple, state: _Topics) -> tuple | None:
    """A bulk segment made without knowing ``state``, as if made knowing it: a post it
    took that is in ``state.seen`` is a duplicate. None if it read a topic's category
    otherwise than ``state`` has it, or left out a post as a duplicate that is not one
    after all (the group must be read again)."""
    _, files, skipped, events, book = segment
    claimed, outcomes, found, dups, category, assumed, unknown, listed = book
    known, seen = state.category, state.seen
    if any(topic in known for topic in unknown) or any(
        known.get(topic, _ABSENT) != value for topic, value in assumed.items()
    ):
        return None
    if seen.isdisjoint(claimed) and all(key in seen for _, key, in_group in dups if not in_group):
        return segment
    taken: list = []
    taken_found: list = []
    kept: set = set()
    dropped: list[int] = []
    less: Counter[str] = Counter()
    waiting = iter(dups)  # the duplicates in the order met, by the posts taken before
    dup = next(waiting, None)
    row = 0
    for index, key in enumerate(claimed):
        while dup is not None and dup[0] <= index:
            if dup[1] not in seen and dup[1] not in kept:
                return None
            dup = next(waiting, None)
        outcome = outcomes[index]
        if key in seen:
            if outcome is None:
                dropped.append(row)
            else:
                less[outcome] += 1
            less["duplicate"] -= 1
        else:
            kept.add(key)
            taken.append(key)
            taken_found.append(found[index])
        if outcome is None:
            row += 1
    while dup is not None:
        if dup[1] not in seen and dup[1] not in kept:
            return None
        dup = next(waiting, None)
    counts = Counter(skipped)
    counts.subtract(less)
    counts = Counter({reason: number for reason, number in counts.items() if number})
    if dropped:
        keep = np.ones(len(events[0]), bool)
        keep[dropped] = False
        mask = pa.array(keep)
        events = [column.filter(mask) for column in events]
    book = (taken, [], taken_found, [], category, {}, set(), listed)
    return ("bulk", files, counts, events, book)


class _Unusual(Exception):
    """Something in a file that the file-by-file reading must see (and name)."""


_ABSENT = object()

_SPREAD = 2_654_435_761
"""A number or id below this is kept with its topic as ``topic * _SPREAD + value``: one
number for each pair, whose hash (the number itself) spreads over a set's slots as that
of ``topic << 32 | value`` would not (its low bits would be the post number)."""


def _pair(topic: int, value) -> int | tuple:
    """``(topic, value)`` as one number where ``value`` is a whole number from 0 to
    :data:`_SPREAD` (a post number or id): kept, hashed and compared faster than a pair,
    and nothing for the garbage collector to walk; else the pair. Equal pairs give
    equal keys (``1.0`` and ``True`` are ``1``, as in a pair)."""
    if type(value) is not int:
        if type(value) is bool or (type(value) is float and value.is_integer()):
            value = int(value)
        else:
            return (topic, value)
    return topic * _SPREAD + value if 0 <= value < _SPREAD else (topic, value)


class _Group:
    """The events of a group of topic files, gathered post by post exactly as
    :meth:`_Topics._post` makes them, with their times as text (read together at the
    end). Changes nothing in ``state``: the reader commits what the group took.

    For the main process to correct a group made in a worker process (which did not know
    what the files before its chunk left), the group keeps, for every post it took, what
    became of it, every duplicate it left out, and the categories of topics it took from
    ``state``."""

    def __init__(self, state: _Topics):
        self.state = state
        self.files: list[tuple[int, str]] = []
        self.ends: list[int] = []  # the events after each file
        self.seen: set = set()
        self.claimed: list = []  # the keys of the posts taken, in order
        self.outcomes: list[str | None] = []  # of each: None (an event) or why skipped
        self.found: list = []  # of each: the key of its post id, or None
        self.dups: list[tuple[int, Any, bool]] = []  # (posts taken before, key, in group)
        self.listed: list = []
        self.category: dict[int, str | None] = {}
        self.assumed: dict[int, str | None] = {}  # categories taken from state
        self.unknown: set[int] = set()  # topics whose category state did not know
        self.ids: list[str] = []
        self.times: list = []
        self.users: list[str] = []
        self.actions: list[str] = []
        self.threads: list[str] = []
        self.parents: list = []
        self.groups: list = []
        self.events = 0

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

    def segment(self) -> tuple | None:
        """``("bulk", files, skipped, events, book)``; None if a time is in another form
        (then see :meth:`first_with_unusual_times`)."""
        ts = bulk_iso_micros(self.times)
        if ts is None:
            return None
        skipped = Counter(self.outcomes)
        del skipped[None]
        if self.dups:
            skipped["duplicate"] = len(self.dups)
        events = [
            pa.array(self.ids, pa.string()),
            ts,
            pa.array(self.users, pa.string()),
            pa.array(self.actions, pa.string()),
            pa.array(self.threads, pa.string()),
            pa.array(self.parents, pa.string()),
            pa.array(self.groups, pa.string()),
        ]
        book = (
            self.claimed,
            self.outcomes,
            self.found,
            self.dups,
            self.category,
            self.assumed,
            self.unknown,
            self.listed,
        )
        return ("bulk", self.files, skipped, events, book)

    def first_with_unusual_times(self) -> int:
        """The place in the group of the first file with a time in another form."""
        start = 0
        for place, end in enumerate(self.ends):
            if bulk_iso_micros(self.times[start:end]) is None:
                return place
            start = end
        return 0  # pragma: no cover - a time is checked on its own

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
        rows, taken, dups = len(self.ids), len(self.claimed), len(self.dups)
        if not self._posts(posts, topic, category):
            for column in self._columns():
                del column[rows:]
            self.seen.difference_update(self.claimed[taken:])
            del self.claimed[taken:], self.outcomes[taken:], self.found[taken:]
            del self.dups[dups:]
            return False
        self.category.update(category)
        if listed:
            base = topic * _SPREAD
            if min(listed) >= 0 and max(listed) < _SPREAD:
                self.listed.extend(map(base.__add__, listed))
            else:
                self.listed.extend([_pair(topic, post_id) for post_id in listed])
        self.files.append((done, name))
        self.events = len(self.ids)
        self.ends.append(self.events)
        return True

    def _category(self, topic: int, category: dict):
        """The category of a topic as known at this point (``_ABSENT`` if not known), from
        the file's ``category``, the group's or the state's."""
        found = category.get(topic, _ABSENT)
        if found is _ABSENT:
            found = self.category.get(topic, _ABSENT)
            if found is _ABSENT:
                found = self.state.category.get(topic, _ABSENT)
                if found is _ABSENT:
                    self.unknown.add(topic)
                else:
                    self.assumed[topic] = found
        return found

    def _posts(self, posts: list, file_topic, category: dict) -> bool:
        """The file's posts into the columns, as :meth:`_Topics._post` makes them; False
        if anything is unusual."""
        earlier, in_group = self.state.seen, self.seen
        claimed, outcomes, found = self.claimed.append, self.outcomes.append, self.found.append
        threads: dict[int, tuple[str, str | None]] = {}  # topic: thread, group
        ids, times, users = self.ids.append, self.times.append, self.users.append
        actions, thread_ids, parents = self.actions.append, self.threads.append, self.parents.append
        groups = self.groups.append
        for post in posts:
            if type(post) is not dict:
                return False
            get = post.get
            topic = get("topic_id", file_topic)
            number, user = get("post_number", MISSING), get("user_id", MISSING)
            if type(topic) is not int or type(number) is not int or number < 1:
                return False
            key = topic * _SPREAD + number if number < _SPREAD else (topic, number)
            if key in in_group or key in earlier:
                self.dups.append((len(self.claimed), key, key in in_group))
                continue
            in_group.add(key)
            claimed(key)
            post_id = get("id")
            if type(post_id) is int:
                found(topic * _SPREAD + post_id if 0 <= post_id < _SPREAD else (topic, post_id))
            elif type(post_id) is float:
                return False  # perhaps an integer beyond 64 bits, which json keeps whole
            else:
                found(None)
            post_type = get("post_type", 1)
            if type(post_type) is float and not abs(post_type) < BIG_FLOAT:
                return False
            if get("deleted_at"):
                outcomes("deleted")
            elif post_type != 1:
                outcomes(POST_TYPES.get(post_type, f"post_type_{post_type}"))
            elif type(user) is not int:
                return False
            elif user < 0:
                outcomes("system_user")
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
                    reply_to = get("reply_to_post_number")
                    if reply_to is not None and (type(reply_to) is not int or reply_to < 1):
                        return False
                    ids(f"{topic}#{number}")
                    actions("reply")
                    parents(f"{topic}#{reply_to or 1}")
                times(get("created_at"))  # checked, and read, at the end
                users(str(user))
                thread_ids(thread)
                groups(group)
                outcomes(None)
        return True


class _Topics:
    """What the topic files read so far leave: the posts seen (to count duplicates), the
    post ids listed and found (to count those in no file) and the topics' categories.
    A post or post id is kept as :func:`_pair` of its topic and number or id."""

    def __init__(self) -> None:
        self.seen: set = set()
        self.listed: set = set()
        self.found: set = set()
        self.category: dict[int, str | None] = {}

    def commit(self, book: tuple, everything: bool = True) -> None:
        """Take in what a group read in bulk took (in a worker process, only what the
        groups after it need to know)."""
        claimed, _, found, _, category, _, _, listed = book
        self.seen.update(claimed)
        self.category.update(category)
        if everything:
            self.found.update(found)  # with None for posts without an id: never listed
            self.listed.update(listed)

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
                self.listed.update(_pair(topic, post_id) for post_id in stream["stream"])
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
        key = _pair(topic, number)
        if key in self.seen:
            skip("duplicate")
            return
        self.seen.add(key)
        if _int(post.get("id")):
            self.found.add(_pair(topic, post["id"]))
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
