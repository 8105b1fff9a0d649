"""The test data sets of tests/stats, read once per test (see data/make_data.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def engagement() -> pd.DataFrame:
    """Five 1-6 items on engagement for 120 organisations; eng3 reverse-keyed; ~10% missing."""
    return pd.read_csv(DATA / "engagement.csv")


@pytest.fixture
def usage() -> pd.DataFrame:
    """Usage and outcome measures of 110 organisations, ~8% missing per column."""
    return pd.read_csv(DATA / "usage.csv")


@pytest.fixture
def editions() -> pd.DataFrame:
    """Organisations of the 2016 and 2018 editions: KPIs set, platform, maturity."""
    return pd.read_csv(DATA / "editions.csv")


@pytest.fixture
def reasons() -> pd.DataFrame:
    """Ranks of six reasons for not using internal social media, some only a top three."""
    return pd.read_csv(DATA / "reasons.csv")
