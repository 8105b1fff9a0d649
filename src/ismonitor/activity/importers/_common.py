"""What the importers share: an export read from a ZIP file, a folder or one file, JSON
and CSV readers that name the file and line of every problem, small checks, and the
pieces of the bulk paths (msgspec, event columns gathered into full batches)."""

from __future__ import annotations

import csv
import errno
import gc
import io
import itertools
import json
import mmap
import os
import pickle
import shutil
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from isal import isal_zlib

from ..events import BATCH_ROWS, EventBatch
from ..registry import MISSING, ImportContext, ImportWorkerError, MalformedRecordError

csv.field_size_limit(sys.maxsize)  # message bodies can be long; we never keep them


class ExportSource:
    """The files of an export, from a ZIP file, a folder or a single file.

    Files are named by their POSIX path relative to the export's root; when ``marker``
    is given the root is the folder holding it (ZIP files often wrap everything in one
    top folder). Use as a context manager.
    """

    def __init__(
        self, path: str | Path, marker: str | None = None, expected: str = "", listed: bool = True
    ):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._key = (str(path), marker)
        self._folder: str | None = None  # a folder not listed yet: its path
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no such file or folder")
        if self.path.is_dir():
            # Not ``listed``: listed when its names are first asked for; a worker forked
            # before then reads a file by its name, as the listing names it.
            self._folder = os.fspath(self.path)
            self._files, self._names = {}, []
            if listed or marker is not None:
                self._list()
        else:
            if zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
                self._files = {
                    info.filename: info for info in self._zip.infolist() if not info.is_dir()
                }
                self._fd = os.open(self.path, os.O_RDONLY)  # for _inflated: reads at offsets
            else:
                self._files = {self.path.name: self.path}
            self._names = _visible(self._files)
        self.root = ""
        if marker is not None:
            found = sorted(
                (
                    name
                    for name in self._names
                    if marker in name and PurePosixPath(name).name == marker
                ),
                key=lambda name: (name.count("/"), name),
            )
            if not found:
                raise MalformedRecordError(
                    str(self.path), None, None, None, expected or f"an export with {marker}"
                )
            parent = PurePosixPath(found[0]).parent.as_posix()
            self.root = "" if parent == "." else parent + "/"
        self._pid = os.getpid()
        _OPEN[self._key] = self  # for worker processes forked while it is open

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            os.close(self._fd)
        if _OPEN.get(self._key) is self:
            del _OPEN[self._key]

    @property
    def is_single_file(self) -> bool:
        return self._zip is None and not self.path.is_dir()

    def _list(self) -> None:
        """List a folder not listed yet, in this process."""
        with collector_paused():  # (many small objects that live on)
            self._files = _files_under(self.path)
        self._names = _visible(self._files)
        self._folder = None

    def names(self) -> list[str]:
        """Every file under the root, relative to it, sorted."""
        if self._folder is not None:
            self._list()
        if not self.root:
            return list(self._names)
        n = len(self.root)
        return [name[n:] for name in self._names if name.startswith(self.root)]

    def exists(self, name: str) -> bool:
        if self._folder is not None:
            self._list()
        return self.root + name in self._files

    def _member(self, name: str):
        """The ZIP member or file path of a file named as :meth:`names` names it."""
        if self._folder is not None:
            return os.path.join(self._folder, name)
        return self._files[self.root + name]

    def open(self, name: str) -> IO[bytes]:
        member = self._member(name)
        if self._zip is not None:
            return self._zip_here().open(member)
        return open(member, "rb")

    def read(self, name: str) -> bytes:
        member = self._member(name)
        if self._zip is not None:
            data = _inflated(self._fd, member)
            if data is None:  # anything unusual: zipfile reads it, or says what is wrong
                with self._zip_here().open(member) as file:
                    return file.read()
            return data
        return _read_file(member)

    def read_many(self, names: Iterable[str]) -> Iterator[bytes]:
        """Each file, as :meth:`read` reads it, one after the other as the iterator is
        advanced (a name is not taken, nor its file read, before): for a folder with
        less work per file than a call of :meth:`read` each, as an export may hold a
        hundred thousand small files."""
        if self._zip is not None:
            return map(self.read, names)
        if self._folder is not None:  # not listed: by the names as given
            return map(_read_file, map(os.path.join(self._folder, "").__add__, names))
        return map(_read_file, map(self._files.__getitem__, map(self.root.__add__, names)))

    def _zip_here(self) -> zipfile.ZipFile:
        """The ZIP file opened in this process: a worker forked while it was open opens
        it again (the parent's shares its file position with the parent's reads).
        :func:`_inflated` reads at offsets, and needs no ZipFile of its own."""
        if self._pid != os.getpid():
            self._zip = zipfile.ZipFile(self.path)
            self._pid = os.getpid()
        return self._zip

    def local_path(self, name: str) -> str | None:
        """The file's path on disk, for another process to read; None inside a ZIP file."""
        if self._zip is not None:
            return None
        return str(self._member(name))

    def size(self, name: str) -> int:
        member = self._member(name)
        return member.file_size if self._zip is not None else os.stat(member).st_size

    def display(self, name: str) -> str:
        """How to name the file in an error message."""
        if self._zip is not None:
            return f"{self.path}:{self.root}{name}"
        if self.is_single_file:
            return str(self.path)
        return str(self.path / (self.root + name))


