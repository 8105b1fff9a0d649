"""Run one importer into a new dataset directory, atomically: all of it or nothing.

The dataset is written into a temporary directory beside the target and renamed into
place at the end; an error or an interrupt (Ctrl-C) removes the temporary directory and
leaves the target as it was. An existing dataset is replaced only with
``overwrite=True``, and only if it is a dataset (or an empty directory).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from .events import (
    ACTIONS,
    EVENTS_DIR,
    MANIFEST_FILE,
    ROSTER_FILE,
    EventWriter,
    PeriodCountWriter,
)
from .pseudonym import Pseudonymiser, key_id, load_key
from .registry import ImportContext, MalformedRecordError, OnError, get_importer

FORMAT_VERSION = 1


@dataclass
class ImportReport:
    """What one import did. Every record of the export is in exactly one of ``imported``
    (as events, or ``period_rows``), ``skipped`` (left out on purpose, per reason) or
    ``rejected`` (malformed; only with ``on_error="reject"``)."""

    platform: str
    out_dir: Path
    imported: dict[str, int] = field(default_factory=dict)
    """Events written per action (``post``, ``reply``, ``react``, ``read``)."""
    period_rows: int = 0
    """Rows written to ``period_counts`` (Microsoft 365 usage reports)."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Records deliberately left out, per reason (``bot_message``, ``deleted``, ...)."""
    rejected: int = 0
    """Malformed records counted and left out (``on_error="reject"``)."""
    rejections: list[str] = field(default_factory=list)
    """The messages of the first rejected records (at most 100)."""
    roster_rows: int | None = None
    """People in the roster, if one was imported."""
    namespace: str = ""
    """The pseudonym namespace (the platform's name unless the caller chose one)."""

    @property
    def events(self) -> int:
        return sum(self.imported.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "namespace": self.namespace,
            "imported": dict(self.imported),
            "events": self.events,
            "period_rows": self.period_rows,
            "skipped": dict(self.skipped),
            "rejected": self.rejected,
            "roster_rows": self.roster_rows,
        }


