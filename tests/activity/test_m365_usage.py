"""Microsoft 365 usage reports (Viva Engage, Teams) as per-user period counts."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import MalformedRecordError

from ._helpers import FIXTURES, assert_nothing_personal, pseudonym, read_events, run, uncompressed

M365 = FIXTURES / "m365_usage"
YAMMER = M365 / "YammerActivityUserDetail.csv"
TEAMS = M365 / "TeamsUserActivityUserDetail.csv"


def counts(out):
    rows = pq.read_table(out / "period_counts").to_pylist()
    return {row["user_id"]: row for row in rows}


def test_it_maps_the_viva_engage_report_to_posts_reactions_and_reads(tmp_path):
    report, events = run("m365_usage", YAMMER, tmp_path / "out")
    assert report.period_rows == 3 and events == []
    row = counts(tmp_path / "out")[pseudonym("anna.devries@example.org", "viva_engage")]
    assert row == {
        "platform": "viva_engage",
        "user_id": pseudonym("anna.devries@example.org", "viva_engage"),
        "period_start": date(2024, 4, 1),  # 30 days ending on the refresh date
        "period_end": date(2024, 4, 30),
        "posts": 5,
        "replies": None,  # the report counts replies within "Posted"
        "reactions": 3,
        "reads": 40,
    }


def test_it_pseudonymises_concealed_names_like_any_identifier(tmp_path):
    run("m365_usage", YAMMER, tmp_path / "out")
    concealed = pseudonym("3f2b5c0d9e8a7b6c5d4e3f2a1b0c9d8e", "viva_engage")
    assert counts(tmp_path / "out")[concealed]["reads"] == 12


def test_it_keeps_empty_counts_empty_and_people_who_left(tmp_path):
    run("m365_usage", YAMMER, tmp_path / "out")
    # the UPN is Bram.Jansen@... in the report: case does not matter
    row = counts(tmp_path / "out")[pseudonym("bram.jansen@example.org", "viva_engage")]
    assert (row["posts"], row["reactions"], row["reads"]) == (None, None, None)


def test_it_maps_the_teams_report_to_posts_and_replies(tmp_path):
    report, _ = run("m365_usage", TEAMS, tmp_path / "out")
    assert report.period_rows == 2
    row = counts(tmp_path / "out")[pseudonym("anna.devries@example.org", "teams")]
    assert (row["platform"], row["period_start"], row["period_end"]) == (
        "teams",
        date(2024, 4, 22),
        date(2024, 4, 28),
    )
    assert (row["posts"], row["replies"], row["reactions"], row["reads"]) == (3, 7, None, None)


def test_it_reads_a_folder_of_reports_telling_them_apart_by_header(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for report in (YAMMER, TEAMS):
        (folder / report.name).write_bytes(report.read_bytes())
    report, _ = run("m365_usage", folder, tmp_path / "out")
    assert report.period_rows == 5
    platforms = [row["platform"] for row in counts(tmp_path / "out").values()]
    assert sorted(platforms) == ["teams"] * 2 + ["viva_engage"] * 3


def test_it_can_identify_teams_users_by_their_entra_id(tmp_path):
    run("m365_usage", TEAMS, tmp_path / "out", options={"user_column": "User Id"})
    anna = pseudonym("0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "teams")
    assert counts(tmp_path / "out")[anna]["replies"] == 7


def test_it_stores_no_names_or_addresses(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    run("m365_usage", YAMMER, tmp_path / "a")
    run("m365_usage", TEAMS, tmp_path / "b")
    for out in (tmp_path / "a", tmp_path / "b"):
        assert read_events(out) == []
        assert_nothing_personal(
            out,
            [
                "Anna de Vries",
                "Bram Jansen",
                "@example.org",
                "3F2B5C0D9E8A7B6C5D4E3F2A1B0C9D8E",
                "3f2b5c0d9e8a7b6c5d4e3f2a1b0c9d8e",
                "Acme BV",
            ],
        )


def test_it_explains_that_the_groups_report_has_no_people(tmp_path):
    with pytest.raises(MalformedRecordError, match="groups activity report"):
        run("m365_usage", M365 / "malformed" / "groups-report.csv", tmp_path / "out")


def test_it_names_the_line_column_and_value_of_a_bad_count(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        run("m365_usage", M365 / "malformed" / "bad-count.csv", tmp_path / "out")
    error = caught.value
    assert (error.location, error.field, error.value) == ("line 2", "Read Count", "veel")
    assert "a whole number" in str(error)
