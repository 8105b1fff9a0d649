"""Use from Microsoft 365 usage reports (per-user counts, no times), on DuckDB and Spark.

Every number below is worked out by hand from the report written in ``report``.
"""

from __future__ import annotations

import pytest

from ismonitor.activity import engines, import_export
from ismonitor.activity.period_metrics import compute, read_period_counts, to_records

KEY = "period-metrics-test-key-0123456789"
HEADER = (
    "Report Refresh Date,User Principal Name,Display Name,User State,State Change Date,"
    "Last Activity Date,Posted Count,Read Count,Liked Count,Assigned Products,Report Period"
)
ROWS = [
    # user, posted, read, liked
    ("u1@example.org", 10, 50, 5),  # active, creator
    ("u2@example.org", 2, 20, 0),  # active, creator
    ("u3@example.org", 0, 30, 4),  # passive, contributor (liked)
    ("u4@example.org", 0, 8, 0),  # passive, consumer (only read)
    ("u5@example.org", 0, 0, 0),  # listed, did nothing: inactive
    ("u6@example.org", 1, 0, 0),  # active, creator
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("m365")
    report = folder / "YammerActivityUserDetail.csv"
    lines = [HEADER] + [
        f"2024-04-30,{user},Person,active,,2024-04-29,{posted},{read},{liked},MICROSOFT 365 E3,30"
        for user, posted, read, liked in ROWS
    ]
    report.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    roster = folder / "roster.csv"
    roster.write_text("user_id\nu1@example.org\nu2@example.org\nu3@example.org\nu7@example.org\n")
    import_export("m365_usage", report, folder / "plain", key=KEY)
    import_export("m365_usage", report, folder / "with-roster", key=KEY, roster=roster)
    return folder


@pytest.fixture(scope="module", params=["duckdb", "pyspark"])
def backend(request):
    return engines.connect(request.param)


def test_it_measures_a_report_without_a_roster(backend, dataset):
    counts = read_period_counts(backend, dataset / "plain")
    (row,) = to_records(compute(counts))
    assert row["period_end"] == "2024-04-30"
    assert (row["audience"], row["audience_source"]) == (6, "report")
    assert (row["active"], row["passive"], row["inactive"]) == (3, 2, 1)
    assert row["active_share"] == pytest.approx(3 / 6)
    assert (row["creators"], row["contributors"], row["consumers"]) == (3, 1, 1)
    assert row["creators_share"] == pytest.approx(3 / 5)  # of the five with any activity
    # posts+replies of the active users, ascending 1, 2, 10: Gini = (-2*1 + 0*2 + 2*10) / (3*13)
    assert row["gini"] == pytest.approx(18 / 39)
    assert row["top1_share"] == pytest.approx(10 / 13)  # the top ceil(3 * 1%) = 1 user
    assert row["top10_share"] == pytest.approx(10 / 13)


def test_it_measures_against_a_roster(backend, dataset):
    counts = read_period_counts(backend, dataset / "with-roster")
    roster = engines.read_roster(backend, dataset / "with-roster" / "roster.parquet")
    (row,) = to_records(compute(counts, roster))
    # the roster: u1, u2, u3 and u7 (not in the report); u4-u6 are outside it
    assert (row["audience"], row["audience_source"]) == (4, "roster")
    assert (row["active"], row["passive"], row["inactive"]) == (2, 1, 1)
    assert (row["creators"], row["contributors"], row["consumers"]) == (2, 1, 0)
    assert row["gini"] == pytest.approx(8 / 24)  # 2 and 10: (-1*2 + 1*10) / (2*12)
    assert row["top1_share"] == pytest.approx(10 / 12)


def test_a_dataset_of_events_has_no_period_counts(backend, tmp_path):
    (tmp_path / "period_counts").mkdir()
    assert read_period_counts(backend, tmp_path) is None
