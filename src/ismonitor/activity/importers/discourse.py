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

Topic files are read in bulk: each parsed with msgspec into only the fields events are
made of, and a group of files at a time turned into events with numpy and pyarrow; a file
with anything unusual in it (a malformed post, a value of another type than Discourse's,
a time in another form than Discourse's own, JSON that msgspec reads otherwise than
``json``) is read again post by post, exactly as :meth:`_Topics.read_file` reads it,
naming each problem. Visits are read in bulk with pyarrow where every record is one plain
line. Both ways give the same events in the same order, and the same counts.

A large export's files are parsed in worker processes, a chunk of files each (see
``_common.import_workers``): its topic files, and a visits CSV where all of it reads in
bulk (else, and for the option's CSV, the main process reads the visits). A worker does
not know the posts and categories of the chunks before its own: the main process leaves
out the posts a worker took that had been seen before (as duplicates; a post can only
repeat one of its own topic, so only topics seen before are looked at), keeps the post
ids listed and found, and reads again, itself, a group in which a worker took a topic's
category otherwise than it is known (a topic's posts in files of more than one chunk)
and every file a worker found unusual. The dataset is the same whatever the number of
processes.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from functools import partial
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, methodcaller, truth
from pathlib import Path
from typing import NamedTuple

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..events import NO_THREAD, EventBatch, iso_micros, micros
from ..registry import MISSING, BaseImporter, ImportContext, MalformedRecordError, register
from ._common import (
    INT64_MAX,
    INT64_MIN,
    NOT_JSON,
    PARALLEL_BYTES,
    CsvFile,
    EventColumns,
    ExportSource,
    Numbered,
    _hidden,
    bulk_iso_micros,
    collector_paused,
    collector_spared,
    counting,
    fast_structs,
    file_sizes,
    import_workers,
    in_chunks,
    in_order,
    load_json,
    read_in_bulk,
    repeated,
    sizes_estimated,
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
        early = _visits_to_read_early(Path(path), context)
        with ExportSource(path, listed=not early) as source, collector_spared() as spared:
            if early:  # read by a worker while this process lists the folder
                yield from self._with_visits_early(
                    path, source, early, state, columns, context, spared
                )
                names = source.names()
            else:
                names, files, lead, sizes, chunks = _plan(source)
                spared.settle()
                workers = import_workers(sum(sizes), context)
                reader = _Reader(source, state, columns, context, len(names))
                if workers == 1 or len(chunks) == 1:
                    for segment in _segments(source, state, files):
                        yield from reader.take(segment)
                else:  # chunks of files parsed in worker processes, handed on in order
                    tasks = _tasks(path, files, lead, chunks)
                    for segments in in_order(_segments_in_worker, tasks, workers):
                        for segment in segments:
                            yield from reader.take_from_worker(segment)
        visits = context.option("user_visits")
        if visits is not None:
            with ExportSource(visits) as source:
                yield from _visits(source, source.names()[0], len(names), context, columns)
        yield from columns.flush()
        state.count_missing(context)

    def _with_visits_early(self, path, source, early, state, columns, context, spared) -> Iterator:
        """The events of a folder export whose visits CSVs (``early``, at its top) are
        read by a worker while this process lists the folder (which takes a while for a
        hundred thousand topic files): as :meth:`read` reads it, if they are the files
        after the last topic file; else that worker's reading is not used, and they are
        read when their turn comes."""
        plan: list = []
        early_files = list(enumerate(early))

        def tasks() -> Iterator[tuple]:
            yield (str(path), early_files)  # (the workers start with it, on the unlisted folder)
            names, files, lead, _, chunks = _plan(source)
            spared.settle()
            used = names[:lead] == early  # (then the first task read them)
            plan.extend((len(names), used))
            yield from _tasks(path, files, lead, chunks)[int(used) :]

        workers = import_workers(PARALLEL_BYTES, context)
        results = in_order(_segments_in_worker, tasks(), workers)
        first = next(results)  # (the tasks handed out: the folder is listed)
        total, used = plan
        reader = _Reader(source, state, columns, context, total)
        for segments in chain([first] if used else [], results):
            for segment in segments:
                yield from reader.take_from_worker(segment)


def _plan(source: ExportSource) -> tuple:
    """The files of a topic export in the order read (the files after the last topic
    file, such as a visits CSV, first: with workers, this process takes their events
    while the workers parse the topic files, not at the end with the workers idle), each
    numbered: ``(names, files, lead, sizes, chunks)``, ``lead`` the number of files
    moved first, ``chunks`` of the topic files after them, for the workers."""
    names = source.names()
    end = len(names)
    while end and not names[end - 1].lower().endswith(".json"):
        end -= 1
    lead = len(names) - end
    names = names[end:] + names[:end]
    with collector_paused():  # (many small objects that live on)
        sizes = [0] * lead + _sizes(source, names[lead:])
    return names, Numbered(names), lead, sizes, in_chunks(sizes[lead:], CHUNK_BYTES)


def _tasks(path, files: Sequence, lead: int, chunks: list[slice]) -> list[tuple]:
    """The workers' tasks: the files moved first, then each chunk of topic files."""
    topics = files[lead:]
    tasks = [(str(path), topics[chunk]) for chunk in chunks]
    if lead:
        tasks.insert(0, (str(path), files[:lead]))
    return tasks


EARLY_VISIT_BYTES = 4 << 20
"""Visits CSVs at the top of a folder export at least this large (together) are read by
a worker while the folder is listed (see :meth:`DiscourseImporter._with_visits_early`)."""


def _visits_to_read_early(path: Path, context: ImportContext) -> list[str]:
    """The CSV files at the top of a folder export, sorted, if they are to be read by a
    worker while this process lists the folder: if they are large and workers may be
    used; else none."""
    if import_workers(PARALLEL_BYTES, context) == 1:
        return []
    try:
        with os.scandir(path) as entries:
            found = sorted(
                (entry.name, entry.stat(follow_symlinks=False).st_size)
                for entry in entries
                if entry.name.lower().endswith(".csv")
                and not _hidden(entry.name)  # (as the listing leaves it out)
                and entry.is_file(follow_symlinks=False)
            )
    except OSError:  # not a folder (a ZIP file), or one to list as usual
        return []
    if sum(size for _, size in found) < EARLY_VISIT_BYTES:
        return []
    return [name for name, _ in found]


CHUNK_BYTES = 16 << 20
"""Topic files handed to a worker process at a time (when there are workers)."""

GROUP_EVENTS = 50_000
"""Posts gathered before they are read together."""


def _sizes(source: ExportSource, names: list[str]) -> list[int]:
    """The size of each topic file (0 for other files), or an estimate of it. In a
    folder of many files (estimated from a sample) that are all topic files (the common
    case), that is seen in all names at once, not name by name (0.1 instead of 0.2 s for
    1.4 million names)."""
    if sizes_estimated(source, names):
        ends = ("\n".join(names) + "\n").lower().count(".json\n")
        if ends == len(names):
            return file_sizes(source, names)
    topics = list(map(_ENDS_JSON, map(str.lower, names)))
    sizes = np.zeros(len(names), np.int64)
    sizes[np.array(topics, bool)] = file_sizes(source, list(compress(names, topics)))
    return sizes.tolist()


_ENDS_JSON = methodcaller("endswith", ".json")


def _segments(source: ExportSource, state: _Topics, files: Sequence[tuple[int, str]]) -> Iterator:
    """The files in order, in groups: ``("bulk", files, skipped, events, book)`` for a
    group of topic files read in bulk (``book``: what :meth:`_Topics.commit` and
    :func:`_reconciled` need), ``("lines", [file])`` for a topic file to be read post by
    post (in this process, which reports each problem), ``("other", [file])`` for a
    visits CSV or any other file. ``state`` is what the files before left, as the one
    reading the segments keeps it: it commits a bulk group before asking for more.

    Which topic files are read post by post depends on nothing but each file and what
    came before it (not on the groups), so that the events come in the same batches
    however the files are split among processes."""
    files = list(files)  # (each pair made once: a Numbered makes it when asked)
    start = 0
    while start < len(files):
        group = _Group(state)
        index, stop, segment = start, None, None
        reads = source.read_many(map(_NAME, itertools.islice(files, start, None)))
        # The collector paused: the group's files are parsed, and kept until their events
        # are taken out (see collector_paused).
        with collector_paused():
            while index < len(files):
                done, name = files[index]
                if not name.lower().endswith(".json"):
                    stop = "other"
                    break
                index += 1
                data = fast_structs(_TOPIC_FILE, next(reads))
                if data is NOT_JSON or not group.add(done, name, data):
                    stop = "lines"
                    break
                if group.size >= GROUP_EVENTS:
                    break
            data = None
            if group.files:
                segment = group.segment()
        unusual, group = group.unusual, None
        if segment is not None:
            yield segment
        if unusual is not None:  # the first file with anything unusual, then on after it
            yield ("lines", [files[start + unusual]])
            start += unusual + 1
            continue
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
        elif segment[0] == "other":
            done, name = segment[1][0]
            visits = _visits_in_worker(source, name, done)
            if visits is not None:
                segment = ("visits", segment[1], *visits)
        segments.append(segment)
    return segments


def _visits_in_worker(source: ExportSource, name: str, file_number: int) -> tuple | None:
    """A visits CSV as :func:`_visits` reads it in bulk, in a worker process: the counts
    of the visits skipped and the events of each batch; None if it is no CSV or anything
    in it is for the main process to read (and report)."""
    if not name.lower().endswith(".csv"):
        return None
    context = ImportContext(DiscourseImporter.name)  # anything malformed raises
    try:
        reader = CsvFile(source, name, context, VISIT_COLUMNS)
    except MalformedRecordError:
        return None
    try:
        if not _one_record_a_line(source.read(name)):
            return None
        batches = read_in_bulk(reader, list(VISIT_COLUMNS), partial(_bulk_visits, file_number))
        events = []
        while True:
            try:
                events.append(next(batches))
            except StopIteration as stop:
                if stop.value is not None:  # not all in bulk
                    return None
                break
    finally:
        reader.close()
    return context.skipped, events


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
            deque(map(context.progress, map(_NEXT, map(_DONE, files)), repeat(total)), 0)
        elif kind == "lines":  # anything unusual: what came before, then post by post
            yield from self.columns.flush()
            for done, name in files:
                yield from self.state.read_file(self.source, name, context)
                context.progress(done + 1, total)
        elif kind == "visits":  # read in a worker process
            _, _, skipped, batches = segment
            for reason, number in skipped.items():
                context.skip(reason, number)
            for events in batches:
                yield from self.columns.add(events)
            context.progress(files[0][0] + 1, total)
        else:
            for done, name in files:
                if name.lower().endswith(".csv"):
                    yield from _visits(self.source, name, done, context, self.columns)
                context.progress(done + 1, total)

    def take_from_worker(self, segment: tuple) -> Iterator[tuple | EventBatch]:
        """A segment made in a worker process, which did not know what the files before
        its chunk left: as it is where that changes nothing, else with the posts seen
        before left out, else (rarely) read again here."""
        if segment[0] in ("other", "visits"):
            yield from self.take(segment)
            return
        checked = _reconciled(segment, self.state) if segment[0] == "bulk" else None
        if checked is not None:
            yield from self.take(checked)
            return
        for again in _segments(self.source, self.state, segment[1]):
            yield from self.take(again)


_DONE = itemgetter(0)
_NAME = itemgetter(1)
_NEXT = (1).__add__


def _reconciled(segment: tuple, state: _Topics) -> tuple | None:
    """A bulk segment made without knowing ``state``, as if made knowing it: a post it
    took that is in ``state.seen`` is a duplicate. None if it read a topic's category
    otherwise than ``state`` has it, or left out a post as a duplicate that is not one
    after all (the group must be read again)."""
    _, files, skipped, events, book = segment
    known = state.category
    if not known.keys().isdisjoint(book.unknown) or any(
        known.get(topic, _ABSENT) != value for topic, value in book.assumed.items()
    ):
        return None
    dups = list(
        zip(book.dup_before.tolist(), book.dup_keys.tolist(), book.dup_inside.tolist(), strict=True)
    )
    outside = [key for _, key, inside in dups if not inside]  # seen before the group
    if not outside and state.topics.isdisjoint(book.topics):
        return segment  # no post of these topics seen before: none is a duplicate
    seen = state.all_seen()
    claimed = book.claimed.tolist()
    if seen.isdisjoint(claimed) and seen.issuperset(outside):
        return segment
    codes, found = book.codes.tolist(), book.found.tolist()
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
        outcome = codes[index]
        if key in seen:
            if outcome == _EVENT:
                dropped.append(row)
            else:
                less[book.reasons[outcome]] += 1
            less["duplicate"] -= 1
        else:
            kept.add(key)
            taken.append(key)
            taken_found.append(found[index])
        if outcome == _EVENT:
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
    found_kept = np.array(taken_found, np.int64)
    book = book._replace(
        claimed=np.array(taken, np.int64),
        found=found_kept,
        not_found=_not_found(book.listed, found_kept),
        **_NO_DUPS,
    )
    return ("bulk", files, counts, events, book)


_ABSENT = object()

_SPREAD = 2_654_435_761
"""A number or id below this is kept with its topic as ``topic * _SPREAD + value``: one
number for each pair, whose hash (the number itself) spreads over a set's slots as that
of ``topic << 32 | value`` would not (its low bits would be the post number). Read in
bulk, topics, post numbers and ids are below it (else the file is read post by post),
so that every key fits in 64 bits."""


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


class _Post(msgspec.Struct, gc=False):
    """The fields of a post that events are made of: a missing one is None, as
    ``dict.get`` gives it, or what :meth:`_Topics._post` takes for it (a missing
    ``topic_id`` is UNSET: the file's topic). A value of another type (a float, a
    boolean, a null ``topic_id`` or ``post_type``) sends the file post by post."""

    id: int | None = None
    topic_id: int | msgspec.UnsetType = msgspec.UNSET
    post_number: int | None = None
    user_id: int | None = None
    created_at: str | None = None
    post_type: int = 1
    deleted_at: str | None = None
    reply_to_post_number: int | None = None


class _Stream(msgspec.Struct, gc=False):
    posts: list[_Post] | None = None
    stream: list[int] | None = None


class _TopicFile(msgspec.Struct, gc=False):
    id: int | None = None
    category_id: int | None = None
    post_stream: _Stream | None = None


_TOPIC_FILE = msgspec.json.Decoder(_TopicFile)
_TOPIC_ID = attrgetter("topic_id")
_CATEGORY_ID = attrgetter("category_id")
_LISTED = attrgetter("post_stream.stream")
_NUMBER = attrgetter("post_number")
_ID = attrgetter("id")
_USER = attrgetter("user_id")
_TYPE = attrgetter("post_type")
_REPLY = attrgetter("reply_to_post_number")
_DELETED = attrgetter("deleted_at")
_CREATED = attrgetter("created_at")
_NULL = pa.scalar(None, pa.string())

_EVENT = 0
"""The outcome of a post taken that became an event; others are a reason in
``_Book.reasons``."""


class _Book(NamedTuple):
    """What a group read in bulk took, for :meth:`_Topics.commit` and :func:`_reconciled`:
    the keys (:func:`_pair`) of the posts taken, in order, and of each what became of it
    (``reasons[code]``, or ``_EVENT``) and the key of its post id (-1: none); every
    duplicate it left out (the posts taken before it, its key, whether the post it
    repeats is in the group); the topics of its posts (and perhaps more); the categories
    it read, those it took from the state and the topics whose category the state did
    not know; the post ids listed, and those of
    them not found in the group."""

    claimed: np.ndarray
    codes: np.ndarray
    reasons: list
    found: np.ndarray
    dup_before: np.ndarray
    dup_keys: np.ndarray
    dup_inside: np.ndarray
    topics: set
    category: dict
    assumed: dict
    unknown: set
    listed: np.ndarray
    not_found: set


_NO_DUPS = {
    "dup_before": np.zeros(0, np.int64),
    "dup_keys": np.zeros(0, np.int64),
    "dup_inside": np.zeros(0, bool),
}


def _ints(
    posts: list, field: attrgetter, nullable: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A field of the posts, whole numbers or None, as int64 (0 for None), where it is
    None, and where it is beyond 64 bits (also 0). ``nullable``: often None."""
    n = len(posts)
    if not nullable:
        try:
            return np.fromiter(map(field, posts), np.int64, n), np.zeros(n, bool), np.zeros(n, bool)
        except (TypeError, OverflowError):  # None, or beyond 64 bits: as below
            pass
    values = list(map(field, posts))
    try:
        array = pa.array(values, pa.int64())
        big = np.zeros(n, bool)
    except OverflowError:  # rare: json keeps any integer whole, and so does msgspec
        big = np.array(
            [value is not None and not INT64_MIN <= value <= INT64_MAX for value in values], bool
        )
        array = pa.array(
            [0 if out else v for v, out in zip(values, big.tolist(), strict=True)], pa.int64()
        )
    if array.null_count:
        none = array.is_null().to_numpy(zero_copy_only=False)
        array = array.fill_null(0)
    else:
        none = np.zeros(n, bool)
    return array.to_numpy(), none, big


def _not_found(listed: np.ndarray, found: np.ndarray) -> set:
    """The keys listed that are not among those found."""
    if not len(listed) or np.array_equal(listed, found):  # all found, in order (common)
        return set()
    return set(listed.tolist()).difference(found.tolist())


class _Group:
    """The events of a group of topic files, made exactly as :meth:`_Topics._post` makes
    them, all posts at once (with numpy and pyarrow). Changes nothing in ``state``: the
    reader commits what the group took.

    :meth:`add` takes in a file; :meth:`segment` reads the files' topics and checks the
    posts' values together, and makes the events of the files before the first with
    anything unusual. For the main process to correct a group made in a worker process
    (which did not know what the files before its chunk left), the group keeps, for every
    post it took, what became of it, every duplicate it left out, and the categories of
    topics it took from ``state`` (see :class:`_Book`)."""

    def __init__(self, state: _Topics):
        self.state = state
        self.files: list[tuple[int, str]] = []
        self.data: list[_TopicFile] = []
        self.posts: list[list[_Post]] = []  # of each file
        self.size = 0  # posts
        self.unusual: int | None = None  # the place of the first file with anything unusual

    def add(self, done: int, name: str, data: _TopicFile) -> bool:
        """Take in one file (as :data:`_TOPIC_FILE` read it); False, taking nothing, if it
        has no posts where a topic has them. The rest is read by :meth:`segment`."""
        stream = data.post_stream
        posts = None if stream is None else stream.posts
        if posts is None:
            return False
        self.files.append((done, name))
        self.data.append(data)
        self.posts.append(posts)
        self.size += len(posts)
        return True

    def segment(self) -> tuple | None:
        """``("bulk", files, skipped, events, book)`` of the files before the first with
        anything unusual (:attr:`unusual`, then), exactly as :meth:`_Topics.read_file`
        reads them; None if there are none."""
        while True:
            made = self._made()
            if type(made) is tuple:
                return made
            self.unusual = made  # made again without it and those after it
            del self.files[made:], self.data[made:], self.posts[made:]
            if not made:
                return None

    def _files(self, posts: list[_Post], counts: np.ndarray) -> int | None:
        """Each file's topic (that of its posts), the category of its posts and the post
        ids it lists, in order, as :meth:`_Topics.read_file` takes them; the place of the
        first file that is no topic or has posts of no topic, or a topic or id beyond
        :data:`_SPREAD`, if any. ``posts``: the files' posts, ``counts`` of each file."""
        if self._plain_files(posts, counts):
            return None
        self.category: dict[int, str | None] = {}
        self.assumed: dict[int, str | None] = {}  # categories taken from state
        self.unknown: set[int] = set()  # topics whose category state did not know
        self.mixed: list[tuple[int, list[int], list[int]]] = []  # posts of several topics
        self.names: list[str | None] = []  # categories, one for each file and topic
        self.topics: list[int] = []  # of each file: the topic of its posts
        self.values: list[int] = []  # and their category, as a place in self.names
        self.topic_set: set[int] = set()  # of the posts
        self.listed_topics: list[int] = []
        self.listed_counts: list[int] = []
        self.listed_ids: list[int] = []
        names, topic_set, category = self.names, self.topic_set, self.category
        for place, (data, posts) in enumerate(zip(self.data, self.posts, strict=True)):
            topic = data.id
            said = _ABSENT  # the category of its topic, if the file sets it
            listed = None
            if topic is not None:
                if not 0 <= topic < _SPREAD:
                    return place
                said = data.category_id
                if said is not None:
                    said = str(said)
                elif self._category(topic) is not _ABSENT:
                    said = _ABSENT  # known before: kept
                listed = data.post_stream.stream
                if listed and (min(listed) < 0 or max(listed) >= _SPREAD):
                    return place
            kinds = set(map(_TOPIC_ID, posts))
            own = value = 0
            if len(kinds) == 1:  # the common case: every post of one topic
                own = kinds.pop()
                if own is msgspec.UNSET:
                    own = topic
                if own is None or not 0 <= own < _SPREAD:
                    return place
                value = len(names)
                names.append(said if own == topic and said is not _ABSENT else self._name(own))
                topic_set.add(own)
            elif kinds:
                topics = [topic if of is msgspec.UNSET else of for of in map(_TOPIC_ID, posts)]
                if not all(of is not None and 0 <= of < _SPREAD for of in topics):
                    return place
                places: dict[int, int] = {}
                for of in topics:
                    if of not in places:
                        places[of] = len(names)
                        names.append(
                            said if of == topic and said is not _ABSENT else self._name(of)
                        )
                self.mixed.append((place, topics, [places[of] for of in topics]))
                topic_set.update(places)
            if said is not _ABSENT:
                category[topic] = said
            if listed:
                self.listed_topics.append(topic)
                self.listed_counts.append(len(listed))
                self.listed_ids += listed
            self.topics.append(own)
            self.values.append(value)
        return None

    def _plain_files(self, posts: list[_Post], counts: np.ndarray) -> bool:
        """:meth:`_files` all at once, where every file is plain (the common case): a
        topic with an id and a category id, its posts all of it (``topic_id`` its id),
        the ids it lists (if any) within :data:`_SPREAD`; False, setting nothing, if
        any file is not."""
        data = self.data
        try:  # (None, or a number beyond 64 bits, raises)
            topics = np.fromiter(map(_ID, data), np.int64, len(data))
            of_posts = np.fromiter(map(_TOPIC_ID, posts), np.int64, len(posts))
        except (TypeError, OverflowError):
            return False
        if not np.array_equal(of_posts, np.repeat(topics, counts)):
            return False
        categories = list(map(_CATEGORY_ID, data))
        if None in categories:
            return False
        streams = list(map(_LISTED, data))
        listed = list(map(truth, streams))
        streams = list(compress(streams, listed))
        listed_counts = list(map(len, streams))
        try:
            ids = np.fromiter(chain.from_iterable(streams), np.int64, sum(listed_counts))
        except OverflowError:
            return False
        if len(topics) and (topics.min() < 0 or topics.max() >= _SPREAD):
            return False
        if len(ids) and (ids.min() < 0 or ids.max() >= _SPREAD):
            return False
        self.names = list(map(str, categories))  # one for each file: its own
        self.category = dict(zip(topics.tolist(), self.names, strict=True))
        self.assumed, self.unknown, self.mixed = {}, set(), []
        self.topics, self.values = topics, np.arange(len(topics))
        self.topic_set = set(topics[counts > 0].tolist())
        self.listed_topics = topics[np.array(listed, bool)]
        self.listed_counts, self.listed_ids = listed_counts, ids
        return True

    def _category(self, topic: int):
        """The category of a topic as known before this file (``_ABSENT`` if not known),
        from the group's or the state's."""
        found = self.category.get(topic, _ABSENT)
        if found is _ABSENT:
            found = self.state.category.get(topic, _ABSENT)
            if found is _ABSENT:
                self.unknown.add(topic)
            else:
                self.assumed[topic] = found
        return found

    def _name(self, topic: int) -> str | None:
        found = self._category(topic)
        return None if found is _ABSENT else found

    def _made(self) -> tuple | int:
        """The segment, or the place of the first file with anything unusual."""
        posts = list(chain.from_iterable(self.posts))
        n = len(posts)
        counts = np.array(list(map(len, self.posts)), np.int64)
        unusual = self._files(posts, counts)
        if unusual is not None:
            return unusual
        places = np.repeat(np.arange(len(counts)), counts)  # the file of each post
        topic = np.repeat(np.array(self.topics, np.int64), counts)
        value = np.repeat(np.array(self.values, np.int64), counts)
        if self.mixed:
            starts = np.cumsum(counts) - counts
            for place, topics, values in self.mixed:
                topic[starts[place] : starts[place] + counts[place]] = topics
                value[starts[place] : starts[place] + counts[place]] = values

        # Malformed whatever came before (or a number beyond _SPREAD): unusual.
        number, no_number, bad = _ints(posts, _NUMBER)
        bad |= no_number | (number < 1) | (number >= _SPREAD)
        keys = topic * _SPREAD + np.where(bad, 0, number)

        # Duplicates: posts seen before the group, or earlier in it.
        earlier = np.zeros(n, bool)
        if not self.state.topics.isdisjoint(self.topic_set):
            seen = self.state.all_seen()
            if not seen.isdisjoint(keys.tolist()):
                earlier = np.fromiter(map(seen.__contains__, keys.tolist()), bool, n)
        again = np.zeros(n, bool)
        # A post can only repeat one of its own topic: with each file's posts of a topic
        # of their own (the common case), and their numbers rising, none does.
        rising = (
            not self.mixed
            and len(self.topic_set) == np.count_nonzero(counts)
            and not np.any((keys[1:] <= keys[:-1]) & (places[1:] == places[:-1]))
        )
        if not rising and len(set(keys.tolist())) < n:
            order = np.argsort(keys, kind="stable")
            ordered = keys[order]
            again[order[1:]] = ordered[1:] == ordered[:-1]
        taken = ~(earlier | again)

        ids, no_id, big = _ints(posts, _ID)
        bad |= big | (taken & ~no_id & ((ids < 0) | (ids >= _SPREAD)))
        kinds, _, big = _ints(posts, _TYPE)
        bad |= big
        users, no_user, big = _ints(posts, _USER)
        bad |= big
        replies, no_reply, big = _ints(posts, _REPLY, nullable=True)
        bad |= big
        deleted = taken & np.fromiter(map(bool, map(_DELETED, posts)), bool, n)
        other = taken & ~deleted & (kinds != 1)
        normal = taken & ~deleted & (kinds == 1)
        bad |= normal & no_user
        system = normal & ~no_user & (users < 0)
        event = normal & ~no_user & (users >= 0)
        first = number == 1
        bad |= event & ~first & ~no_reply & (replies < 1)
        if bad.any():
            return int(places[np.argmax(bad)])
        times = list(compress(map(_CREATED, posts), event.tolist()))
        ts = bulk_iso_micros(times)
        if ts is None:  # a time in another form
            return self._first_with_unusual_times(times, places[event])

        # What became of each post taken, and the counts of those skipped.
        codes = np.zeros(n, np.int32)
        reasons: list = [None, "deleted", "system_user"]
        codes[deleted] = 1
        codes[system] = 2
        for kind in sorted(set(kinds[other].tolist())):
            codes[other & (kinds == kind)] = len(reasons)
            reasons.append(POST_TYPES.get(kind, f"post_type_{kind}"))
        skipped: Counter[str] = Counter()
        for code, number_of in enumerate(np.bincount(codes[taken], minlength=len(reasons))):
            if code != _EVENT and number_of:
                skipped[reasons[code]] += int(number_of)
        dups = np.flatnonzero(~taken)
        if len(dups):
            skipped["duplicate"] = len(dups)

        # The events, in the order of the posts.
        topic_text = pa.array(topic[event]).cast(pa.string())
        first = pa.array(first[event])
        parent = np.where(no_reply, 1, replies)[event]
        events = [
            pc.binary_join_element_wise(topic_text, pa.array(number[event]).cast(pa.string()), "#"),
            ts,
            pa.array(users[event]).cast(pa.string()),
            pc.if_else(first, "post", "reply"),
            pc.binary_join_element_wise(topic_text, "1", "#"),
            pc.if_else(
                first,
                _NULL,
                pc.binary_join_element_wise(topic_text, pa.array(parent).cast(pa.string()), "#"),
            ),
            pa.array(self.names, pa.string()).take(pa.array(value[event])),
        ]

        found = np.where(no_id, -1, topic * _SPREAD + ids)[taken]
        listed = np.repeat(
            np.array(self.listed_topics, np.int64), np.array(self.listed_counts, np.int64)
        ) * _SPREAD + np.array(self.listed_ids, np.int64)
        book = _Book(
            claimed=keys[taken],
            codes=codes[taken],
            reasons=reasons,
            found=found,
            dup_before=np.cumsum(taken)[dups],
            dup_keys=keys[dups],
            dup_inside=(again & ~earlier)[dups],
            topics=self.topic_set,
            category=self.category,
            assumed=self.assumed,
            unknown=self.unknown,
            listed=listed,
            not_found=_not_found(listed, found),
        )
        return ("bulk", self.files, skipped, events, book)

    def _first_with_unusual_times(self, times: list, places: np.ndarray) -> int:
        """The place in the group of the first file with a time in another form (of the
        times of the events, and the file of each)."""
        ends = np.cumsum(np.bincount(places, minlength=len(self.files))).tolist()
        start = 0
        for place, end in enumerate(ends):
            if bulk_iso_micros(times[start:end]) is None:
                return place
            start = end
        return 0  # pragma: no cover - a time is checked on its own


class _Topics:
    """What the topic files read so far leave: the posts seen (to count duplicates), the
    post ids listed and found (to count those in no file) and the topics' categories.
    A post or post id is kept as :func:`_pair` of its topic and number or id.

    What groups read in bulk is kept as they give it, as arrays, until it is needed: the
    posts they took go into :attr:`seen` only when a later post is of a topic in
    :attr:`topics` (a post can only repeat one of its own topic); the ids they found are
    looked up only at the end, for the ids they listed and did not find themselves."""

    def __init__(self) -> None:
        self.seen: set = set()  # see all_seen
        self.taken: list[np.ndarray] = []  # the posts seen not yet in self.seen
        self.topics: set[int] = set()  # the topics of the posts seen (and perhaps more)
        self.listed: set = set()
        self.found: set = set()
        self.found_in_bulk: list[np.ndarray] = []
        self.category: dict[int, str | None] = {}

    def all_seen(self) -> set:
        """:attr:`seen`, with every post seen."""
        for keys in self.taken:
            self.seen.update(keys.tolist())
        self.taken.clear()
        return self.seen

    def commit(self, book: _Book, everything: bool = True) -> None:
        """Take in what a group read in bulk took (in a worker process, only what the
        groups after it need to know)."""
        self.taken.append(book.claimed)
        self.topics.update(book.topics)
        self.category.update(book.category)
        if everything:
            self.found_in_bulk.append(book.found)  # with -1 for posts without an id
            self.listed.update(book.not_found)

    def read_file(self, source: ExportSource, name: str, context: ImportContext):
        data = load_json(source, name, context)
        if data is None:
            return
        display = source.display(name)
        self.all_seen()
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
        self.topics.add(topic)
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
        missing = self.listed - self.found
        if missing and self.found_in_bulk:  # of the keys in 64 bits, those found in bulk
            keys = np.array(
                sorted(key for key in missing if type(key) is int and 0 <= key <= INT64_MAX),
                np.int64,
            )
            if len(keys):
                found = np.concatenate(self.found_in_bulk)
                places = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
                missing.difference_update(found[keys[places] == found].tolist())
        if missing:
            context.skip("post_not_in_export", len(missing))


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
    line = counting(done + 2, len(user)).filter(keep)
    n = len(line)
    event_id = pc.binary_join_element_wise(f"visit:{file_number}:", line.cast(pa.string()), "")
    midnight = pc.multiply(days.filter(keep).cast(pa.int32()).cast(pa.int64()), _MICROS_A_DAY)
    return skipped, [
        event_id,
        midnight,
        user.filter(keep),
        repeated("read", n),
        repeated(NO_THREAD, n),
        pa.nulls(n, pa.string()),
        pa.nulls(n, pa.string()),
    ]
