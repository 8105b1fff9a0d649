"""The rule that decides which groups of a pulse survey may be shown (no database)."""

from __future__ import annotations

import doctest

import pytest

from ismonitor.study import pulse
from ismonitor.study.pulse import NO_DEPARTMENT, suppress


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(pulse).failed == 0


def test_nothing_is_shown_below_five_respondents():
    decision = suppress({"a": 2, "b": 2})
    assert not decision.overall
    assert decision.shown == () and decision.hidden == ()


def test_five_respondents_are_enough_for_the_whole():
    decision = suppress({"a": 5})
    assert decision.overall and decision.shown == ("a",)


def test_every_group_of_five_or_more_is_shown_largest_first():
    decision = suppress({"b": 5, "a": 9, "c": 7})
    assert decision.shown == ("a", "c", "b")
    assert decision.hidden == () and not decision.other_shown


def test_one_small_group_takes_the_smallest_other_group_with_it():
    # a 3 alone would be total minus the others: hide the 6 as well (Effectory's rule)
    decision = suppress({"zorg": 12, "ict": 9, "hr": 6, "financien": 3})
    assert decision.shown == ("zorg", "ict")
    assert decision.hidden == ("hr", "financien")
    assert decision.other == 9 and decision.other_shown


def test_two_small_groups_that_reach_five_together_hide_nothing_else():
    decision = suppress({"a": 10, "b": 3, "c": 2})
    assert decision.shown == ("a",)
    assert decision.hidden == ("b", "c") and decision.other == 5 and decision.other_shown


def test_small_groups_below_five_together_take_another_group_with_them():
    # "other departments" of 2 + 1 would itself be a group below five
    decision = suppress({"a": 10, "b": 8, "c": 2, "d": 1})
    assert decision.shown == ("a",)
    assert set(decision.hidden) == {"b", "c", "d"} and decision.other == 11


def test_when_only_two_groups_remain_both_are_hidden():
    decision = suppress({"a": 10, "b": 3})
    assert decision.overall
    assert decision.shown == () and set(decision.hidden) == {"a", "b"}
    assert not decision.other_shown  # "other" would be the whole


def test_empty_groups_are_neither_shown_nor_used_to_hide():
    # hiding an empty group would not protect the 3: hide the 6 instead
    decision = suppress({"a": 12, "b": 6, "c": 3, "d": 0})
    assert decision.shown == ("a",) and decision.hidden == ("b", "c")


def test_respondents_without_a_department_are_a_group_like_any_other():
    decision = suppress({"a": 10, "b": 10, NO_DEPARTMENT: 2})
    assert NO_DEPARTMENT in decision.hidden
    assert len(decision.hidden) == 2


def test_ties_are_broken_by_key_whatever_the_order():
    one = suppress({"a": 10, "b": 6, "c": 6, "d": 3})
    other = suppress({"d": 3, "c": 6, "b": 6, "a": 10})
    assert one == other
    assert one.hidden == ("b", "d")


@pytest.mark.parametrize(
    "counts",
    [
        {"a": 12, "b": 9, "c": 6, "d": 3},
        {"a": 5, "b": 4},
        {"a": 20, "b": 1, "c": 1, "d": 1, "e": 1},
        {"a": 7, "b": 7, "c": 7, NO_DEPARTMENT: 4},
        {"a": 6, "b": 6, "c": 6, "d": 6, "e": 2},
    ],
)
def test_no_group_below_five_can_be_worked_out(counts):
    decision = suppress(counts)
    if not decision.overall:
        return
    assert all(counts[key] >= 5 for key in decision.shown)
    hidden = [key for key in decision.hidden if counts[key] > 0]
    assert len(hidden) != 1  # total minus the shown groups is never a single group
    assert decision.other == 0 or decision.other >= 5


def test_department_keys_are_stable_and_unique():
    assert pulse.department_keys(["Financiën", " Zorg  en welzijn ", "", "2e lijn"]) == [
        ("financien", "Financiën"),
        ("zorg_en_welzijn", "Zorg en welzijn"),
        ("d_2e_lijn", "2e lijn"),
    ]
