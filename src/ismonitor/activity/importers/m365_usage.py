"""Microsoft 365 usage reports (CSV) → per-user counts for the report's period.

Reads the "Viva Engage activity user detail" report (``getYammerActivityUserDetail``)
and the "Teams user activity user detail" report (``getTeamsUserActivityUserDetail``) as
downloaded from the admin centre or Graph: one CSV file, or a folder or ZIP of them,
each recognised by its header. They give counts per person for a period, not events, so
their rows go to the ``period_counts`` table.

The period is the ``Report Period`` days ending on the ``Report Refresh Date``, both
inclusive. The person is the ``User Principal Name``, or the 32-hex hash that stands in
for it when the tenant conceals names; both are pseudonymised like any identifier.

Mapping (a count is null where the report has none):

========================  =============  ============================================
column                    period_counts  note
========================  =============  ============================================
Viva Engage Posted Count  posts          new conversations and replies together
Viva Engage Liked Count   reactions
Viva Engage Read Count    reads          conversations read
Teams Post Messages       posts          channel posts
Teams Reply Messages      replies        replies in channels
========================  =============  ============================================

Teams' chat, call and meeting counts (``Team Chat Message Count``, ``Private Chat
Message Count``, ...) measure chatting and meeting, not the social intranet, and are not
imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from ..registry import MISSING, BaseImporter, ImportContext, register
from ._common import CsvFile, ExportSource

REFRESH, PERIOD, UPN = "Report Refresh Date", "Report Period", "User Principal Name"

REPORTS = {
    # platform: {period_counts column: report column or None}
    "viva_engage": {
        "posts": "Posted Count",
        "replies": None,
        "reactions": "Liked Count",
        "reads": "Read Count",
    },
    "teams": {
        "posts": "Post Messages",
        "replies": "Reply Messages",
        "reactions": None,
        "reads": None,
    },
}
COUNTS = ("posts", "replies", "reactions", "reads")


def report_kind(header: list[str]) -> str | None:
    """``viva_engage`` or ``teams`` for a user detail report's header, else None."""
    columns = set(header)
    for platform, mapping in REPORTS.items():
        needed = {REFRESH, PERIOD, UPN} | {c for c in mapping.values() if c is not None}
        if needed <= columns:
            return platform
    return None


@register
class M365UsageImporter(BaseImporter):
    name = "m365_usage"
    description = "Microsoft 365 usage reports: Viva Engage and Teams user activity (CSV)"
    table = "period_counts"
    options = {
        "user_column": "the report column that identifies the person (default "
        "'User Principal Name'; 'User Id' for the Teams report's Entra object id)",
    }

    def read(self, path: Path, context: ImportContext) -> Iterator[tuple]:
        user_column = context.option("user_column", UPN)
        with ExportSource(path) as source:
            names = [name for name in source.names() if name.lower().endswith(".csv")]
            if not names:
                context.malformed(
                    str(path), None, None, None, "a usage report CSV, or a folder or ZIP of them"
                )
            for done, name in enumerate(names):
                yield from _report(source, name, user_column, context)
                context.progress(done + 1, len(names))


def _report(
    source: ExportSource, name: str, user_column: str, context: ImportContext
) -> Iterator[tuple]:
    reader = CsvFile(source, name, context)
    if not reader.ok:
        return
    platform = report_kind(reader.header)
    if platform is None:
        reader.close()
        if "Group Display Name" in reader.header:
            expected = (
                "a user detail report; this is a groups activity report, which has no "
                "counts per person"
            )
        else:
            expected = (
                "the header of the Viva Engage activity user detail report or the Teams "
                f"user activity user detail report (with {REFRESH!r}, {UPN!r}, "
                f"{PERIOD!r} and their count columns)"
            )
        context.malformed(reader.display, "line 1 (the header)", None, None, expected)
        return
    if user_column not in reader.columns:
        reader.close()
        context.malformed(
            reader.display, "line 1 (the header)", user_column, MISSING, "the user column"
        )
        return
    display, malformed = reader.display, context.malformed
    i_user, i_refresh, i_period = (
        reader.columns[user_column],
        reader.columns[REFRESH],
        reader.columns[PERIOD],
    )
    count_columns = [(count, REPORTS[platform][count]) for count in COUNTS]
    for line, row in reader.rows():
        where = f"line {line}"
        user = row[i_user].strip()
        if not user:
            malformed(display, where, user_column, row[i_user], "a user principal name or hash")
            continue
        try:
            end = date.fromisoformat(row[i_refresh].strip())
        except ValueError:
            malformed(display, where, REFRESH, row[i_refresh], "a date such as 2024-04-30")
            continue
        days = row[i_period].strip()
        if not (days.isdigit() and int(days) > 0):
            malformed(display, where, PERIOD, row[i_period], "a number of days such as 7 or 30")
            continue
        counts: list[int | None] = []
        for _, column in count_columns:
            if column is None:
                counts.append(None)
                continue
            text = row[reader.columns[column]].strip()
            if text == "":
                counts.append(None)
            elif text.isdigit():
                counts.append(int(text))
            else:
                malformed(display, where, column, text, "a whole number, or nothing")
                break
        else:
            start = end - timedelta(days=int(days) - 1)
            yield (platform, user, start, end, *counts)
