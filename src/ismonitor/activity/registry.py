"""The registry of platform importers, with every extension point declared here.

An importer reads one platform's export and yields event rows; it never writes, never
pseudonymises and never sees the key: :func:`ismonitor.activity.import_export` does
that. The built-in importers (one module each under :mod:`.importers`, listed in
:data:`BUILTIN_IMPORTERS`) register themselves with :func:`register` exactly as a
third-party package does; such a package makes its module known through an entry point
in the ``ismonitor.importers`` group::

    [project.entry-points."ismonitor.importers"]
    plek = "ismonitor_plek.importer"

Hooks, one line each (the contract an importer fulfils):

- :attr:`Importer.name`, :attr:`Importer.description`, :attr:`Importer.table`,
  :attr:`Importer.options`, :meth:`Importer.read`;
- inside ``read``: :meth:`ImportContext.skip`, :meth:`ImportContext.malformed`,
  :meth:`ImportContext.progress`, :meth:`ImportContext.option`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

BUILTIN_IMPORTERS = (
    "ismonitor.activity.importers.slack",
    "ismonitor.activity.importers.viva_engage",
    "ismonitor.activity.importers.m365_usage",
    "ismonitor.activity.importers.teams",
    "ismonitor.activity.importers.discourse",
    "ismonitor.activity.importers.mattermost",
    "ismonitor.activity.importers.zulip",
    "ismonitor.activity.importers.stackexchange",
    "ismonitor.activity.importers.generic_csv",
)
"""Modules imported before the registry is first used; each registers its importer."""

ENTRY_POINT_GROUP = "ismonitor.importers"
"""Entry-point group for third-party importers: each names a module that registers one."""

OnError = Literal["abort", "reject"]
KEEP_REJECTIONS = 100
"""How many rejected records an import keeps the message of (all are counted)."""


class _Missing:
    def __repr__(self) -> str:
        return "missing"


MISSING: Any = _Missing()
"""The value of a field that is not there at all (as opposed to one that is empty)."""


class ImportWorkerError(RuntimeError):
    """A worker process that parsed part of an export ended without a result (killed,
    out of memory, or the export cut short while it was read)."""


class MalformedRecordError(ValueError):
    """A record that cannot be read: says where (file, line or record, field), what was
    found and what was expected."""

    def __init__(
        self,
        file: str,
        location: str | None,
        field: str | None,
        value: Any,
        expected: str,
    ):
        self.file = file
        self.location = location
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file] + [part for part in (self.location,) if part]
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if self.value is MISSING:
            found = "missing; "
        elif self.value is None and self.field is None:
            found = ""
        else:
            text = repr(self.value)
            found = f"got {text if len(text) <= 80 else text[:77] + '...'}; "
        return f"{', '.join(where)}: {found}expected {self.expected}"


class ImportContext:
    """What an importer is handed besides the path: options, and where to report.

    A record that is deliberately left out is *skipped* (counted per reason); one that
    cannot be read is *malformed*: by default that aborts the import, with
    ``on_error="reject"`` it is counted as rejected and the import goes on.
    """

    def __init__(
        self,
        platform: str,
        options: Mapping[str, Any] | None = None,
        on_error: OnError = "abort",
        progress: Callable[[int, int | None], Any] | None = None,
        workers: int | None = None,
    ):
        if on_error not in ("abort", "reject"):
            raise ValueError(f"on_error={on_error!r}: expected 'abort' or 'reject'")
        self.platform = platform
        self.options = dict(options or {})
        self.on_error = on_error
        self.skipped: Counter[str] = Counter()
        self.rejected = 0
        self.rejections: list[MalformedRecordError] = []
        self._progress = progress
        self.workers = workers
        """Processes that parse a large export (None: one per core; see
        ``importers._common.import_workers``)."""

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records deliberately left out for ``reason`` (``bot_message``)."""
        self.skipped[reason] += count

    def malformed(
        self,
        file: str,
        location: str | None,
        field: str | None,
        value: Any,
        expected: str,
    ) -> None:
        """Report a record that cannot be read: raises, or counts it when rejecting.

        After it returns, the importer goes on with the next record (or file).
        """
        error = MalformedRecordError(file, location, field, value, expected)
        if self.on_error == "abort":
            raise error
        self.rejected += 1
        if len(self.rejections) < KEEP_REJECTIONS:
            self.rejections.append(error)

    def progress(self, done: int, total: int | None) -> None:
        """Say how far the import is, in the importer's own unit (files, bytes, lines)."""
        if self._progress is not None:
            self._progress(done, total)

    def option(self, name: str, default: Any = None) -> Any:
        """The value of an importer option (see :attr:`Importer.options`)."""
        return self.options.get(name, default)