_OPEN: dict[tuple[str, str | None], ExportSource] = {}
"""The exports open in this process, by path and marker."""

_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _visible(names: Iterable[str]) -> list[str]:
    """The names that are not :func:`_hidden`, sorted."""
    names = sorted(names)
    everything = "\n" + "\n".join(names)
    if "\n." in everything or "/." in everything or "__MACOSX" in everything:
        return [name for name in names if not _hidden(name)]
    return names  # the common case, without looking at each name


def _hidden(name: str) -> bool:
    """Whether any part of a path is hidden (``.git``, ``._x``) or ``__MACOSX``."""
    if "/." not in "/" + name and "__MACOSX" not in name:
        return False  # the common case, without splitting
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


_FIRST_READ = 1 << 16


def _read_file(path: str) -> bytes:
    """The whole file, read to its end as ``open(path, "rb").read()`` reads it, with
    less work per file: an export may hold a hundred thousand small files. A regular
    file gives fewer bytes than asked only at its end, so a small one is read in one call
    without asking its size; a larger one in one more, of what its size says is left
    (and one byte more: a file that grew meanwhile is read on)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) < _FIRST_READ:
            return data
        parts, size = [data], len(data)
        while True:
            wanted = min(max(os.fstat(fd).st_size - size + 1, _FIRST_READ), 1 << 30)
            chunk = os.read(fd, wanted)
            parts.append(chunk)
            size += len(chunk)
            if len(chunk) < wanted:  # the end
                break
    finally:
        os.close(fd)
    return b"".join(parts)


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name and extra lengths


def _inflated(fd: int, member: zipfile.ZipInfo) -> bytes | None:
    """A member of a ZIP file as ``zipfile`` reads it, read at its offset and inflated
    with ISA-L (three times as fast as ``zipfile`` for a Slack export of 31,000 small
    files), its size and CRC-32 checked; None for anything but a plain stored or deflated
    member that checks out, for ``zipfile`` to read (or to say what is wrong)."""
    if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, 8):
        return None  # encrypted, or compressed otherwise
    header = os.pread(fd, _LOCAL_HEADER.size, member.header_offset)
    if len(header) != _LOCAL_HEADER.size:
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        return None
    start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    data = os.pread(fd, member.compress_size, start)
    if len(data) != member.compress_size:
        return None
    if member.compress_type == zipfile.ZIP_DEFLATED:
        try:
            data = isal_zlib.decompress(data, wbits=-15)
        except isal_zlib.error:
            return None
    if len(data) != member.file_size or isal_zlib.crc32(data) != member.CRC:
        return None
    return data


def _files_under(root: Path) -> dict[str, str]:
    """Every file under ``root`` by its POSIX path relative to it, as ``root.rglob("*")``
    and ``is_file()`` find them (not descending into links to folders), in a fraction of
    the time: an export may hold a hundred thousand small files."""
    files: dict[str, str] = {}
    folders = [("", os.fspath(root))]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except PermissionError:
            continue
        for entry in listed:
            try:
                if entry.is_file(follow_symlinks=False):  # (most are: asked first)
                    files[prefix + entry.name] = entry.path
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((prefix + entry.name + "/", entry.path))
                    continue
                # as rglob's is_file(): a link to a file is one
                if not entry.is_symlink() or not Path(entry.path).is_file():
                    continue
            except OSError as exc:
                if exc.errno not in _IGNORED_ERRNOS:
                    raise
                continue
            files[prefix + entry.name] = entry.path
    return files


def load_json(source: ExportSource, name: str, context: ImportContext) -> Any:
    """The parsed JSON in ``name``, or ``None`` after reporting it malformed."""
    data = source.read(name)
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        context.malformed(
            source.display(name),
            f"line {exc.lineno} column {exc.colno}",
            None,
            None,
            f"valid JSON ({exc.msg})",
        )
    except UnicodeDecodeError as exc:
        context.malformed(source.display(name), f"byte {exc.start}", None, None, "UTF-8 text")
    return None


def field(
    record: Any,
    key: str,
    context: ImportContext,
    file: str,
    location: str,
    expected: str,
    types: type | tuple[type, ...] = str,
) -> Any:
    """``record[key]`` if it is there, not empty and of ``types``; else report, return None."""
    value = record.get(key, MISSING) if isinstance(record, dict) else MISSING
    if isinstance(value, types) and value != "" and not isinstance(value, bool):
        return value
    context.malformed(file, location, key, value, expected)
    return None


class CsvFile:
    """The rows of a CSV file, each with its line number, after checking the header.

    ``required`` columns must be in the header; ``columns`` maps each column name to its
    index. Rows with another number of fields than the header are reported malformed.
    UTF-8 with or without a byte-order mark, as Microsoft's downloads have one.
    """

    def __init__(
        self,
        source: ExportSource,
        name: str,
        context: ImportContext,
        required: tuple[str, ...] = (),
        *,
        delimiter: str = ",",
        encoding: str = "utf-8-sig",
    ):
        self.source = source
        self.name = name
        self.display = source.display(name)
        self.context = context
        self.delimiter = delimiter
        self._raw = source.open(name)
        self._text = io.TextIOWrapper(self._raw, encoding=encoding, newline="")
        self._reader = csv.reader(self._text, delimiter=delimiter)
        self.ok = True
        try:
            self.header = [column.strip() for column in next(self._reader, [])]
        except (UnicodeDecodeError, csv.Error) as exc:
            self.header = []
            self.ok = False
            context.malformed(self.display, "line 1", None, None, f"a CSV header ({exc})")
            return
        self.columns = {column: index for index, column in enumerate(self.header)}
        for column in required:
            if column not in self.columns:
                self.ok = False
                found = ", ".join(self.header) if self.header else "none (the file is empty)"
                context.malformed(
                    self.display,
                    "line 1 (the header)",
                    column,
                    MISSING,
                    f"a column named {column!r}; the columns are: {found}",
                )
                return

    def close(self) -> None:
        self._text.close()

    def position(self) -> int:
        """Bytes read so far (roughly: the reader reads ahead), for progress."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(line, fields)`` for every record; ``line`` is the line the record starts on."""
        if not self.ok:
            return
        reader, width = self._reader, len(self.header)
        line = reader.line_num + 1
        try:
            for row in reader:
                if len(row) != width:
                    if row:  # a blank line is no record
                        self.context.malformed(
                            self.display,
                            f"line {line}",
                            None,
                            None,
                            f"{width} fields as in the header, not {len(row)}",
                        )
                else:
                    yield line, row
                line = reader.line_num + 1
        except (UnicodeDecodeError, csv.Error) as exc:
            self.context.malformed(self.display, f"line {line}", None, None, f"CSV ({exc})")
        finally:
            self.close()


