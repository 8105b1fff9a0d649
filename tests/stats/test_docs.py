"""Every public function documents each column it returns, and its examples run."""

from __future__ import annotations

import doctest
import importlib
import re

import pandas as pd
import pytest

import ismonitor.stats as stats

MODULES = ["reliability", "correlation", "compare", "rankings"]

ENGAGEMENT = ["eng1", "eng2", "eng3", "eng4", "eng5"]
REASONS = [
    "no_need",
    "unclear_use",
    "it_not_ready",
    "no_management_support",
    "where_to_start",
    "costs",
]


def returned_columns_in_docstring(function) -> list[str]:
    """The ``name`` of every ``* ``name``: ...`` bullet in the Returns section."""
    doc = function.__doc__ or ""
    match = re.search(r"\n\s*Returns\n\s*-+\n(.*?)(\n\s*\w[\w ]*\n\s*-+\n|\Z)", doc, re.S)
    assert match, f"{function.__name__} has no Returns section"
    return re.findall(r"^\s*\* ``(\w+)``:", match.group(1), re.M)


@pytest.fixture
def calls(engagement, usage, editions, reasons):
    """One call of each function returning a fixed set of columns."""
    a = editions.loc[editions["edition"] == 2016]
    b = editions.loc[editions["edition"] == 2018]
    scale = {"reverse": ["eng3"], "min": 1, "max": 6}
    return {
        "alpha": lambda: stats.alpha(engagement, ENGAGEMENT, **scale),
        "item_stats": lambda: stats.item_stats(engagement, ENGAGEMENT, **scale),
        "scale_scores": lambda: stats.scale_scores(engagement, ENGAGEMENT, **scale),
        "correlate": lambda: stats.correlate(usage, ["active_share", "alignment", "engagement"]),
        "partial_correlate": lambda: stats.partial_correlate(
            usage, "active_share", "alignment", "size_class"
        ),
        "usage_outcome_table": lambda: stats.usage_outcome_table(
            usage, ["active_share"], ["alignment", "engagement"]
        ),
        "compare_proportions": lambda: stats.compare_proportions(a["platform"], b["platform"]),
        "compare_means": lambda: stats.compare_means(a["maturity"], b["maturity"]),
        "rank_summary": lambda: stats.rank_summary(reasons, REASONS),
        "friedman": lambda: stats.friedman(reasons, REASONS),
    }


@pytest.mark.parametrize("name", sorted(set(stats.__all__) - {"reverse_score"}))
def test_the_docstring_lists_every_column_returned(calls, name):
    result = calls[name]()
    assert isinstance(result, pd.DataFrame)
    assert returned_columns_in_docstring(getattr(stats, name)) == list(result.columns)


def test_reverse_score_documents_that_it_keeps_the_columns(engagement):
    doc = stats.reverse_score.__doc__
    assert "the same columns" in doc
    out = stats.reverse_score(engagement, ["eng3"], min=1, max=6)
    assert list(out.columns) == list(engagement.columns)


@pytest.mark.parametrize("name", sorted(stats.__all__))
def test_the_docstring_has_every_section(name):
    doc = getattr(stats, name).__doc__
    for section in ("Parameters", "Returns", "Notes", "References", "Examples"):
        assert re.search(rf"\n\s*{section}\n\s*-+\n", doc), f"{name}: no {section} section"


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_run(module):
    mod = importlib.import_module(f"ismonitor.stats.{module}")
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(mod, optionflags=flags, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
