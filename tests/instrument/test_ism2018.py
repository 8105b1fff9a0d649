"""The bundled questionnaire of the 2018 edition: the keys other code relies on, and its content."""

import math

import pytest
from pydantic import BaseModel

from ismonitor.instrument import FACTORS, Instrument, Item, ItemType, Text, bundled, get, parse

ELEMENTS = {
    "adoption": {
        "accessibility",
        "effortless",
        "instruction_support",
        "offline_attention",
        "ambassadors_leaders",
    },
    "purposefulness": {"goals", "kpis_targets", "monitoring"},
    "organisation": {"agreements", "community_management", "shared_responsibility"},
    "integration": {"work_processes", "products_services", "daily_work"},
}
PREFIX = {"adoption": "ad_", "purposefulness": "pu_", "organisation": "or_", "integration": "in_"}
CONSTRUCTS = [
    "effectiveness",
    "efficiency",
    "alignment",
    "engagement",
    "communication_satisfaction",
    "knowledge_sharing",
]
LISTS = {
    "sectors": [
        "government",
        "healthcare",
        "education",
        "financial_services",
        "business_services",
        "industry",
        "retail",
        "utilities",
        "transport",
        "non_profit",
        "other_sector",
    ],
    "size_classes": [
        "up_to_249",
        "from_250_to_999",
        "from_1000_to_4999",
        "from_5000_to_9999",
        "from_10000",
    ],
    "platforms": [
        "viva_engage",
        "teams",
        "sharepoint",
        "slack",
        "workplace",
        "embrace",
        "plek",
        "viadesk",
        "synigo",
        "smarp",
        "own_build",
    ],
    "barrier_reasons": [
        "no_employee_need",
        "unclear_purpose",
        "it_not_ready",
        "no_management_support",
        "no_starting_point",
        "costs",
    ],
    "frequency": ["less_than_monthly", "monthly", "weekly", "several_times_a_week", "daily"],
    "purposes": [
        "ideas",
        "expertise",
        "processes",
        "news",
        "dialogue",
        "social",
        "collaboration",
    ],
}
ADOPTERS = {"uses_ism": "yes"}
NON_ADOPTERS = {"uses_ism": "no"}


@pytest.fixture(scope="module")
def ism() -> Instrument:
    return get("ism-2018")


def option_keys(ism: Instrument, list_name: str) -> list[str]:
    return [option.key for option in ism.choices[list_name]]


def shown(condition: str | None, answers: dict) -> bool:
    return condition is None or parse(condition)(answers)


def texts(node, path: str = "") -> list[tuple[str, Text]]:
    """Every bilingual text in the instrument, with where it is."""
    if isinstance(node, Text):
        return [(path, node)]
    found = []
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += texts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            found += texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += texts(value, f"{path}[{index}]")
    return found


def score_sum(ism: Instrument, item: Item) -> float:
    return sum(option.score or 0 for option in ism.choice_list(item))


# -- identity and profile -----------------------------------------------------------------


def test_the_instrument_is_bundled_under_its_name_and_version(ism):
    assert "ism-2018" in bundled()
    assert ism.name == "ism-2018"
    assert ism.version == "2018.1"
    assert "2018" in ism.title.nl and "2018" in ism.title.en
    assert ism.description is not None


def test_every_fixed_answer_list_has_its_option_keys_in_order(ism):
    for list_name, keys in LISTS.items():
        assert option_keys(ism, list_name) == keys, list_name


def test_the_profile_asks_sector_size_and_whether_internal_social_media_are_used(ism):
    profile = ism.sections[0]
    assert profile.key == "profile"
    assert profile.show_if is None
    expected = {
        "sector": (ItemType.SINGLE_CHOICE, "sectors"),
        "size_class": (ItemType.SINGLE_CHOICE, "size_classes"),
        "uses_ism": (ItemType.YES_NO, None),
    }
    for key, (item_type, list_name) in expected.items():
        item = ism.item(key)
        assert ism.section_of(key) is profile
        assert item.type == item_type
        assert item.choices == list_name
        assert item.required, key


def test_platform_questions_are_asked_only_of_adopters(ism):
    platforms = ism.item("platforms")
    assert platforms.type == ItemType.MULTIPLE_CHOICE
    assert platforms.choices == "platforms"
    assert platforms.other
    main = ism.item("main_platform")
    assert main.type == ItemType.SINGLE_CHOICE
    assert main.choices == "platforms"
    since = ism.item("since_year")
    assert since.type == ItemType.NUMBER
    assert (since.min, since.max) == (2005, 2018)
    for key in ("platforms", "main_platform", "since_year"):
        assert ism.section_of(key).key == "profile"
        condition = ism.item(key).show_if
        assert shown(condition, ADOPTERS) and not shown(condition, NON_ADOPTERS), key


# -- who sees which section ---------------------------------------------------------------


def test_the_barriers_section_is_shown_only_to_non_adopters(ism):
    section = ism.section_of("barriers")
    assert shown(section.show_if, NON_ADOPTERS)
    assert not shown(section.show_if, ADOPTERS)
    assert not shown(section.show_if, {})


@pytest.mark.parametrize("key", [*FACTORS, "usage", "outcomes"])
def test_maturity_usage_and_outcome_sections_are_shown_only_to_adopters(ism, key):
    section = next(section for section in ism.sections if section.key == key)
    assert shown(section.show_if, ADOPTERS)
    assert not shown(section.show_if, NON_ADOPTERS)
    assert not shown(section.show_if, {})