def read_in_bulk(
    reader: CsvFile,
    columns: list[str],
    convert: Callable[[pa.RecordBatch, int], tuple[dict[str, int], Any] | None],
    progress: Callable[[int], Any] | None = None,
) -> Generator[Any, None, int | None]:
    """Read a CSV in bulk with pyarrow, as long as every batch is valid.

    Yields what ``convert(batch, records_before)`` returns for each batch of ``columns``
    (as strings): ``(skipped per reason, events)``; it returns None for a batch with any
    problem. Returns None when the whole file was read, else the number of records read
    before the first batch that ``convert`` refused or pyarrow could not read: the caller
    reads on from there with :meth:`CsvFile.rows`, which names each problem's line. (The
    csv module is several times slower, but counts lines in quoted values.)
    """
    context, done = reader.context, 0
    with reader.source.open(reader.name) as file:
        try:
            batches = pa_csv.open_csv(
                file,
                read_options=pa_csv.ReadOptions(
                    column_names=reader.header, skip_rows=1, block_size=1 << 22
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=reader.delimiter, newlines_in_values=True
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={column: pa.string() for column in columns},
                    include_columns=columns,
                    strings_can_be_null=False,
                ),
            )
            for batch in batches:
                result = convert(batch, done)
                if result is None:
                    return done
                skipped, events = result
                for reason, count in skipped.items():
                    context.skip(reason, count)
                if len(events):
                    yield events
                done += batch.num_rows
                if progress is not None:
                    progress(file.tell())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            return done
    return None


