"""Responses in every format: written, read back and checked, the answers unchanged."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from ismonitor.study import ResponsesError, ResponsesFileError, check_file, load_responses, write

from ..conftest import DATA

RESPONSES = DATA / "mini-responses.csv"


@pytest.fixture
def table(mini):
    return load_responses(RESPONSES, mini)


def test_it_reads_typed_answers_from_csv(table):
    alpha = table.set_index("org_id").loc["A1"]
    assert alpha["sector"] == "government"
    assert alpha["uses_ism"] == "yes"
    assert alpha["active_share"] == 27.5
    assert alpha["devices__desktop"] == 1
    assert alpha["part_of_work"] == 4
    beta = table.set_index("org_id").loc["A2"]
    assert beta["reasons__costs"] == 3
    assert beta["reasons_other"] == "Geen budget"
    assert pd.isna(beta["active_share"])
    assert table.set_index("org_id").loc["A3", "org_name"] == "Gamma, de derde"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".parquet"])
def test_it_round_trips_every_format(mini, table, tmp_path, suffix):
    path = write(table, tmp_path / f"responses{suffix}", mini)
    again = load_responses(path, mini)
    pd.testing.assert_frame_equal(
        again.reset_index(drop=True), table.reset_index(drop=True), check_dtype=False
    )


def test_it_writes_spss_value_labels_from_the_instrument(mini, table, tmp_path):
    path = write(table, tmp_path / "responses.sav", mini, lang="en")
    data, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["sector"] == {1.0: "Government", 2.0: "Business"}
    assert meta.variable_value_labels["uses_ism"] == {1.0: "yes", 0.0: "no"}
    assert meta.variable_value_labels["part_of_work"][5.0] == "Strongly agree"
    assert meta.column_names_to_labels["devices__mobile"] == "On which devices? [Mobile]"
    assert data.loc[0, "sector"] == 1.0  # government, the first option
    path_nl = write(table, tmp_path / "responses-nl.sav", mini, lang="nl")
    _, meta_nl = pyreadstat.read_sav(str(path_nl))
    assert meta_nl.variable_value_labels["sector"][1.0] == "Overheid"


def test_it_reads_csv_with_semicolons_and_decimal_commas(mini, tmp_path):
    text = RESPONSES.read_text(encoding="utf-8").replace(",", ";")
    text = text.replace('"Gamma; de derde"', "Gamma")
    text = text.replace("27.5", "27,5")
    path = tmp_path / "excel-nl.csv"
    path.write_text(text, encoding="utf-8-sig")
    table = load_responses(path, mini)
    assert table.loc[0, "active_share"] == 27.5


def test_it_refuses_an_unknown_file_type(mini, tmp_path):
    path = tmp_path / "responses.txt"
    path.write_text("org_id\nA\n")
    with pytest.raises(ResponsesFileError, match=r"responses.txt: unknown file type '.txt'"):
        check_file(path, mini)


def test_it_refuses_a_file_that_is_not_what_its_name_says(mini, tmp_path):
    path = tmp_path / "responses.sav"
    path.write_text("org_id\nA\n")
    with pytest.raises(ResponsesFileError, match=r"responses.sav: cannot read this sav file"):
        check_file(path, mini)


def test_a_failed_write_leaves_no_file(mini, table, tmp_path):
    broken = table.copy()
    broken["active_share"] = broken["active_share"].astype(object)
    broken.loc[0, "active_share"] = "not a number"
    with pytest.raises(ValueError):
        write(broken, tmp_path / "out.csv", mini)
    assert list(tmp_path.iterdir()) == []


def test_spss_codes_out_of_range_are_reported(mini, table, tmp_path):
    path = write(table, tmp_path / "responses.sav", mini)
    data, meta = pyreadstat.read_sav(str(path))
    data.loc[1, "sector"] = 7.0
    pyreadstat.write_sav(data, str(path))
    with pytest.raises(ResponsesError) as caught:
        load_responses(path, mini)
    assert "record 2: organisation A2 (Beta): item sector: 7.0 is not a code of this item" in str(
        caught.value
    )


def test_a_written_file_gets_ordinary_permissions(mini, table, tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = write(table, tmp_path / "responses.csv", mini)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
