"""What the bulk paths of the importers share: listing an export folder, reading ZIP
members, msgspec, event columns in batches, and a writer that writes each batch as it
comes (in a thread of its own)."""

from __future__ import annotations

import json
import os
import pickle
import re
import resource
import signal
import tempfile
import zipfile
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ismonitor.activity import ImportWorkerError
from ismonitor.activity import events as events_module
from ismonitor.activity.events import EventBatch, EventWriter, iso_micros, string_hashes
from ismonitor.activity.importers import _common
from ismonitor.activity.importers._common import (
    _OPEN,
    NOT_JSON,
    EventColumns,
    ExportSource,
    Numbered,
    _files_under,
    _inflated,
    _read_file,
    bulk_iso_micros,
    fast_structs,
    in_order,
    source_in_worker,
)

from ._helpers import FIXTURES, run


def test_a_folder_lists_as_rglob_lists_it(tmp_path):
    root = tmp_path / "export"
    (root / "a" / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a" / "b" / "day.json").write_text("[]")
    (root / "a" / ".DS_Store").write_text("")
    (root / ".hidden" / "x.json").write_text("[]")
    (root / "top.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.json").write_text("[]")
    os.symlink(tmp_path / "elsewhere" / "linked.json", root / "a" / "file-link.json")
    os.symlink(tmp_path / "elsewhere", root / "folder-link")  # not followed by rglob
    os.symlink(tmp_path / "nowhere", root / "broken-link.json")
    expected = {
        file.relative_to(root).as_posix(): file for file in root.rglob("*") if file.is_file()
    }
    found = _files_under(root)
    assert found.keys() == expected.keys()
    assert {name: str(path) for name, path in expected.items()} == found
    with ExportSource(root) as source:
        assert source.names() == ["a/b/day.json", "a/file-link.json", "top.json"]
        assert source.read("a/file-link.json") == b"[]"
        assert source.size("top.json") == 2


def _columns(start: int, n: int) -> list[pa.Array]:
    ids = [f"e{i}" for i in range(start, start + n)]
    return [
        pa.array(ids),
        pa.array(range(start, start + n), pa.int64()),
        pa.array(["u"] * n),
        pa.array(["post"] * n),
        pa.array(ids),
        pa.array([None] * n, pa.string()),
        pa.array(["g"] * n),
    ]


def test_event_columns_come_out_in_batches_of_exactly_the_rows_asked():
    columns = EventColumns(rows=10)
    batches = []
    start = 0
    for n in (3, 0, 4, 12, 1, 25):
        batches += list(columns.add(_columns(start, n)))
        start += n
    batches += list(columns.flush())
    assert [len(batch) for batch in batches] == [10, 10, 10, 10, 5]
    ids = [value for batch in batches for value in batch.event_id.to_pylist()]
    assert ids == [f"e{i}" for i in range(start)]
    assert list(columns.add([])) == [] and list(columns.flush()) == []


def test_the_writer_writes_each_batch_before_it_takes_the_next(tmp_path):
    writer = EventWriter(tmp_path, "slack", lambda users: [f"p-{user}" for user in users])
    written = []

    def batches():
        for start in range(0, 50, 10):
            written.append(writer._part.rows)
            yield EventBatch(*_columns(start, 10))
        yield ("e50", 50, "u", "post", "e50", None, "g")

    writer.write(batches())
    writer.close()
    assert written == [0, 10, 20, 30, 40]
    assert writer.counts == {"post": 51}


def test_batches_written_in_a_thread_come_out_in_order(tmp_path):
    writer = EventWriter(tmp_path, "slack", lambda users: [f"p-{user}" for user in users])
    writer.write(EventBatch(*_columns(start, 1_000)) for start in range(0, 20_000, 1_000))
    writer.close()
    table = pq.read_table(writer.path)
    assert table.column("event_id").to_pylist() == [f"e{i}" for i in range(20_000)]
    assert pq.ParquetFile(writer.path).metadata.num_row_groups == 20


@pytest.fixture
def files_of_at_most_64_kb():
    """Files of this process may not grow beyond 64 kB: a write beyond fails (EFBIG),
    as on a full disk (Python ignores the SIGXFSZ that comes with it)."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, limits[1]))
    yield
    resource.setrlimit(resource.RLIMIT_FSIZE, limits)


def test_an_error_in_writing_is_raised_by_the_next_write_or_by_close(
    tmp_path, files_of_at_most_64_kb
):
    for name, last in (("by_write", "write"), ("by_close", "close")):
        writer = EventWriter(tmp_path / name, "slack", lambda users: [f"p-{u}" for u in users])
        writer.write([EventBatch(*_columns(0, 300_000))])  # handed to the thread
        with pytest.raises(OSError, match="too large"):
            if last == "write":
                writer.write([EventBatch(*_columns(300_000, 10))])
            writer.close()


def test_no_batch_is_being_written_when_the_process_forks(tmp_path):
    writer = EventWriter(tmp_path, "slack", lambda users: [f"p-{user}" for user in users])
    writer.write([EventBatch(*_columns(0, 300_000))])
    in_flight = writer._part._writing
    pid = os.fork()
    if pid == 0:  # the child: leaves at once
        os._exit(0)
    os.waitpid(pid, 0)
    assert in_flight.done()  # waited for before the fork
    writer.close()
    assert pq.read_metadata(writer.path).num_rows == 300_000


@pytest.mark.parametrize(
    "data",
    [
        b'[{"ts": "1", "text": "a\\ud800"}]',  # a lone surrogate: json reads it
        b'[{"ts": "1", "text": "a\xed\xa0\x80"}]',  # and encoded (surrogatepass)
        b'[{"ts": "1", "text": "a\xff"}]',  # not UTF-8, in a field msgspec skips
        b'[{"ts": "1", "n": NaN}]',
        b'\xef\xbb\xbf[{"ts": "1"}]',
        b'[{"ts": 1}]',  # another type than declared
        b'{"ts": "1"}',
    ],
)
def test_msgspec_refuses_what_json_reads_otherwise(data):
    class Message(msgspec.Struct):
        ts: str | None = None

    assert fast_structs(msgspec.json.Decoder(list[Message]), data) is NOT_JSON


def test_msgspec_reads_only_the_fields_declared_as_json_reads_them():
    class Message(msgspec.Struct):
        ts: str | None = None
        count: int | None = None

    data = b'[{"ts": "1", "ts": "2", "count": 18446744073709551616, "x": [1e400, {}]}, {}]'
    first, second = fast_structs(msgspec.json.Decoder(list[Message]), data)
    assert (
        (first.ts, first.count)
        == ("2", 18446744073709551616)
        == tuple(json.loads(data)[0][key] for key in ("ts", "count"))
    )
    assert (second.ts, second.count) == (None, None)


def test_a_zip_member_reads_as_zipfile_reads_it(tmp_path):
    path = tmp_path / "export.zip"
    texts = {
        "stored.json": b"[]" * 1000,
        "deflated.json": json.dumps([{"text": "tekst " * 50}] * 200).encode(),
        "bzip2.json": b'{"a": 1}' * 500,
        "empty.json": b"",
        "zip64.json": b"x" * 70_000,
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("stored.json", texts["stored.json"], zipfile.ZIP_STORED)
        archive.writestr("deflated.json", texts["deflated.json"], zipfile.ZIP_DEFLATED)
        archive.writestr("bzip2.json", texts["bzip2.json"], zipfile.ZIP_BZIP2)
        archive.writestr("empty.json", b"", zipfile.ZIP_DEFLATED)
        with archive.open("zip64.json", "w", force_zip64=True) as member:  # a data descriptor
            member.write(texts["zip64.json"])
    with ExportSource(path) as source:
        for name, text in texts.items():
            assert source.read(name) == text, name
            with source.open(name) as file:
                assert file.read() == text
            # read without zipfile, but for the member compressed otherwise
            fast = _inflated(source._fd, source._files[name])
            assert (fast is None) if name == "bzip2.json" else (fast == text), name
        assert list(source.read_many(iter(texts))) == list(texts.values())


def test_a_damaged_zip_member_is_named_as_zipfile_names_it(tmp_path):
    path = tmp_path / "export.zip"
    text = json.dumps([{"text": "tekst " * 50}] * 200).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.json", text)
        archive.writestr("b.json", text, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[data.index(b"tekst tekst", 100) + 3] ^= 0x20  # b.json, stored: a changed byte
    path.write_bytes(bytes(data))
    with ExportSource(path) as source:
        assert source.read("a.json") == text
        assert _inflated(source._fd, source._files["b.json"]) is None  # to zipfile
        with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32 for file 'b.json'"):
            source.read("b.json")


def _read_in_worker(task: tuple[str, str]) -> tuple[int, bool, bytes]:
    path, name = task
    source = source_in_worker(path, None)
    return os.getpid(), source is _OPEN.get((path, None)), source.read(name)


def test_workers_read_a_zip_as_this_process_listed_it(tmp_path):
    path = tmp_path / "export.zip"
    texts = {f"{n}.json": json.dumps([{"n": n, "text": "tekst " * n}]).encode() for n in range(9)}
    with zipfile.ZipFile(path, "w") as archive:
        for n, (name, text) in enumerate(texts.items()):
            # bzip2: read by a ZipFile the worker opens for itself
            method = (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2)[n % 3]
            archive.writestr(name, text, method)
    with ExportSource(path) as source:
        tasks = [(str(path), name) for name in list(texts) * 4]
        results = list(in_order(_read_in_worker, tasks, 2, ahead=1))
        assert [data for _, _, data in results] == [texts[name] for _, name in tasks]
        assert os.getpid() not in {pid for pid, _, _ in results}
        assert all(listed for _, listed, _ in results)  # the listing made before the fork
        assert [source.read(name) for name in texts] == list(texts.values())
    assert (str(path), None) not in _OPEN


def _unlisted_in_worker(task: tuple[str, str]) -> tuple[bool, bytes, int, str | None]:
    path, name = task
    source = source_in_worker(path, None)
    with source.open(name) as file:
        opened = file.read()
    assert opened == source.read(name) == next(source.read_many([name]))
    return source._folder is not None, opened, source.size(name), source.local_path(name)


def test_a_folder_not_listed_yet_reads_as_a_listed_one(tmp_path):
    # workers forked before this process lists the folder read files by their names
    root = tmp_path / "export"
    (root / "t").mkdir(parents=True)
    texts = {f"t/{n}.json": f'{{"n": {n}}}'.encode() * n for n in range(1, 6)}
    for name, text in texts.items():
        (root / name).write_bytes(text)
    (root / ".hidden").write_text("x")
    with ExportSource(root, listed=False) as source:
        tasks = [(str(root), name) for name in texts]
        results = list(in_order(_unlisted_in_worker, tasks, 2, ahead=1))
        assert [result[0] for result in results] == [True] * len(texts)  # never listed there
        assert [result[1] for result in results] == list(texts.values())
        assert [result[2] for result in results] == [len(text) for text in texts.values()]
        assert [result[3] for result in results] == [str(root / name) for name in texts]
        assert source.names() == list(texts)  # listed here, when first asked
        assert source.exists("t/1.json") and not source.exists("t/9.json")
    with ExportSource(root) as listed:
        assert listed.names() == list(texts)
        assert list(listed.read_many(reversed(texts))) == list(reversed(texts.values()))
    with ExportSource(tmp_path, marker="3.json") as rooted:  # names under a root
        assert list(rooted.read_many(["1.json", "5.json"])) == [
            texts["t/1.json"],
            texts["t/5.json"],
        ]


def test_files_read_many_at_once_are_read_as_they_are_reached(tmp_path):
    for n in range(3):
        (tmp_path / f"{n}.json").write_text(str(n))
    with ExportSource(tmp_path) as source:
        reads = source.read_many(["0.json", "1.json", "2.json"])
        assert next(reads) == b"0"
        (tmp_path / "1.json").write_text("changed")  # not read yet
        assert list(reads) == [b"changed", b"2"]


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 3_000_001])
def test_a_file_reads_as_open_reads_it(tmp_path, size):
    path = tmp_path / "file.json"
    path.write_bytes(os.urandom(size))
    assert _read_file(str(path)) == path.read_bytes()


@pytest.mark.parametrize("grown", [1, 65_536, 1_000_000])
def test_a_file_that_grew_after_its_size_was_asked_is_read_to_its_end(tmp_path, monkeypatch, grown):
    path = tmp_path / "file.json"
    path.write_bytes(os.urandom(2_000_000))
    real = os.fstat

    def smaller(fd):  # the size before the file grew by ``grown`` bytes
        found = real(fd)
        return os.stat_result((*found[:6], found.st_size - grown, *found[7:]))

    monkeypatch.setattr(os, "fstat", smaller)
    assert _read_file(str(path)) == path.read_bytes()


def _dies_on_three(task: int) -> int:
    if task == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel kills a process out of memory
    return task * 2


def test_a_worker_that_dies_is_named_not_a_broken_pool():
    results = []
    with pytest.raises(ImportWorkerError, match="ended abruptly.*--workers 1"):
        for result in in_order(_dies_on_three, range(8), 2, ahead=1):
            results.append(result)
    assert results == [0, 2, 4][: len(results)]  # what came before, in order


def _arrays(task: int) -> tuple:
    """Arrays of every kind a worker hands on: strings (at an offset), dictionaries,
    timestamps, numpy arrays; several MB of them for a large task."""
    ids = pa.array([f"C{task:04d}:{n}.000100" for n in range(task * 1_000)])
    return (
        task,
        ids.slice(7),
        ids.dictionary_encode(),
        pa.array(range(task), pa.timestamp("us", tz="UTC")),
        np.arange(task * 100, dtype=np.int64),
    )


def _mapped_spills() -> int:
    """How many files of an import's spill folder this process has mapped."""
    with open("/proc/self/maps") as maps:
        return sum("ismonitor-import-" in line for line in maps)


def _spill_folders() -> set[str]:
    return {str(path) for path in Path(tempfile.gettempdir()).glob("ismonitor-import-*")} | {
        str(path) for path in Path("/dev/shm").glob("ismonitor-import-*")
    }


@pytest.mark.parametrize("through", ["pipe", "memory"])
def test_workers_hand_on_arrays_as_they_made_them(through, monkeypatch):
    # large results come through a file in memory that this process maps (nothing
    # copied); small ones, and any that cannot be written there, through the pipe
    monkeypatch.setattr(_common, "SPILL_BYTES", 1 << 40 if through == "pipe" else 1 << 20)
    before = _spill_folders()
    tasks = [1, 300, 2, 400, 3]
    results = list(in_order(_arrays, tasks, 2, ahead=1))
    for result, task in zip(results, tasks, strict=True):
        for got, expected in zip(result[1:4], _arrays(task)[1:4], strict=True):
            assert got.equals(expected)
        assert np.array_equal(result[4], _arrays(task)[4])
        result[4][:1] = -1  # as writable as made
    assert _mapped_spills() == (0 if through == "pipe" else 2)  # the two large results
    kept = [result[4] for result in results]  # numpy's arrays: copied, holding no file
    del results, result
    assert _mapped_spills() == 0
    assert [len(array) for array in kept] == [100 * task for task in tasks]
    assert _spill_folders() == before  # removed at the end


def test_a_result_that_cannot_be_written_to_memory_comes_through_the_pipe(
    files_of_at_most_64_kb,
):
    results = list(in_order(_arrays, [300, 400], 2, ahead=1))  # more than 64 kB each
    assert results[0][2].equals(_arrays(300)[2]) and results[1][2].equals(_arrays(400)[2])
    assert _mapped_spills() == 0


def test_equal_strings_hash_alike_wherever_they_are():
    values = ["", "a", "abcdefgh", "abcdefghi", "é€𝄞 niet-ASCII", "C0001:1700000000.000100" * 3]
    alone = [int(string_hashes(pa.array([value]))[0]) for value in values]
    together = pa.array(["x" * 13, *values, "y"]).slice(1, len(values))  # at an offset
    chunked = pa.chunked_array([pa.array(values[:2]), pa.array(values[2:])])
    assert string_hashes(together).tolist() == alone
    assert string_hashes(chunked).tolist() == alone
    assert string_hashes(pa.array(values, pa.large_string())).tolist() == alone
    assert len(set(alone)) == len(values)
    assert string_hashes(pa.array([], pa.string())).tolist() == []


def test_different_strings_hash_apart():
    # ids as platforms make them (long shared prefixes, numbers counting up), and ids
    # that differ in one byte only, at every place, or only in a trailing NUL
    ids = [
        f"19:{c:032x}@thread.tacv2:{1_705_586_460_494 + n}"
        for c in range(3)
        for n in range(100_000)
    ]
    base = "C0001:1700000000.000100"
    ids += [base[:at] + "#" + base[at + 1 :] for at in range(len(base))]
    ids += [base + "\0" * n for n in range(1, 10)]
    hashes = string_hashes(pa.array(ids))
    assert len(set(hashes.tolist())) == len(set(ids)) == len(ids)


def test_the_writer_says_whether_an_id_may_repeat(tmp_path):
    for name, last in (("unique", "e5"), ("repeated", "e2")):
        writer = EventWriter(tmp_path / name, "slack", lambda users: [f"p-{u}" for u in users])
        writer.write([EventBatch(*_columns(0, 5)), (last, 5, "u", "post", last, None, "g")])
        writer.close()
        assert writer.may_repeat_ids() is (name == "repeated")


def test_ids_whose_hashes_collide_are_checked_themselves(tmp_path, monkeypatch):
    # Every id hashing alike (as two different ones might, once in 2**64): the import
    # looks at the ids themselves, finds none repeated, and imports.
    monkeypatch.setattr(
        events_module, "string_hashes", lambda values: np.zeros(len(values), np.uint64)
    )
    report, events = run("slack", FIXTURES / "slack" / "workspace", tmp_path / "out")
    assert report.events == len(events) > 5


@pytest.mark.parametrize("length", [20, *range(22, 28)])
def test_times_of_one_length_are_checked_as_the_pattern_checks_them(length):
    usual = "2024-03-01T09:30:05" + (".123456"[: length - 20] if length > 20 else "") + "Z"
    changed = ["0000" + usual[4:]]  # year 0: Python has none
    for place, byte in enumerate(usual.encode()):  # each byte changed, in many ways
        for other in sorted({byte - 1, byte + 1, *b"/09:-.TZ a", 0, 127}):
            text = bytearray(usual.encode())
            text[place] = other
            changed.append(text.decode())
    for index, text in enumerate(changed):
        # among 2,100 usual ones (checked 2,048 at a time, then the rest), at an offset
        # into the buffers or not
        texts = [usual] * 2_100
        offset = index % 2
        texts[offset + index * 7 % 2_099] = text
        part = pa.array(texts, pa.string()).slice(offset)
        usual_form = bool(re.fullmatch(_common.ISO_UTC, text)) and not text.startswith("0000")
        assert _common._of_one_usual_length(part) is usual_form, text
        try:  # (a time of the pattern may still be none, such as 30 February)
            expected = [iso_micros(text) for text in texts[offset:]] if usual_form else None
        except ValueError:
            expected = None
        moments = bulk_iso_micros(texts[offset:])
        assert (moments if moments is None else moments.to_pylist()) == expected, text
    assert _common._of_one_usual_length(pa.array([usual, usual + "Z"])) is None  # two lengths
    assert _common._of_one_usual_length(pa.array([usual, usual[:-2] + "éZ"])) is None


def test_numbered_names_are_the_pairs_enumerate_makes():
    names = [f"t/{n}.json" for n in range(10)]
    numbered, pairs = Numbered(names), list(enumerate(names))
    assert list(numbered) == pairs and len(numbered) == 10
    assert [numbered[i] for i in range(-10, 10)] == [pairs[i] for i in range(-10, 10)]
    for part in [slice(3, None), slice(None, 4), slice(2, 8), slice(-3, None), slice(9, 2)]:
        assert list(numbered[part]) == pairs[part]
        assert list(numbered[part][1:]) == pairs[part][1:]  # numbered on from the slice
    assert numbered[1:9:3] == pairs[1:9:3]
    assert list(pickle.loads(pickle.dumps(numbered[4:]))) == pairs[4:]
    with pytest.raises(IndexError):
        numbered[10]


@pytest.mark.parametrize("size", [1, 3, 7, 16, 17, 100])
@pytest.mark.parametrize("n", [0, 1, 5, 16, 17, 1_000])
@pytest.mark.parametrize("other", [[], [2]], ids=["one size", "another size too"])
def test_chunks_are_consecutive_and_each_just_reaches_the_target(size, n, other):
    sizes = [size] * n + other  # (of one size: as estimated, counted out at once)
    chunks = _common.in_chunks(sizes, 16)
    assert [index for chunk in chunks for index in range(chunk.start, chunk.stop)] == list(
        range(len(sizes))
    )
    for chunk in chunks[:-1]:
        assert sum(sizes[chunk]) >= 16 > sum(sizes[chunk][:-1])  # no more than needed
    if chunks:
        assert sum(sizes[chunks[-1]][:-1]) < 16


def test_the_collector_is_spared_what_lives_as_long_as_the_import():
    import gc

    assert gc.get_freeze_count() == 0
    with _common.collector_spared() as spared:
        listing = [[name] for name in ("a", "b")]  # (lists: objects the collector walks)
        spared.settle()
        assert gc.get_freeze_count() >= len(listing)  # left out of its walks
        spared.settle()  # (once)
    assert gc.get_freeze_count() == 0  # walked again after the import
    gc.freeze()  # frozen by another part of the program: left as it is
    try:
        with _common.collector_spared() as spared:
            spared.settle()
        assert not spared.frozen and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