# --- bulk paths ----------------------------------------------------------------------

NOT_JSON: Any = object()
"""What :func:`fast_structs` returns for bytes that msgspec does not read as declared."""

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def fast_structs(decoder: msgspec.json.Decoder, data: bytes) -> Any:
    """``decoder.decode(data)``: only the fields a bulk path uses, as the decoder's
    :class:`msgspec.Struct` types, or :data:`NOT_JSON` when msgspec refuses the document
    or a value used is not of the type declared.

    msgspec checks the JSON of every field, also those it skips, but not whether skipped
    strings are valid UTF-8 (``json`` refuses bytes that are not): that is checked here
    first. What it reads it reads as ``json.loads`` does where the declared types allow
    (the last of two equal keys wins; integers of any size). It refuses what ``json``
    reads more leniently (NaN, a byte-order mark, lone surrogates, UTF-16), and values
    of another type than declared: :func:`load_json` then reads the document, line by
    line, naming every problem.
    """
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return NOT_JSON
    try:
        return decoder.decode(data)
    except msgspec.DecodeError:  # also msgspec.ValidationError: a value of another type
        return NOT_JSON


def repeated(text: str | None, n: int) -> pa.Array:
    """A string array of ``n`` times ``text``: taken in C++, not made from a Python list
    of ``n`` items (ten times as fast for a column of reads)."""
    return pa.array([text], pa.string()).take(np.zeros(n, np.int32))


def counting(start: int, n: int) -> pa.Array:
    """The int64 array ``start, start + 1, ...`` of ``n`` numbers (line numbers)."""
    return pa.array(np.arange(start, start + n, dtype=np.int64))


class collector_spared:
    """Within the block, :meth:`settle` leaves every object made so far out of the
    garbage collector's walks (``gc.freeze``) until the block ends: the listing of a
    folder of a million files, and the lists made of it, live as long as the import, and
    the collector walked them again and again (0.4 s) while the workers waited for their
    first files. Not where objects are frozen already (they are left as they are)."""

    __slots__ = ("frozen",)

    def __enter__(self) -> collector_spared:
        self.frozen = False
        return self

    def settle(self) -> None:
        if not self.frozen and gc.get_freeze_count() == 0:
            gc.freeze()
            self.frozen = True

    def __exit__(self, *exc_info) -> None:
        if self.frozen:
            gc.unfreeze()


class collector_paused:
    """Python's automatic garbage collection paused while a file is parsed and its events
    taken out (no yield in between): a parsed file is many objects (lists, strings) that
    all live until then, and the collector would walk them, and every other object,
    again and again. Reference counting frees them when they are let go, as before."""

    __slots__ = ("paused",)

    def __enter__(self) -> None:
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.paused:
            gc.enable()


