"""The portal's tests: Django's test client over HTTP, with fixed users and organisations.

Alice is the researcher. Bob is a member of Organisatie A, Charlie of Organisatie B:
Charlie should have no access to Bob's organisation, and neither should an anonymous
visitor without the invitation link. With TEST_DATABASE_URL set the same tests run on
PostgreSQL; without it, on SQLite.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

# before Django is imported: the test settings (fast hashing, tasks run at once)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ismonitor.web.settings")
os.environ["ISMONITOR_ENV"] = "test"
os.environ.setdefault("ISMONITOR_DATA_DIR", tempfile.mkdtemp(prefix="ismonitor-web-tests-"))

import django  # noqa: E402

DATA = Path(__file__).parents[1] / "data"

django.setup()

import pytest  # noqa: E402

from ismonitor.instrument import get  # noqa: E402
from ismonitor.study.synthetic import generate  # noqa: E402
from ismonitor.web.accounts.models import Membership  # noqa: E402
from ismonitor.web.editions import actions  # noqa: E402
from ismonitor.web.editions.models import Edition, Organisation  # noqa: E402


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in Django's cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(django_user_model):
    """The researcher: sees and runs everything."""
    return django_user_model.objects.create_user(
        "alice", "alice@example.org", "alice-password", is_staff=True
    )


@pytest.fixture
def org_a(db):
    return Organisation.objects.create(
        org_id="ORG-A", name="Organisatie A", email="a@example.org", sector="government"
    )


@pytest.fixture
def org_b(db):
    return Organisation.objects.create(org_id="ORG-B", name="Organisatie B", email="b@example.org")


@pytest.fixture
def bob(django_user_model, org_a):
    """A member of Organisatie A."""
    user = django_user_model.objects.create_user("bob", "bob@example.org", "bob-password")
    Membership.objects.create(user=user, organisation=org_a)
    return user


@pytest.fixture
def charlie(django_user_model, org_b):
    """A member of Organisatie B: no access to anything of Organisatie A."""
    user = django_user_model.objects.create_user(
        "charlie", "charlie@example.org", "charlie-password"
    )
    Membership.objects.create(user=user, organisation=org_b)
    return user


@pytest.fixture
def edition(db):
    """An open edition of ism-2018 that nobody has answered yet."""
    edition = actions.create_edition("Editie 2026", 2026, instrument_name="ism-2018")
    actions.open_edition(edition)
    return edition


@pytest.fixture
def participation_a(edition, org_a):
    return actions.add_organisation(edition, org_a.org_id, org_a.name, org_a.email)


@pytest.fixture
def participation_b(edition, org_b):
    return actions.add_organisation(edition, org_b.org_id, org_b.name, org_b.email)


def synthetic_table(organisations: int = 12, seed: int = 7, year: int = 2018):
    """A small synthetic edition whose first two adopters are Organisatie A and B."""
    instrument = get("ism-2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = generate(instrument, organisations=organisations, seed=seed, year=year)
    adopters = table.index[table["uses_ism"] == "yes"].tolist()
    for index, (org_id, name) in zip(
        adopters[:2], [("ORG-A", "Organisatie A"), ("ORG-B", "Organisatie B")], strict=True
    ):
        table.loc[index, "org_id"] = org_id
        table.loc[index, "org_name"] = name
    return table


@pytest.fixture
def closed_edition(db, org_a, org_b):
    """A closed edition in which Organisatie A and B and ten others submitted."""
    edition = actions.create_edition("Editie 2018", 2018, instrument_name="ism-2018")
    actions.open_edition(edition)
    actions.load_table(edition, synthetic_table())
    actions.close_edition(edition)
    return edition


@pytest.fixture
def closed_a(closed_edition, org_a):
    return closed_edition.participations.get(organisation=org_a)


def answer(participation, key, value, other=""):
    """Save one answer as the organisation would."""
    current = participation.answers.filter(item_key=key).first()
    saved = actions.save_answer(
        participation, key, value, other, current.version if current else 0, "test"
    )
    assert saved.ok, saved
    return saved


def answer_profile(participation, uses_ism="yes"):
    answer(participation, "sector", "government")
    answer(participation, "size_class", "from_250_to_999")
    answer(participation, "uses_ism", uses_ism)


@pytest.fixture
def link_client(client, participation_a):
    """A browser that opened Organisatie A's invitation link (no account)."""
    response = client.get(f"/i/{participation_a.token}/")
    assert response.status_code == 302
    return client


@pytest.fixture
def pulse_a(participation_a):
    """Organisatie A's open pulse survey in the open edition, with four departments."""
    from ismonitor.web.pulse import actions as pulse_actions

    return pulse_actions.start_pulse(participation_a.organisation, DEPARTMENTS)


DEPARTMENTS = ["Zorg", "ICT", "Personeelszaken", "Financiën"]

ANSWERS = {
    "a-read_frequency": "weekly",
    "a-post_frequency": "monthly",
    "a-helps_work": "4",
    "a-feels_informed": "4",
    "a-feels_heard": "3",
    "a-knows_purpose": "5",
    "a-department": "zorg",
    "a-improvement": "Minder meldingen graag.",
}
"""A complete, valid answer to the pulse survey as the form posts it."""


def pulse_answers(**changes) -> dict[str, str]:
    """The form's answers with some changed (``None`` leaves an item out)."""
    data = {**ANSWERS, **{f"a-{key}": value for key, value in changes.items()}}
    return {key: value for key, value in data.items() if value is not None}


__all__ = [
    "ANSWERS",
    "DEPARTMENTS",
    "pulse_answers",
    "DATA",
    "Edition",
    "answer",
    "answer_profile",
    "synthetic_table",
]