def import_export(
    platform: str,
    path: str | Path,
    out_dir: str | Path,
    *,
    key: bytes | str | None = None,
    roster: Any = None,
    overwrite: bool = False,
    progress: Callable[[int, int | None], Any] | None = None,
    options: Mapping[str, Any] | None = None,
    on_error: OnError = "abort",
    namespace: str | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import one platform export at ``path`` into a new dataset at ``out_dir``.

    Parameters
    ----------
    platform
        A registered importer's name (``slack``, ``viva_engage``, ``m365_usage``, ...).
    path
        The export: a ZIP file, a folder or a file, as the importer expects.
    out_dir
        The dataset directory to create (see :mod:`.events` for its layout).
    key
        The pseudonymisation key; ``None`` reads ``ISMONITOR_PSEUDONYM_KEY`` or the file
        in ``ISMONITOR_PSEUDONYM_KEY_FILE`` and refuses to run without one.
    roster
        Optional roster of the intended audience: a CSV path or a
        :class:`~.roster.RosterSpec`; written as ``roster.parquet``, pseudonymised in
        the same namespace as the events.
    overwrite
        Replace an existing dataset at ``out_dir``; without it, an existing one is an error.
    progress
        Called as ``progress(done, total)`` in the importer's unit (files, bytes).
    options
        Importer options (see each importer's ``options``).
    on_error
        ``"abort"`` (default): the first malformed record stops the import with a
        :class:`~.registry.MalformedRecordError` and nothing is written. ``"reject"``:
        malformed records are counted in ``ImportReport.rejected`` and left out.
    namespace
        Pseudonym namespace; defaults to the platform's name, so people do not link
        across platforms. Give two imports the same namespace to link them.
    workers
        Processes that parse a large export in the JSON importers (Slack, Teams,
        Discourse, Mattermost, Zulip): by default one per core (at most 8) for an export
        of 64 MB or more, else 1; the environment variable ``ISMONITOR_IMPORT_WORKERS``
        sets it too. The dataset is the same whatever the number.

    Returns
    -------
    ImportReport
        Counts of what was imported, skipped and rejected.
    """
    key = load_key(key)
    importer = get_importer(platform)
    unknown = set(options or {}) - set(importer.options)
    if unknown:
        known = ", ".join(importer.options) or "none"
        raise ValueError(
            f"{platform}: unknown option(s) {', '.join(sorted(unknown))}; known: {known}"
        )
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    out_dir = Path(out_dir)
    _check_target(out_dir, overwrite)

    pseudonymisers: dict[str, Pseudonymiser] = {}

    def pseudonymiser(row_platform: str) -> Pseudonymiser:
        space = namespace or row_platform
        if space not in pseudonymisers:
            pseudonymisers[space] = Pseudonymiser(key, space)
        return pseudonymisers[space]

    context = ImportContext(importer.name, options, on_error, progress, workers)
    report = ImportReport(platform=importer.name, out_dir=out_dir)
    report.namespace = namespace or importer.name
    with _atomic_directory(out_dir, overwrite) as tmp:
        events = EventWriter(tmp, importer.name, pseudonymiser(importer.name).many)
        period_spaces: set[str] = set()

        def period_pseudonymiser(row_platform: str) -> Pseudonymiser:
            period_spaces.add(namespace or row_platform)
            return pseudonymiser(row_platform)

        periods = PeriodCountWriter(tmp, period_pseudonymiser)
        try:
            rows: Iterable[tuple] = importer.read(path, context)
            (events if importer.table == "events" else periods).write(rows)
        finally:
            events.close()
            periods.close()
        if events.may_repeat_ids():
            check_unique_event_ids(tmp, importer.name)
        report.imported = {action: events.counts.get(action, 0) for action in ACTIONS}
        report.period_rows = periods.rows
        report.skipped = dict(sorted(context.skipped.items()))
        report.rejected = context.rejected
        report.rejections = [str(error) for error in context.rejections]
        if len(period_spaces) == 1:
            # a usage report's rows are pseudonymised as their platform's people
            # (viva_engage, teams), so that they link with that platform's events
            report.namespace = next(iter(period_spaces))
        if roster is not None:
            from .roster import RosterSpec, write_roster

            if len(period_spaces) > 1:
                raise ValueError(
                    f"{path}: holds reports of {' and '.join(sorted(period_spaces))}, whose "
                    "people are pseudonymised apart; import each report with its roster, "
                    "or give them one namespace"
                )
            spec = roster if isinstance(roster, RosterSpec) else RosterSpec(Path(roster))
            report.roster_rows = write_roster(
                spec, tmp / ROSTER_FILE, Pseudonymiser(key, report.namespace)
            )
        _write_manifest(tmp, report, key)
    return report


def _write_manifest(directory: Path, report: ImportReport, key: bytes) -> None:
    manifest = {
        "format": "ismonitor-activity",
        "version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": key_id(key),
        **report.to_dict(),
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")


def check_unique_event_ids(directory: Path, platform: str) -> None:
    """Raise :class:`MalformedRecordError` naming event ids that repeat in the dataset
    (read back from its Parquet file; :meth:`.events.EventWriter.may_repeat_ids` says
    first, from hashes, whether any may)."""
    ids = pq.read_table(directory / EVENTS_DIR, columns=["event_id"]).column("event_id")
    if len(ids) == 0 or len(pc.unique(ids)) == len(ids):  # unique() is the fastest check
        return
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    examples = ", ".join(
        f"{item['values']!r} ({item['counts']} times)" for item in repeated[:5].to_pylist()
    )
    raise MalformedRecordError(
        platform,
        None,
        "event_id",
        None,
        f"every event once, but {len(repeated)} event ids repeat: {examples}. Does the "
        "export hold the same records twice (overlapping files)?",
    )


def is_dataset(path: Path) -> bool:
    """Whether ``path`` is a directory written by :func:`import_export`."""
    return (path / MANIFEST_FILE).is_file()


def _check_target(out_dir: Path, overwrite: bool) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise FileExistsError(f"{out_dir}: exists and is not a directory")
    if not any(out_dir.iterdir()):
        return
    if not overwrite:
        raise FileExistsError(f"{out_dir}: a dataset is already there; pass overwrite=True")
    if not is_dataset(out_dir):
        raise FileExistsError(
            f"{out_dir}: not an ismonitor dataset (no {MANIFEST_FILE}); refusing to replace it"
        )


@contextmanager
def _atomic_directory(target: Path, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary directory beside ``target``; on success it becomes ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        _check_target(target, overwrite)  # it may have appeared meanwhile
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