def test_barriers_are_ranked_in_the_order_of_the_study_with_costs_present(ism):
    barriers = ism.item("barriers")
    assert barriers.type == ItemType.RANKING
    assert barriers.choices == "barrier_reasons"
    assert option_keys(ism, "barrier_reasons")[-1] == "costs"
    other = ism.item("barriers_other")
    assert other.type == ItemType.TEXT
    assert ism.section_of("barriers_other") is ism.section_of("barriers")


# -- the maturity model -------------------------------------------------------------------


def test_the_elements_are_exactly_those_of_the_four_factors(ism):
    declared: dict[str, set[str]] = {factor: set() for factor in FACTORS}
    for key, element in ism.elements.items():
        declared[element.factor].add(key)
    assert declared == ELEMENTS


def test_every_maturity_element_has_an_item(ism):
    measured = {item.element for item in ism.maturity_items()}
    for elements in ELEMENTS.values():
        assert elements <= measured, elements - measured


def test_every_factor_has_at_least_five_items(ism):
    for factor in FACTORS:
        items = [i for i in ism.maturity_items() if ism.elements[i.element].factor == factor]
        assert len(items) >= 5, factor
    assert 30 <= len(ism.maturity_items()) <= 40


def test_maturity_items_sit_in_the_section_of_their_factor_with_its_prefix(ism):
    for item in ism.maturity_items():
        factor = ism.elements[item.element].factor
        assert ism.section_of(item.key).key == factor, item.key
        assert item.key.startswith(PREFIX[factor]), item.key
    for factor in FACTORS:
        section = next(section for section in ism.sections if section.key == factor)
        assert all(item.element is not None for item in section.items), factor


def test_every_maturity_item_has_advice_in_both_languages(ism):
    for item in ism.maturity_items():
        assert item.advice is not None, item.key
        assert item.advice.nl.strip() and item.advice.en.strip(), item.key
        assert item.advice.nl != item.advice.en, item.key


def test_maturity_items_use_a_mix_of_item_types(ism):
    types = {item.type for item in ism.maturity_items()}
    assert {
        ItemType.YES_NO,
        ItemType.LIKERT,
        ItemType.SINGLE_CHOICE,
        ItemType.MULTIPLE_CHOICE,
        ItemType.PERCENTAGE,
    } <= types


def test_every_option_of_a_maturity_choice_item_has_a_score(ism):
    for item in ism.maturity_items():
        if item.type not in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
            continue
        scores = [option.score for option in ism.choice_list(item)]
        assert all(score is not None for score in scores), item.key
        if item.type == ItemType.SINGLE_CHOICE:
            assert min(scores) == 0 and max(scores) == 1, item.key
        else:
            assert math.isclose(score_sum(ism, item), 1), item.key


def test_the_agreement_scale_has_five_labelled_points(ism):
    scale = ism.scales["agree5"]
    assert (scale.min, scale.max) == (1, 5)
    assert scale.labels is not None and len(scale.labels) == 5
    for item in ism.items():
        if item.type == ItemType.LIKERT:
            assert item.scale == "agree5", item.key


# -- usage and outcomes -------------------------------------------------------------------


def test_usage_asks_active_and_passive_share_frequency_and_purposes(ism):
    expected = {
        "active_share": (ItemType.PERCENTAGE, None),
        "passive_share": (ItemType.PERCENTAGE, None),
        "active_frequency": (ItemType.SINGLE_CHOICE, "frequency"),
        "passive_frequency": (ItemType.SINGLE_CHOICE, "frequency"),
        "purposes": (ItemType.MULTIPLE_CHOICE, "purposes"),
    }
    for key, (item_type, list_name) in expected.items():
        item = ism.item(key)
        assert ism.section_of(key).key == "usage", key
        assert (item.type, item.choices) == (item_type, list_name), key
    for key in ("active_share", "passive_share"):
        assert ism.item(key).help is not None, key


def test_the_six_outcome_constructs_are_declared_with_a_description(ism):
    assert list(ism.constructs) == CONSTRUCTS
    for key, construct in ism.constructs.items():
        assert construct.description is not None, key


@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_each_construct_has_four_likert_items_with_the_third_reverse_keyed(ism, construct):
    items = ism.construct_items(construct)
    assert len(items) >= 3
    assert any(item.reverse for item in items)
    assert [item.key for item in items] == [f"{construct}_{n}" for n in range(1, 5)]
    assert [item.reverse for item in items] == [False, False, True, False]
    for item in items:
        assert item.type == ItemType.LIKERT
        assert ism.section_of(item.key).key == "outcomes"


# -- the texts ----------------------------------------------------------------------------


def test_every_text_has_dutch_and_english(ism):
    found = texts(ism)
    assert len(found) > 200
    for path, text in found:
        assert text.nl.strip() and text.en.strip(), path


def test_item_labels_and_help_are_translated_rather_than_copied(ism):
    labels = [item.label for item in ism.items()]
    copied = [text.nl for text in labels if text.nl == text.en]
    assert len(copied) <= len(labels) // 20, copied
    for item in ism.items():
        if item.help is not None:
            assert item.help.nl != item.help.en, item.key
    for section in ism.sections:
        assert section.title.nl != section.title.en, section.key


def test_item_help_explains_the_intended_target_group(ism):
    for key in ("active_share", "ad_reach"):
        help_text = ism.item(key).help
        assert "beoogde doelgroep" in help_text.nl, key
        assert "intended target group" in help_text.en, key
