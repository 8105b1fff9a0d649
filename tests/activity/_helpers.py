"""Helpers for the importer tests: a fixed key, running an import, reading it back.

Plain functions rather than a conftest.py, so they stay out of other suites' way.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from ismonitor.activity import events as events_module
from ismonitor.activity import import_export
from ismonitor.activity.pseudonym import Pseudonymiser

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "a-test-key-that-is-long-enough"
OTHER_KEY = "another-test-key-just-as-long"


def uncompressed(monkeypatch) -> None:
    """Write Parquet without compression, so that a byte search sees every string."""
    monkeypatch.setattr(events_module, "COMPRESSION", "none")


def run(platform: str, path: Path, out: Path, **kwargs):
    """Import and return (report, events as a list of dicts sorted by event id)."""
    report = run_only(platform, path, out, **kwargs)
    return report, read_events(out)


def run_only(platform: str, path: Path, out: Path, **kwargs):
    """Import with the test key and return the report (for large imports)."""
    kwargs.setdefault("key", KEY)
    return import_export(platform, path, out, **kwargs)


def run_with_progress(platform: str, path: Path, out: Path, **kwargs):
    """Import as run_only does, keeping the progress calls in ``report.progress_calls``."""
    calls = []
    report = run_only(platform, path, out, progress=lambda *call: calls.append(call), **kwargs)
    report.progress_calls = calls
    return report


def assert_same_import(first, second, progress: bool = True) -> None:
    """Two imports gave the same counts, rejections and events (and progress calls)."""
    assert (first.imported, first.skipped, first.rejected, first.rejections) == (
        second.imported,
        second.skipped,
        second.rejected,
        second.rejections,
    )
    assert pq.read_table(first.out_dir / "events").equals(pq.read_table(second.out_dir / "events"))
    if progress:
        assert first.progress_calls == second.progress_calls


def msgspec_edits(text: bytes, start: bytes) -> list[tuple[bytes, bytes, int]]:
    """Edits ``(old, new, records rejected)`` of a JSON file at a string field the bulk
    path skips (``text``, such as ``b'"text": "x"'``) and at its first byte (``start``):
    JSON that msgspec refuses and json reads, JSON that msgspec reads skipping what it
    does not use, and bytes that json refuses (not UTF-8)."""
    head, quote = text[:-1], text[-1:]
    return [
        (text, text + b', "score": NaN', 0),
        (text, head + b"\\ud800" + quote, 0),  # a lone surrogate, escaped
        (text, head + b"\xed\xa0\x80" + quote, 0),  # and encoded (json: surrogatepass)
        (start, b"\xef\xbb\xbf" + start, 0),  # a byte-order mark
        (text, text + b', "score": 123456789012345678901234567890', 0),
        (text, head + b"\xff" + quote, 1),
    ]


def edited_reads_as_line_by_line(
    platform: str, export: Path, file: Path, edit: tuple, line_by_line_only, out: Path
) -> None:
    """Make the edit ``(old, new, records rejected)`` in ``file`` of ``export`` (the first
    ``old`` becomes ``new``), import in bulk and, after ``line_by_line_only()``, line by
    line, rejecting malformed records: the same import both ways, with as many records
    rejected as said (bytes that are not UTF-8 as such)."""
    old, new, rejected = edit
    data = file.read_bytes()
    assert old in data
    file.write_bytes(data.replace(old, new, 1))
    bulk = run_with_progress(platform, export, out / "bulk", on_error="reject")
    line_by_line_only()
    slow = run_with_progress(platform, export, out / "slow", on_error="reject")
    assert_same_import(bulk, slow)
    assert slow.rejected == rejected
    if b"\xff" in new:
        assert "UTF-8 text" in slow.rejections[0]


def read_events(out: Path) -> list[dict]:
    table = pq.read_table(out / "events")
    return sorted(table.to_pylist(), key=lambda row: row["event_id"])


def by_id(events: list[dict]) -> dict[str, dict]:
    return {event["event_id"]: event for event in events}


def pseudonym(identifier: str, namespace: str, key: str = KEY) -> str:
    return Pseudonymiser(key.encode(), namespace)(identifier)


def all_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file())


def assert_nothing_personal(out: Path, secrets: list[str]) -> None:
    """None of ``secrets`` in any file of ``out``, nor in any value read back."""
    raw = all_bytes(out)
    values = []
    for path in sorted(out.rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            values.extend(str(value) for value in row.values())
    text = "\n".join(values)
    for secret in secrets:
        assert secret.encode() not in raw, f"{secret!r} is in the output bytes"
        assert secret.lower().encode() not in raw.lower(), f"{secret!r} is in the output bytes"
        assert secret not in text, f"{secret!r} is in the output values"
