"""The instrument format: valid files load, invalid ones are refused with file, line and key."""

from __future__ import annotations

import pytest

from ismonitor.instrument import InstrumentError, ItemType, load, load_text


def _broken(mini_path, old: str, new: str) -> str:
    text = mini_path.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def test_it_loads_every_item_type(mini):
    assert {item.type for item in mini.items()} == set(ItemType)
    assert mini.item("devices").element == "accessibility"
    assert mini.elements["accessibility"].factor == "adoption"
    assert mini.item("align_2").reverse is True
    assert mini.item("align_2").construct_key == "alignment"
    assert mini.likert(mini.item("part_of_work")).max == 5


def test_it_names_file_line_and_key_of_an_unknown_item_type(mini_path):
    text = _broken(
        mini_path, "key: goals_set\n        type: yes_no", "key: goals_set\n        type: yesno"
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    message = str(caught.value)
    line = _line_of(text, "type: yesno")
    assert f"my.yaml:{line}: sections[2].items[1].type: 'yesno' is not a known value" in message
    assert "yes_no" in message  # says what was expected


def test_it_reports_every_problem_not_only_the_first(mini_path):
    text = _broken(
        mini_path, "type: yes_no\n        element: goals", "type: yesno\n        element: goals"
    )
    text = text.replace("  goals: {factor: purposefulness", "  goals: {factor: purpose", 1)
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    wheres = [problem.where for problem in caught.value.problems]
    assert "elements.goals.factor" in wheres
    assert "sections[2].items[1].type" in wheres


def test_it_requires_both_languages(mini_path):
    text = _broken(mini_path, "title: {nl: Profiel, en: Profile}", "title: {nl: Profiel}")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "sections[0].title.en"
    assert problem.line == _line_of(text, "title: {nl: Profiel}")
    assert "required" in problem.message


def test_it_refuses_a_reference_to_an_unknown_answer_list(mini_path):
    text = _broken(mini_path, "choices: support", "choices: suport")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    (problem,) = caught.value.problems
    assert problem.line == _line_of(text, "choices: suport")
    assert "no answer list named 'suport'" in problem.message
    assert "support" in problem.message  # the known lists are named


def test_it_refuses_a_condition_on_a_later_or_unknown_item(mini_path):
    text = _broken(mini_path, "show_if: active_share > 10", "show_if: align_9 > 10")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "sections[3].items[3].show_if"
    assert "'align_9'" in problem.message


def test_it_refuses_code_in_a_condition(mini_path):
    text = _broken(mini_path, "show_if: uses_ism == 'no'", "show_if: __import__('os').system('x')")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "may not" in str(caught.value)


def test_it_refuses_a_duplicate_key(mini_path):
    text = _broken(mini_path, "key: goals_set", "key: devices")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "key 'devices' is used twice" in str(caught.value)


def test_it_refuses_a_duplicate_mapping_key_in_yaml(mini_path):
    text = _broken(mini_path, "name: mini\n", "name: mini\nname: other\n")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "my.yaml:3:" in str(caught.value)  # line 1 is a comment, 2 the first name
    assert "duplicate key 'name'" in str(caught.value)


def test_it_requires_advice_on_a_maturity_item(mini_path):
    text = _broken(
        mini_path,
        "        advice: {nl: Stel doelen., en: Set goals.}\n",
        "",
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "needs 'advice'" in str(caught.value)


def test_it_refuses_likert_labels_that_do_not_fit_the_range(mini_path):
    text = _broken(mini_path, "    max: 5\n", "    max: 7\n")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "a scale from 1 to 7 needs 7" in str(caught.value)


def test_it_reports_broken_yaml_with_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsections: [\n  - a\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}:")
    assert "not valid YAML" in str(caught.value)


def test_it_reports_an_unknown_key_with_its_spelling(mini_path):
    text = _broken(
        mini_path, "      - key: goals_set\n", "      - key: goals_set\n        requird: true\n"
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "sections[2].items[1].requird"
    assert "unknown key" in problem.message


def test_it_refuses_a_condition_value_no_answer_can_have(mini_path):
    text = _broken(mini_path, "show_if: uses_ism == 'no'", "show_if: uses_ism == 'No'")
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "sections[1].show_if"
    assert "compares uses_ism with 'No'" in problem.message
    assert "expected one of yes, no" in problem.message


def test_it_refuses_a_maturity_option_without_a_score(mini_path):
    text = _broken(
        mini_path, "label: {nl: Enige, en: Some}, score: 0.5}", "label: {nl: Enige, en: Some}}"
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "needs a 'score' on every option of 'support'; missing on some" in str(caught.value)


def test_it_refuses_other_beside_an_option_called_other(mini_path):
    text = _broken(
        mini_path,
        "{key: it, label: {nl: IT niet klaar, en: IT not ready}}",
        "{key: other, label: {nl: Anders, en: Other}}",
    )
    text = text.replace(
        "type: ranking, choices: reasons,", "type: ranking, choices: reasons, other: true,"
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "has an option with that key already" in str(caught.value)


def test_it_refuses_maturity_fields_on_an_item_that_measures_no_element(mini_path):
    text = _broken(
        mini_path,
        "{key: active_share, type: percentage,",
        "{key: active_share, type: percentage, weight: 2,",
    )
    with pytest.raises(InstrumentError) as caught:
        load_text(text, "my.yaml")
    assert "weight only mean something for an item that measures a maturity element" in str(
        caught.value
    )


def test_a_section_may_share_its_key_with_an_item(mini_path):
    text = _broken(mini_path, "  - key: barriers\n", "  - key: reasons\n")
    assert load_text(text, "my.yaml").sections[1].key == "reasons"