class EventColumns:
    """Event columns from many small pieces, handed on as :class:`EventBatch` objects of
    exactly ``rows`` events (the last one fewer), so that the Parquet row groups are the
    ones the writer makes from rows.

    ``add(columns)`` takes the seven columns of :class:`~..events.Event` as pyarrow
    arrays (or no columns: no events) and yields every full batch; ``flush()`` yields
    what is left. Flush before yielding rows, so that events stay in the order read.
    """

    def __init__(self, rows: int = BATCH_ROWS):
        self.rows = rows
        self._pieces: list[list[pa.Array]] = []
        self._count = 0

    def add(self, columns: list[pa.Array]) -> Iterator[EventBatch]:
        n = len(columns[0]) if columns else 0
        if not n:
            return
        self._pieces.append(columns)
        self._count += n
        while self._count >= self.rows:
            merged = self._merged()
            yield EventBatch(*(column.slice(0, self.rows) for column in merged))
            rest = [column.slice(self.rows) for column in merged]
            self._count -= self.rows
            self._pieces = [rest] if self._count else []

    def flush(self) -> Iterator[EventBatch]:
        if self._count:
            batch = EventBatch(*self._merged())
            self._pieces, self._count = [], 0
            yield batch

    def _merged(self) -> list[pa.Array | pa.ChunkedArray]:
        """The pieces as columns, in chunks (not copied: the writer takes chunks)."""
        if len(self._pieces) == 1:
            return self._pieces[0]
        return [
            pa.chunked_array(
                [
                    chunk
                    for piece in column
                    for chunk in (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])
                ],
                column[0].type,
            )
            for column in zip(*self._pieces, strict=True)
        ]


ISO_UTC = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"
"""The form of time :func:`bulk_iso_micros` reads (as Graph and Discourse write them)."""


