"""The synthetic Slack export of the demo, also for a small organisation."""

from __future__ import annotations

import json
import zipfile

import pytest

from ismonitor.activity.synthetic import write_export


@pytest.mark.parametrize("seed", range(12))
def test_a_small_organisation_still_gets_threads(tmp_path, seed):
    # With ten employees it happens that nobody is drawn to start threads (seed 2026
    # and others did: "Probabilities contain NaN"); the most active person then does.
    export, roster = write_export(tmp_path, employees=10, months=1, seed=seed)
    with zipfile.ZipFile(export) as archive:
        days = [name for name in archive.namelist() if name.count("/") == 1]
        messages = [m for name in days for m in json.loads(archive.read(name))]
    people = [m for m in messages if m.get("subtype") is None]
    assert len(people) > 10
    assert len(roster.read_text().splitlines()) == 11  # a header and ten people
