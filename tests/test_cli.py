"""The command line, driven as a user drives it, on real files in every format."""

from __future__ import annotations

import json

import pytest

from ismonitor.cli import app

from .conftest import DATA


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A synthetic edition written by the CLI, and the same answers in every other format."""
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    result = runner.invoke(app, ["demo-data", "--out", str(folder), "--seed", "7"])
    assert result.exit_code == 0, result.output
    for suffix in ("xlsx", "sav", "parquet"):
        converted = runner.invoke(
            app,
            [
                "convert",
                str(folder / "responses.csv"),
                str(folder / f"responses.{suffix}"),
                "--instrument",
                "ism-2018",
            ],
        )
        assert converted.exit_code == 0, converted.output
    return folder


def test_demo_data_writes_a_labelled_synthetic_edition(cli, tmp_path):
    result = cli("demo-data", "--out", tmp_path, "--organisations", "20", "--seed", "1")
    assert result.exit_code == 0
    assert "SYNTHETIC" in result.stdout
    assert "20 organisations" in result.stdout
    lines = (tmp_path / "responses.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 21
    assert "synthetic-2018" in lines[1]
    assert "SYNTHETIC DATA" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_demo_data_is_reproducible_with_a_seed(cli, tmp_path):
    cli("demo-data", "--out", tmp_path / "a", "--seed", "5")
    cli("demo-data", "--out", tmp_path / "b", "--seed", "5")
    cli("demo-data", "--out", tmp_path / "c", "--seed", "6")
    a = (tmp_path / "a" / "responses.csv").read_bytes()
    assert a == (tmp_path / "b" / "responses.csv").read_bytes()
    assert a != (tmp_path / "c" / "responses.csv").read_bytes()


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "sav", "parquet"])
def test_validate_accepts_every_format(cli, demo, suffix):
    result = cli("validate", demo / f"responses.{suffix}", "--instrument", "ism-2018")
    assert result.exit_code == 0, result.output
    assert "valid: 139 organisations answering ism-2018 2018.1" in result.stdout


@pytest.mark.parametrize("suffix", ["xlsx", "sav", "parquet"])
def test_score_gives_the_same_json_from_every_format(cli, demo, suffix):
    reference = json.loads(cli("score", demo / "responses.csv", "-i", "ism-2018", "--json").stdout)
    other = json.loads(
        cli("score", demo / f"responses.{suffix}", "-i", "ism-2018", "--json").stdout
    )
    assert other == reference


def test_score_json_has_the_documented_shape(cli, demo):
    result = cli("score", demo / "responses.csv", "--instrument", "ism-2018", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["synthetic"] is True
    organisations = document["organisations"]
    assert len(organisations) == 139
    adopter = next(o for o in organisations if o["adopter"])
    assert set(adopter) >= {
        "id",
        "name",
        "sector",
        "size_class",
        "factors",
        "overall",
        "stage",
        "percentiles",
        "advice",
    }
    assert set(adopter["factors"]) == {"adoption", "purposefulness", "organisation", "integration"}
    assert all(0 <= v <= 100 for v in adopter["factors"].values())
    assert set(adopter["percentiles"]) == {"all", "sector", "size_class"}
    assert adopter["stage"] in {"starting", "developing", "advanced", "mature"}
    assert {"item", "element", "factor", "score", "advice"} <= set(adopter["advice"][0])
    non_adopter = next(o for o in organisations if not o["adopter"])
    assert non_adopter["factors"] is None
    assert non_adopter["overall"] is None


def test_score_gives_advice_in_the_language_asked_for(cli, demo):
    nl = json.loads(cli("score", demo / "responses.csv", "-i", "ism-2018", "--json").stdout)
    en = json.loads(
        cli("score", demo / "responses.csv", "-i", "ism-2018", "--json", "--lang", "en").stdout
    )
    first_nl = next(o for o in nl["organisations"] if o["advice"])
    first_en = next(o for o in en["organisations"] if o["id"] == first_nl["id"])
    assert first_nl["advice"][0]["advice"] != first_en["advice"][0]["advice"]
    assert first_nl["stage_label"] in {"Beginnend", "In ontwikkeling", "Gevorderd", "Volwassen"}


def test_score_prints_a_readable_table(cli, demo):
    result = cli("score", demo / "responses.csv", "-i", "ism-2018", "--lang", "en")
    assert result.exit_code == 0
    assert "SYNTHETIC DATA" in result.stdout
    assert "SYN-001" in result.stdout
    assert "Purposefulness" in result.stdout


def test_a_wrong_value_is_refused_naming_organisation_item_and_value(cli, demo, tmp_path):
    lines = (demo / "responses.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("active_share")
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if cells[column]:
            cells[column] = "veel"
            lines[number - 1] = ",".join(cells)
            org = cells[0]
            break
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("validate", broken, "--instrument", "ism-2018")
    assert result.exit_code == 1
    assert (
        f"line {number}: organisation {org} (Synthetische organisatie {org[-3:]}): "
        "item active_share: 'veel' is not a number; expected a percentage from 0 to 100"
    ) in result.stderr
    assert cli("score", broken, "--instrument", "ism-2018").exit_code == 1


def test_validate_refuses_a_missing_file(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.csv", "--instrument", "ism-2018")
    assert result.exit_code == 1
    assert "nope.csv: no such file" in result.stderr


def test_an_unknown_instrument_is_refused(cli, demo):
    result = cli("validate", demo / "responses.csv", "--instrument", "ism-1999")
    assert result.exit_code == 1
    assert "ism-1999" in result.stderr
    assert "ism-2018" in result.stderr  # names what is bundled


def test_instrument_list_shows_the_bundled_instrument(cli):
    result = cli("instrument", "list")
    assert result.exit_code == 0
    assert "ism-2018" in result.stdout
    assert "2018.1" in result.stdout


@pytest.mark.parametrize(("lang", "text"), [("nl", "Uw organisatie"), ("en", "Your organisation")])
def test_instrument_show_in_each_language(cli, lang, text):
    result = cli("instrument", "show", "ism-2018", "--lang", lang)
    assert result.exit_code == 0
    assert text in result.stdout
    assert "why_not" in result.stdout and "only if uses_ism == 'no'" in result.stdout


def test_instrument_validate_accepts_a_valid_file(cli):
    result = cli("instrument", "validate", DATA / "mini.yaml")
    assert result.exit_code == 0
    assert "valid (mini 1.0: 4 sections, 14 items)" in result.stdout


def test_instrument_validate_names_file_line_and_key(cli, tmp_path):
    text = (
        (DATA / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("scale: agree5\n", "scale: agree7\n", 1)
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "scale: agree7" in t)
    result = cli("instrument", "validate", path)
    assert result.exit_code == 1
    assert f"{path}:{line}: sections[2].items[3].scale: no scale named 'agree7'" in result.stderr


def test_summary_describes_the_edition(cli, demo):
    result = cli("summary", demo / "responses.csv", "-i", "ism-2018", "--lang", "en")
    assert result.exit_code == 0
    assert "139 organisations" in result.stdout
    assert "Adoption" in result.stdout
    assert "active_share: mean" in result.stdout
