"""Shared fixtures: the small test instrument, and the CLI driven as a user drives it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

# The CLI picks its language from the environment when it is imported; the tests read its
# English, whatever the locale of the machine (tests/test_cli_i18n.py runs it in Dutch).
os.environ["ISMONITOR_LANG"] = "en"

from ismonitor.cli import app
from ismonitor.instrument import load

DATA = Path(__file__).parent / "data"


@pytest.fixture
def mini():
    return load(DATA / "mini.yaml")


@pytest.fixture
def mini_path() -> Path:
    return DATA / "mini.yaml"


@pytest.fixture
def cli():
    """Run ``ismonitor ARGS`` and return the result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)

    return run
