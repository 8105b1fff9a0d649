"""`ismonitor report` and `ismonitor analyse` as a user runs them."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    from typer.testing import CliRunner

    from ismonitor.cli import app

    folder = tmp_path_factory.mktemp("editions")
    runner = CliRunner()
    for year in (2016, 2018):
        result = runner.invoke(app, ["demo-data", "--out", str(folder / str(year)), "--seed",
                                     str(year), "--year", str(year)])  # fmt: skip
        assert result.exit_code == 0, result.output
    return folder


def test_analyse_json_has_every_part(cli, editions):
    result = cli("analyse", editions / "2018" / "responses.csv", "-i", "ism-2018",
                 "--previous", editions / "2016" / "responses.csv", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= {"participants", "maturity", "usage", "reliability",
                             "correlations", "barriers", "platforms", "trends"}  # fmt: skip
    assert document["usage"]["active_share_mean"] > 0
    pair = document["correlations"][0]
    assert set(pair) == {"usage", "outcome", "r", "n", "p", "p_adj", "ci_low", "ci_high"}
    assert {"reason", "mean_rank", "share_first"} <= set(document["barriers"][0])
    # the synthetic 2016 edition is less mature: the trend goes up
    assert document["trends"]["means"]["overall"]["diff"] > 0


def test_analyse_prints_a_summary(cli, editions):
    result = cli("analyse", editions / "2018" / "responses.csv", "-i", "ism-2018")
    assert result.exit_code == 0
    assert "Use related to outcomes" in result.stdout
    assert "no_employee_need" in result.stdout


def test_report_national_writes_a_pdf(cli, editions, tmp_path):
    out = tmp_path / "national.pdf"
    responses = editions / "2018" / "responses.csv"
    previous = editions / "2016" / "responses.csv"
    result = cli("report", "national", responses, "-i", "ism-2018", "--previous", previous,
                 "--lang", "en", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 50_000


def test_report_organisation_writes_html(cli, editions, tmp_path):
    out = tmp_path / "org.html"
    result = cli("report", "organisation", editions / "2018" / "responses.csv", "--org",
                 "SYN-001", "-i", "ism-2018", "--lang", "nl", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Synthetische organisatie 001" in out.read_text(encoding="utf-8")


def test_report_refuses_an_unknown_organisation(cli, editions, tmp_path):
    result = cli("report", "organisation", editions / "2018" / "responses.csv", "--org", "X-1",
                 "-i", "ism-2018", "--out", tmp_path / "x.pdf")  # fmt: skip
    assert result.exit_code == 1
    assert "no organisation 'X-1' in the responses" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_report_refuses_an_unknown_file_type(cli, editions, tmp_path):
    result = cli("report", "national", editions / "2018" / "responses.csv", "-i", "ism-2018",
                 "--out", tmp_path / "x.docx")  # fmt: skip
    assert result.exit_code == 1
    assert "expected a .pdf or .html file" in result.stderr
