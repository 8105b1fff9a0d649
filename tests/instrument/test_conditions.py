"""show_if conditions: parsed, never executed; unanswered items hide what depends on them."""

import pytest

from ismonitor.instrument import ConditionError, parse


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("uses_ism == 'yes'", {"uses_ism": "yes"}, True),
        ("uses_ism == 'yes'", {"uses_ism": "no"}, False),
        ("uses_ism == 'yes'", {}, False),
        ("uses_ism != 'yes'", {}, False),  # unanswered hides either way
        ("active_share >= 10 and uses_ism == 'yes'", {"active_share": 10, "uses_ism": "yes"}, True),
        ("active_share > 10 or uses_ism == 'no'", {"active_share": 5, "uses_ism": "no"}, True),
        ("'slack' in platforms", {"platforms": {"slack", "teams"}}, True),
        ("'slack' not in platforms", {"platforms": {"teams"}}, True),
        ("sector in ['government', 'education']", {"sector": "education"}, True),
        ("not (sector in ['government'])", {"sector": "retail"}, True),
        ("since_year > -1", {"since_year": 2010}, True),
        ("since_year > 'x'", {"since_year": 2010}, False),  # a type mismatch is not shown
    ],
)
def test_it_evaluates(source, answers, expected):
    assert parse(source)(answers) is expected


@pytest.mark.parametrize(
    "source",
    ["open('x')", "a.b == 1", "x + 1 > 2", "[i for i in x]", "lambda: 1", "a ==", "-a > 1"],
)
def test_it_refuses_what_is_not_a_condition(source):
    with pytest.raises(ConditionError):
        parse(source)


def test_it_lists_the_names_it_uses():
    assert parse("a == 1 and ('x' in b or not c)").names == {"a", "b", "c"}