def bulk_iso_micros(texts: list) -> pa.Array | None:
    """Microseconds since the epoch of ISO 8601 UTC times such as
    ``2024-03-01T09:30:00.123Z``, exactly as :func:`~..events.iso_micros` reads them; None
    if any is not a string of that form (or not a time, such as 30 February), to be read
    one by one. pyarrow agrees with Python on these texts except for year 0, which Python
    refuses."""
    try:
        array = pa.array(texts, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if not len(array):
        return pa.array([], pa.int64())
    if array.null_count:
        return None
    usual = _of_one_usual_length(array)
    if usual is None:  # of several lengths: by the pattern
        usual = pc.all(pc.match_substring_regex(array, ISO_UTC)).as_py()
        if usual and pc.any(pc.starts_with(array, "0000")).as_py():
            return None  # year 0
    if not usual:
        return None
    try:
        return array.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    except pa.ArrowInvalid:
        return None


_ISO_ROWS = 2048
"""Times checked together by :func:`_of_one_usual_length` (numpy is fast along a long
row, slow along many short ones)."""


def _iso_layout(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Of :data:`_ISO_ROWS` :data:`ISO_UTC` times of ``length`` characters one after the
    other, each byte as it is with the digits 0, and how far above that each may be (9
    for a digit, else 0)."""
    form = "0000-00-00T00:00:00" + ("." + "0" * (length - 21) if length > 20 else "") + "Z"
    codes = np.frombuffer(form.encode() * _ISO_ROWS, np.uint8)
    return codes, np.where(codes == ord("0"), 9, 0).astype(np.uint8)


_ISO_LAYOUTS = {length: _iso_layout(length) for length in (20, *range(22, 28))}


def _of_one_usual_length(array: pa.StringArray) -> bool | None:
    """Whether texts all of one length are all :data:`ISO_UTC` times of a year from 1
    (checked byte by byte with numpy, five times as fast as by the pattern); None if
    they are of more than one length, or of none that such a time has."""
    offsets = np.frombuffer(array.buffers()[1], np.int32, len(array) + 1, array.offset * 4)
    start, end = int(offsets[0]), int(offsets[-1])
    length, rest = divmod(end - start, len(array))
    if rest or length not in _ISO_LAYOUTS or not np.all(np.diff(offsets) == length):
        return None
    lowest, above = _ISO_LAYOUTS[length]
    texts = np.frombuffer(array.buffers()[2], np.uint8, end - start, start)
    rows = len(lowest)
    whole = len(texts) - len(texts) % rows
    # (a byte below the lowest wraps round to far above it)
    if not (
        np.all(np.less_equal(texts[:whole].reshape(-1, rows) - lowest, above))
        and np.all(
            np.less_equal(texts[whole:] - lowest[: len(texts) - whole], above[: len(texts) - whole])
        )
    ):
        return False
    return not pc.any(pc.starts_with(array, "0000")).as_py()  # not year 0


# --- parsing on several cores ---------------------------------------------------------

WORKERS_VARIABLE = "ISMONITOR_IMPORT_WORKERS"
PARALLEL_BYTES = 64 << 20
"""Exports smaller than this are read in one process: starting workers costs more."""


def import_workers(total_bytes: int, context: ImportContext | None = None) -> int:
    """How many processes parse an export of ``total_bytes``: the import's ``workers``,
    else the environment variable ``ISMONITOR_IMPORT_WORKERS``, else one per core for a
    large export (at most 8) and 1 (no workers, all in this process) for a small one."""
    chosen = context.workers if context is not None else None
    if chosen is None:
        chosen = os.environ.get(WORKERS_VARIABLE) or None
    if chosen is not None:
        try:
            workers = int(chosen)
        except ValueError:
            raise ValueError(
                f"{WORKERS_VARIABLE}: {chosen!r} is not a number; "
                "expected the number of processes that parse an export, such as 4"
            ) from None
        if workers < 1:
            raise ValueError(f"{WORKERS_VARIABLE}: {workers} processes; expected at least 1")
        return workers
    if total_bytes < PARALLEL_BYTES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


SAMPLE_FILES = 1024
"""Of a folder of more files than a few times this, only so many evenly spread are
measured to split the files among processes (measuring all 143,000 files of the Discourse
benchmark export took more than a second, in the one process that hands them out)."""


class Numbered(Sequence):
    """The pairs ``(start + i, names[i])``, as ``list(enumerate(names, start))`` holds
    them, made only when asked for: a hundred thousand pairs kept would be walked by the
    garbage collector, again and again. A slice is a :class:`Numbered` too."""

    __slots__ = ("names", "start")

    def __init__(self, names: list[str], start: int = 0):
        self.names, self.start = names, start

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index):
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self.names))
            if step != 1:
                return [self[place] for place in range(first, stop, step)]
            return Numbered(self.names[first:stop], self.start + first)
        name = self.names[index]  # (raises IndexError as a list does)
        return (self.start + index % len(self.names), name)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return zip(itertools.count(self.start), self.names)

    def __repr__(self) -> str:
        return f"Numbered({self.names!r}, {self.start})"


def sizes_estimated(source: ExportSource, names: list[str]) -> bool:
    """Whether :func:`file_sizes` estimates the sizes of these files (a folder of many)."""
    return source.path.is_dir() and len(names) > 4 * SAMPLE_FILES


def file_sizes(source: ExportSource, names: list[str]) -> list[int]:
    """The size of each file, or, in a folder of many files, an estimate (the average of
    :data:`SAMPLE_FILES` evenly spread ones): enough to split them among processes."""
    if not sizes_estimated(source, names):
        return [source.size(name) for name in names]
    step = len(names) / SAMPLE_FILES
    sample = [source.size(names[int(number * step)]) for number in range(SAMPLE_FILES)]
    return [max(1, round(sum(sample) / len(sample)))] * len(names)


def in_chunks(sizes: list[int], target: int) -> list[slice]:
    """Consecutive slices of items whose sizes add up to about ``target`` each."""
    if sizes and sizes[0] > 0 and sizes.count(sizes[0]) == len(sizes):  # (as estimated)
        step = -(-target // sizes[0])  # the items that reach the target
        return [slice(start, min(start + step, len(sizes))) for start in range(0, len(sizes), step)]
    chunks, start, filled = [], 0, 0
    for index, size in enumerate(sizes):
        filled += size
        if filled >= target:
            chunks.append(slice(start, index + 1))
            start, filled = index + 1, 0
    if start < len(sizes):
        chunks.append(slice(start, len(sizes)))
    return chunks


def in_order(
    function: Callable[[Any], Any], tasks: Iterable, workers: int, ahead: int = 2
) -> Iterator[Any]:
    """``function(task)`` for every task (taken from ``tasks`` only as needed), in order:
    in this process when ``workers`` is 1, else in ``workers`` forked processes, with at
    most ``ahead`` tasks per worker waiting so that results do not pile up in memory.
    ``function`` must be a module-level function and return what pickles (pyarrow arrays
    and numpy arrays do; see :func:`_pickled` for how they come here). The workers stop
    when the caller stops reading (an interrupted import), and an error in a worker is
    raised here."""
    if workers <= 1:
        yield from map(function, tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Large results come through files in memory (see _pickled), in a folder of this
    # import's own, removed at the end with whatever an interrupted import left in it.
    shared = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
    spill = tempfile.mkdtemp(prefix="ismonitor-import-", dir=shared)
    # fork: the workers start at once with everything the importer has loaded; Arrow
    # resets its thread pools in a forked child.
    executor = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_leave_interrupts
    )
    try:
        pending = []
        queue = iter(tasks)
        for task in queue:
            pending.append(executor.submit(_pickled, function, task, spill))
            if len(pending) >= workers * ahead:
                break
        while pending:
            result = _unpickled(pending.pop(0).result())
            for task in queue:
                pending.append(executor.submit(_pickled, function, task, spill))
                break
            yield result
    except BrokenProcessPool as exc:  # from result(), or from submit() once broken
        raise ImportWorkerError(
            f"a worker process that parsed the export ended abruptly ({exc}). Was "
            "the export changed or cut short while it was read, or is memory short? "
            "Import it again, or in one process with --workers 1"
        ) from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spill, ignore_errors=True)


def _leave_interrupts() -> None:
    """In a worker: Ctrl-C is for the importing process, which stops the workers (and
    leaves no dataset) without a traceback from each of them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


SPILL_BYTES = 1 << 20
"""A worker's result with at least so many bytes of arrays comes through a file."""

_ALIGNMENT = 64  # as Arrow allocates its buffers


def _pickled(function: Callable[[Any], Any], task: Any, spill: str) -> bytes | tuple:
    """``function(task)`` pickled with protocol 5; the buffers of its pyarrow arrays (the
    events, let go once written), when large, written apart into a file in ``spill`` (in
    memory, /dev/shm), which the importing process maps instead of copying them from a
    pipe several times (the pool's pickling, the pipe, its thread's unpickling, then
    ours). A result that cannot be written there (/dev/shm full) comes through the
    pipe."""
    result = function(task)
    views: list[memoryview] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        # numpy's arrays are the importers' bookkeeping, which they may keep to the end:
        # copied, so as not to keep a whole file mapped for them
        view = buffer.raw()
        if isinstance(view.obj, np.ndarray):
            return True
        views.append(view)
        return False

    data = pickle.dumps(result, protocol=5, buffer_callback=in_band)
    if sum(view.nbytes for view in views) < SPILL_BYTES:
        return pickle.dumps(result, protocol=5)
    places, at = [], 0
    for view in views:
        places.append((at, view.nbytes))
        at += -(-view.nbytes // _ALIGNMENT) * _ALIGNMENT
    fd, path = tempfile.mkstemp(dir=spill)
    try:
        with open(fd, "wb") as file:
            for view, (start, _) in zip(views, places, strict=True):
                file.seek(start)
                file.write(view)
            file.truncate(at)
    except OSError:
        os.unlink(path)
        return pickle.dumps(result, protocol=5)
    return (path, data, places)


def _unpickled(result: bytes | tuple) -> Any:
    """A result of :func:`_pickled`: its arrays' buffers, when in a file, mapped from it
    (copy on write: nothing is copied unless changed), the file removed."""
    if type(result) is bytes:
        return pickle.loads(result)
    path, data, places = result
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        mapped = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_COPY)
    os.unlink(path)
    view = memoryview(mapped)
    return pickle.loads(data, buffers=[view[start : start + n] for start, n in places])


def source_in_worker(path: str, marker: str | None) -> ExportSource:
    """The export at ``path`` as a worker process reads it: a folder or ZIP file as this
    process listed it before the fork, or a folder it had not listed yet (read by the
    names handed over; ``path`` and ``marker`` as given to :class:`ExportSource`; see
    :meth:`ExportSource._zip_here`), else opened again, once per process (an export
    opened registers itself in :data:`_OPEN`)."""
    return _OPEN.get((path, marker)) or ExportSource(path, marker=marker)
