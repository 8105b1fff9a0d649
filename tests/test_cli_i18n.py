"""The command line speaks Dutch or English, as the environment asks; English by default.

The language is chosen when ``ismonitor.cli`` is imported (help texts are made then), so
every run here is a fresh process with its own environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ismonitor.i18n import cli_language

from .conftest import DATA

LOCALE_VARIABLES = ("ISMONITOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# the portal's commands (serve, manage, worker, demo-portal) live in ismonitor.web
PORTAL_COMMANDS = {"serve", "manage", "worker", "demo-portal"}


def run(*args, **env: str) -> subprocess.CompletedProcess:
    """``ismonitor ARGS`` in a new process whose locale is only what ``env`` says."""
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    environ.update(env)
    code = "from ismonitor.cli import app; app(prog_name='ismonitor')"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


# -- the choice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LANG": "nds_DE.UTF-8"}, "en"),  # Low German is not Dutch
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LC_MESSAGES": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LANGUAGE": "nl:en", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LANGUAGE": "en:nl", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LANGUAGE": "nl", "LANG": "C.UTF-8"}, "en"),  # gettext ignores LANGUAGE under C
        ({"ISMONITOR_LANG": "nl", "LANG": "C"}, "nl"),
        ({"ISMONITOR_LANG": "en", "LANG": "nl_NL.UTF-8", "LANGUAGE": "nl"}, "en"),
        ({"ISMONITOR_LANG": "fr", "LANG": "nl_NL.UTF-8"}, "nl"),  # not ours: the locale decides
    ],
)
def test_the_language_comes_from_the_environment(environ, expected):
    assert cli_language(environ) == expected


# -- help -----------------------------------------------------------------------------------

HELP_SCRIPT = """
import json, typer.main
from ismonitor.cli import app

