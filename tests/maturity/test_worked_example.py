"""The worked example in docs/maturity-model.md is what the code computes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from ismonitor.instrument import get
from ismonitor.maturity import score_organisation
from ismonitor.study import row_from_answers, validate

DOC = Path(__file__).parents[2] / "docs" / "maturity-model.md"


def _block(marker: str) -> dict:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```yaml\n(.*?)```", text, re.S)
    assert match, f"no yaml block after <!-- {marker} --> in {DOC}"
    return yaml.safe_load(match.group(1))


def test_the_documented_example_scores_as_documented():
    instrument = get("ism-2018")
    answers = _block("example-answers")
    expected = _block("example-expected")
    row = row_from_answers({"org_id": "EXAMPLE", **answers}, instrument)
    checked = validate(pd.DataFrame([row]), instrument)
    assert checked.problems == []
    result = score_organisation(checked.table.to_dict("records")[0], instrument)
    assert result.factors == expected["factors"]
    assert result.overall == expected["overall"]
    assert result.stage.key == expected["stage"]
    advice = [a.item for a in result.advice]
    assert advice[: len(expected["advice_first"])] == expected["advice_first"]
    organisation = [a.item for a in result.advice if a.factor == "organisation"]
    assert organisation == expected["advice_organisation"]


def test_the_example_answers_every_maturity_item():
    instrument = get("ism-2018")
    answers = _block("example-answers")
    assert {item.key for item in instrument.maturity_items()} <= set(answers)