@runtime_checkable
class Importer(Protocol):
    """The shape of an importer; subclass :class:`BaseImporter` or just match it."""

    name: str
    """The platform's name: the registry key and the value of the ``platform`` column."""
    description: str
    """One line saying which export it reads, for help texts."""
    table: Literal["events", "period_counts"]
    """Which table its rows go to: :class:`~.events.Event` or ``PeriodCount`` rows."""
    options: Mapping[str, str]
    """The options it accepts (``import_export(options=...)``), each with one line of help."""

    def read(self, path: Path, context: ImportContext) -> Iterable[tuple]:
        """Yield the rows of the export at ``path``, reporting skips and malformed input."""
        ...


class BaseImporter:
    """Defaults for an importer: events table, no options."""

    name: ClassVar[str]
    description: ClassVar[str]
    table: ClassVar[Literal["events", "period_counts"]] = "events"
    options: ClassVar[Mapping[str, str]] = {}

    def read(self, path: Path, context: ImportContext) -> Iterable[tuple]:  # pragma: no cover
        raise NotImplementedError


_registry: dict[str, Importer] = {}
_loaded = False


def register(importer):
    """Register an importer (a class, instantiated here, or an instance) under its name.

    Returns its argument, so it works as a class decorator. Registering a second
    importer under a name already taken is an error; :func:`unregister` first.
    """
    instance = importer() if isinstance(importer, type) else importer
    missing = [
        attribute
        for attribute in ("name", "description", "table", "options", "read")
        if not hasattr(instance, attribute)
    ]
    if missing:
        raise TypeError(f"{importer!r} is not an importer: it has no {', '.join(missing)}")
    if not re.fullmatch(r"[a-z0-9_]+", str(instance.name)):
        raise TypeError(f"{instance.name!r}: an importer's name is lower-case letters, digits, _")
    if instance.table not in ("events", "period_counts"):
        raise TypeError(f"{instance.name}: table must be 'events' or 'period_counts'")
    existing = _registry.get(instance.name)
    if existing is not None and type(existing) is not type(instance):
        raise ValueError(f"an importer named {instance.name!r} is already registered")
    _registry[instance.name] = instance
    return importer


def unregister(name: str) -> None:
    """Remove the importer registered as ``name`` (for tests and for replacing one)."""
    _registry.pop(name, None)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_IMPORTERS:
        importlib.import_module(module)
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry_point.load()
        if not isinstance(loaded, types.ModuleType):  # a module registers on import
            register(loaded)


def all_importers() -> dict[str, Importer]:
    """Every registered importer by name, built-in and third-party."""
    _load()
    return dict(sorted(_registry.items()))


def get_importer(name: str) -> Importer:
    """The importer registered as ``name``; ``KeyError`` listing the known names if none.

    A built-in importer is found by loading only its own module (named like it), not
    every importer and entry point: an import should not wait for the others."""
    if name not in _registry and not _loaded:
        module = f"{__package__}.importers.{name}"
        if module in BUILTIN_IMPORTERS:
            importlib.import_module(module)
    if name in _registry:
        return _registry[name]
    _load()
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry))
        raise KeyError(f"no importer for platform {name!r}; known: {known}") from None
