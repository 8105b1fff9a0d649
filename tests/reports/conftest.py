"""One synthetic edition and its analysis, shared by the report tests."""

import pytest

from ismonitor.instrument import get
from ismonitor.stats.edition import analyse
from ismonitor.study.synthetic import generate


@pytest.fixture(scope="session")
def ism():
    return get("ism-2018")


@pytest.fixture(scope="session")
def edition(ism):
    return generate(ism, seed=21)


@pytest.fixture(scope="session")
def analysis(edition, ism):
    return analyse(edition, ism)
