"""Validation against the instrument: every problem, with row, organisation, item and value."""

from __future__ import annotations

import pytest

from ismonitor.study import ResponsesError, check_file, load_responses

from ..conftest import DATA

RESPONSES = DATA / "mini-responses.csv"


def _with(tmp_path, old: str, new: str, header=None):
    text = RESPONSES.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    if header:
        text = text.replace(header[0], header[1], 1)
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _messages(path, mini) -> list[str]:
    return [str(problem) for problem in check_file(path, mini).problems]


def test_a_valid_file_has_no_problems(mini):
    assert check_file(RESPONSES, mini).problems == []


def test_text_where_a_number_belongs_names_organisation_item_and_value(mini, tmp_path):
    path = _with(
        tmp_path,
        'A3,"Gamma, de derde",2018,1.0,business,large,800',
        'A3,"Gamma, de derde",2018,1.0,business,large,veel',
    )
    with pytest.raises(ResponsesError) as caught:
        load_responses(path, mini)
    message = str(caught.value)
    assert "1 problem" in message
    assert (
        "line 4: organisation A3 (Gamma, de derde): item employees: 'veel' is not a number; "
        "expected a number from 1 to 1000000"
    ) in message


def test_it_reports_every_problem_not_only_the_first(mini, tmp_path):
    path = _with(tmp_path, "yes,some,4,27.5,4,2,5", "maybe,lots,6,127.5,4,2,5")
    messages = _messages(path, mini)
    assert messages == [
        "line 2: organisation A1 (Alpha): item goals_set: 'maybe' is not yes or no",
        "line 2: organisation A1 (Alpha): item cm_support: 'lots' is not an option of this item; "
        "expected one of none, some, full",
        "line 2: organisation A1 (Alpha): item part_of_work: '6' is out of range; "
        "expected a whole number from 1 to 5",
        "line 2: organisation A1 (Alpha): item active_share: '127.5' is out of range; "
        "expected a percentage from 0 to 100",
    ]


def test_an_answer_to_a_hidden_item_is_reported(mini, tmp_path):
    # Delta does not use internal social media, yet answers a maturity item
    path = _with(
        tmp_path,
        "A4,Delta,2018,1.0,government,large,,no,2,1,,,,,,,,",
        "A4,Delta,2018,1.0,government,large,,no,2,1,,,,,yes,,,",
    )
    (message,) = _messages(path, mini)
    assert message == (
        "line 5: organisation A4 (Delta): item goals_set: 'yes' answers an item that is hidden "
        "for this organisation: the condition \"uses_ism == 'yes'\" is not met"
    )


def test_an_item_condition_on_an_earlier_answer_is_applied(mini, tmp_path):
    # align_3 is shown only when active_share > 10; Gamma reports 8 and answers it anyway
    path = _with(tmp_path, "no,full,5,8,3,3,", "no,full,5,8,3,3,4")
    (message,) = _messages(path, mini)
    assert "line 4: organisation A3 (Gamma, de derde): item align_3: '4' answers an item" in message
    assert "(uses_ism == 'yes') and (active_share > 10)" in message


def test_an_invalid_answer_does_not_cascade_into_hidden_items(mini, tmp_path):
    path = _with(
        tmp_path,
        "A1,Alpha,2018,1.0,government,small,120,yes",
        "A1,Alpha,2018,1.0,government,small,120,jawel",
    )
    assert _messages(path, mini) == [
        "line 2: organisation A1 (Alpha): item uses_ism: 'jawel' is not yes or no"
    ]


def test_unknown_columns_are_reported_with_a_suggestion(mini, tmp_path):
    path = _with(tmp_path, "active_share,", "active_shar,")
    messages = _messages(path, mini)
    assert messages[0] == (
        "item active_shar: unknown column: it is not an item of mini 1.0; "
        "did you mean 'active_share'?"
    )


def test_duplicate_and_missing_organisation_ids_are_reported(mini, tmp_path):
    path = _with(tmp_path, "A2,Beta", "A1,Beta")
    path.write_text(path.read_text().replace("A4,Delta", ",Delta"))
    messages = _messages(path, mini)
    assert messages == [
        "line 3: organisation A1 (Beta): item org_id: the organisation id is used twice "
        "(also at line 2)",
        "line 5: item org_id: the organisation id is empty",
    ]


def test_a_required_item_without_answer_is_reported(mini, tmp_path):
    path = _with(tmp_path, "A1,Alpha,2018,1.0,government", "A1,Alpha,2018,1.0,")
    assert _messages(path, mini) == [
        "line 2: organisation A1 (Alpha): item sector: this required item has no answer"
    ]


def test_a_rank_given_twice_is_reported(mini, tmp_path):
    path = _with(tmp_path, "no,1,3,2,Geen budget", "no,1,1,2,Geen budget")
    assert _messages(path, mini) == [
        "line 3: organisation A2 (Beta): item reasons__costs: rank 1 is given twice "
        "(also to reasons__no_need)"
    ]


def test_answers_to_another_version_are_reported(mini, tmp_path):
    path = _with(tmp_path, "A1,Alpha,2018,1.0", "A1,Alpha,2018,0.9")
    assert _messages(path, mini) == [
        "line 2: organisation A1 (Alpha): item instrument_version: '0.9' is the version "
        "answered, but these answers are checked against mini 1.0"
    ]