def walk(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from walk(command, (*prefix, name))
        else:
            params = {p.name: p.help for p in command.params if getattr(p, "help", None)}
            yield " ".join((*prefix, name)), {"help": command.help, "params": params}

print(json.dumps(dict(walk(typer.main.get_command(app)))))
"""


def _helps(lang: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    environ["ISMONITOR_LANG"] = lang
    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT], capture_output=True, text=True, env=environ
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def helps():
    return {"nl": _helps("nl"), "en": _helps("en")}


def test_every_command_and_option_has_dutch_help_with_its_example_untouched(helps):
    nl, en = helps["nl"], helps["en"]
    assert set(nl) == set(en)
    ours = sorted(set(nl) - PORTAL_COMMANDS)
    assert len(ours) >= 18
    for name in ours:
        assert nl[name]["help"] != en[name]["help"], f"'ismonitor {name}' help is not Dutch"
        example = en[name]["help"].split("Example: ")[1]
        assert f"Example: {example}" in nl[name]["help"], f"'ismonitor {name}' lost its example"
        assert nl[name]["params"].keys() == en[name]["params"].keys()
        for param, text in nl[name]["params"].items():
            if param != "help":  # Click's own --help option stays English
                assert text != en[name]["params"][param], f"{name} {param}: not Dutch"


def flat(text: str) -> str:
    """Help as one line: Click wraps it to the terminal."""
    return " ".join(text.split())


def test_dutch_help_on_the_command_line():
    top = run("--help", ISMONITOR_LANG="nl")
    assert top.returncode == 0, top.stderr
    assert "Meet interne social media in organisaties" in flat(top.stdout)
    assert "validate Controleer een antwoordbestand" in flat(top.stdout)  # its short help
    assert "Measure internal social media" not in flat(top.stdout)

    validate = flat(run("validate", "--help", ISMONITOR_LANG="nl").stdout)
    assert "Controleer een antwoordbestand aan de hand van het instrument" in validate
    assert "Antwoorden: .csv, .xlsx, .sav of .parquet." in validate
    assert "Een meegeleverd instrument op naam" in validate
    assert "Example: ismonitor validate demo/responses.csv --instrument ism-2018" in validate

    new_key = flat(run("activity", "new-key", "--help", ISMONITOR_LANG="nl").stdout)
    assert "Bewaar het bestand: dezelfde sleutel geeft dezelfde pseudoniemen" in new_key
    assert "(alleen door u leesbaar)" in new_key


def test_a_dutch_locale_gives_dutch_help_without_ismonitor_lang():
    result = flat(run("report", "--help", LANG="nl_NL.UTF-8").stdout)
    assert "Rapporten in het Nederlands of Engels" in result
    assert "national Het nationale rapport" in result


def test_ismonitor_lang_overrides_a_dutch_locale():
    result = flat(run("report", "--help", LANG="nl_NL.UTF-8", ISMONITOR_LANG="en").stdout)
    assert "Reports in Dutch or English" in result
    assert "Rapporten" not in result


@pytest.mark.parametrize("env", [{"LANG": "C"}, {"LANG": "C.UTF-8", "LANGUAGE": "nl"}, {}])
def test_english_stays_the_default(env):
    result = run("validate", "--help", **env)
    assert result.returncode == 0, result.stderr
    text = flat(result.stdout)
    assert "Check a responses file against its instrument; every problem is listed." in text
    assert "Responses: .csv, .xlsx, .sav or .parquet." in text
    assert "Controleer" not in text


# -- errors and summaries --------------------------------------------------------------------


def test_a_broken_instrument_is_refused_in_dutch(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\n", encoding="utf-8")
    result = run("instrument", "validate", broken, ISMONITOR_LANG="nl")
    assert result.returncode == 1
    assert f"{broken}: 3 problemen" in result.stderr
    # each problem is the library's, as it comes, with its line
    assert f"{broken}:1: version: this key is required but missing" in result.stderr

    english = run("instrument", "validate", broken, LANG="C")
    assert f"{broken}: 3 problems" in english.stderr
    assert "problemen" not in english.stderr


def test_a_valid_instrument_is_summarised_in_dutch():
    result = run("instrument", "validate", DATA / "mini.yaml", ISMONITOR_LANG="nl")
    assert result.returncode == 0, result.stderr
    assert "mini.yaml: geldig (mini 1.0: 4 onderdelen, 14 items)" in result.stdout


def test_an_existing_key_is_never_overwritten_in_dutch(tmp_path):
    key = tmp_path / "pseudonym.key"
    key.write_text("secret\n", encoding="utf-8")
    result = run("activity", "new-key", key, ISMONITOR_LANG="nl")
    assert result.returncode == 1
    assert f"{key}: bestaat al; een sleutel wordt nooit overschreven" in result.stderr
    assert key.read_text(encoding="utf-8") == "secret\n"


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edition")
    made = run("demo-data", "--out", folder, "--organisations", "20", "--seed", "4",
               ISMONITOR_LANG="nl")  # fmt: skip
    assert made.returncode == 0, made.stderr
    return folder, made


def test_demo_data_and_validate_report_in_dutch(edition):
    folder, made = edition
    assert "geschreven: een SYNTHETISCHE editie van 20 organisaties" in made.stdout
    result = run("validate", folder / "responses.csv", "-i", "ism-2018", ISMONITOR_LANG="nl")
    assert result.returncode == 0, result.stderr
    assert "responses.csv: geldig: 20 organisaties die ism-2018 2018.1 beantwoordden." in (
        result.stdout
    )


def test_summary_in_dutch(edition):
    folder, _ = edition
    result = run("summary", folder / "responses.csv", "-i", "ism-2018", ISMONITOR_LANG="nl")
    assert result.returncode == 0, result.stderr
    assert "SYNTHETISCHE DATA: geen enkele rij beschrijft een echte organisatie." in result.stdout
    assert "20 organisaties, waarvan " in result.stdout
    assert "interne social media gebruiken (" in result.stdout
    assert "% van de beoogde doelgroep (n=" in result.stdout
    assert "Fasen" in result.stdout
    assert "organisations" not in result.stdout


def test_a_report_with_a_wrong_suffix_is_refused_in_dutch(edition, tmp_path):
    folder, _ = edition
    report = tmp_path / "report.txt"
    result = run("report", "national", folder / "responses.csv", "-i", "ism-2018", "--out",
                 report, ISMONITOR_LANG="nl")  # fmt: skip
    assert result.returncode == 1
    assert f"--out {report}: verwacht een .pdf- of .html-bestand" in result.stderr
    assert not report.exists()


def test_a_broken_responses_file_is_counted_in_dutch(edition, tmp_path):
    folder, _ = edition
    lines = (folder / "responses.csv").read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index("active_share")
    row = next(i for i, line in enumerate(lines) if i and line.split(",")[column])
    cells = lines[row].split(",")
    cells[column] = "veel"
    lines[row] = ",".join(cells)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", broken, "-i", "ism-2018", ISMONITOR_LANG="nl")
    assert result.returncode == 1
    assert f"{broken}: 1 probleem\n" in result.stderr
    assert "item active_share: 'veel' is not a number" in result.stderr

    english = run("validate", broken, "-i", "ism-2018", LANG="C")
    assert f"{broken}: 1 problem\n" in english.stderr
