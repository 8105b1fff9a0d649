"""The roster: the intended audience, pseudonymised so that it joins the events."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from ismonitor.activity import MalformedRecordError, RosterSpec, import_roster

from ._helpers import FIXTURES, KEY, all_bytes, pseudonym, run, uncompressed

ROSTER = FIXTURES / "csv" / "roster.csv"
PLEK = {"mapping": FIXTURES / "csv" / "plek-mapping.yaml"}


def test_it_refuses_names_and_addresses_unless_dropped(tmp_path):
    with pytest.raises(MalformedRecordError) as caught:
        import_roster(ROSTER, tmp_path / "roster.parquet", namespace="csv", key=KEY)
    assert caught.value.field == "naam"
    assert "drop=['naam']" in str(caught.value)
    assert not (tmp_path / "roster.parquet").exists()


def test_it_keeps_attributes_and_pseudonymises_the_identifier(tmp_path):
    rows = import_roster(
        ROSTER, tmp_path / "roster.parquet", namespace="csv", key=KEY, drop=["naam", "email"]
    )
    assert rows == 4
    table = pq.read_table(tmp_path / "roster.parquet")
    assert table.column_names == ["user_id", "afdeling", "locatie"]
    people = {row["user_id"]: row for row in table.to_pylist()}
    # Bram.Jansen@... in the roster is bram.jansen@... in the export: one person
    bram = people[pseudonym("bram.jansen@example.org", "csv")]
    assert (bram["afdeling"], bram["locatie"]) == ("Facilitair", "Utrecht")
    assert people[pseudonym("dirk.bakker@example.org", "csv")]["locatie"] is None


def test_it_writes_a_roster_that_joins_the_events(tmp_path, monkeypatch):
    uncompressed(monkeypatch)
    roster = RosterSpec(ROSTER, drop=("naam", "email"))
    report, events = run(
        "csv", FIXTURES / "csv" / "plek-export.csv", tmp_path / "out", options=PLEK, roster=roster
    )
    assert report.roster_rows == 4
    people = {
        row["user_id"] for row in pq.read_table(tmp_path / "out" / "roster.parquet").to_pylist()
    }
    active = {event["user_id"] for event in events}
    # Anna, Bram and Carla are in both; "systeem" was skipped; Dirk is in the roster only.
    assert len(active & people) == 3 and len(people - active) == 1
    raw = all_bytes(tmp_path / "out")
    for secret in (b"Anna de Vries", b"Dirk Bakker", b"@example.org"):
        assert secret not in raw


def test_it_refuses_an_e_mail_address_in_an_attribute(tmp_path):
    (tmp_path / "roster.csv").write_text(
        "user_id,afdeling,manager\nU1,HR,anna.devries@example.org\n", encoding="utf-8"
    )
    with pytest.raises(MalformedRecordError) as caught:
        import_roster(tmp_path / "roster.csv", tmp_path / "r.parquet", namespace="slack", key=KEY)
    assert (caught.value.location, caught.value.field) == ("line 2", "manager")
    assert "anna.devries" not in str(caught.value)


def test_it_names_a_person_listed_twice(tmp_path):
    (tmp_path / "roster.csv").write_text("id,afdeling\nU1,HR\nU2,IT\n u1 ,HR\nU1,IT\n")
    with pytest.raises(MalformedRecordError) as caught:
        import_roster(
            tmp_path / "roster.csv",
            tmp_path / "r.parquet",
            namespace="slack",
            key=KEY,
            id_column="id",
        )
    assert caught.value.location == "line 5"
    assert "line 2" in str(caught.value)


def test_it_names_a_missing_identifier_column(tmp_path):
    with pytest.raises(MalformedRecordError, match="'medewerker'"):
        import_roster(
            ROSTER, tmp_path / "r.parquet", namespace="csv", key=KEY, id_column="medewerker"
        )


def test_it_refuses_to_overwrite_a_roster_unless_asked(tmp_path):
    out = tmp_path / "roster.parquet"
    import_roster(ROSTER, out, namespace="csv", key=KEY, drop=["naam", "email"])
    with pytest.raises(FileExistsError):
        import_roster(ROSTER, out, namespace="csv", key=KEY, drop=["naam", "email"])
    import_roster(ROSTER, out, namespace="csv", key=KEY, drop=["naam", "email"], overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.parquet"]


def test_a_roster_problem_leaves_no_dataset(tmp_path):
    with pytest.raises(MalformedRecordError):
        run(
            "csv",
            FIXTURES / "csv" / "plek-export.csv",
            tmp_path / "out",
            options=PLEK,
            roster=ROSTER,
        )
    assert list(tmp_path.iterdir()) == []
