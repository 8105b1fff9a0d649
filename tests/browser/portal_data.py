"""A portal filled the way the accessibility and walkthrough tests need it.

Editie 2024 is closed: twelve synthetic organisations submitted, Organisatie A and B among
them, so their dashboards are open; Editie 2022 before it gives the dashboard its history.
Editie 2026 is open: Organisatie A has answered its first pages, Organisatie C has
submitted. Alice is the researcher, Bob a member of Organisatie A, which runs a pulse
survey for its employees in each edition (the one of 2024 closed, with results); someone
has been invited to become a member of Organisatie B. Links are paths: only their
fingerprints are stored, so they are made here, once.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from ismonitor.instrument import get
from ismonitor.study.synthetic import generate
from ismonitor.web.accounts.models import MemberInvitation, Membership
from ismonitor.web.editions import actions
from ismonitor.web.editions.models import Edition, Organisation, Participation, ReportBuild
from ismonitor.web.pulse import actions as pulse_actions
from ismonitor.web.pulse.models import PulseSurvey

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"375": PHONE, "1280": DESKTOP}
LANGUAGES = ("nl", "en")
RESEARCHER = ("alice", "alice-password")
MEMBER = ("bob", "bob-password")
LANGUAGE_COOKIE = "ismonitor_language"


def synthetic_table(organisations: int = 12, seed: int = 7, year: int = 2024):
    """A small synthetic edition whose first two adopters are Organisatie A and B."""
    instrument = get("ism-2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generator's statistics warn on small groups
        table = generate(instrument, organisations=organisations, seed=seed, year=year)
    adopters = table.index[table["uses_ism"] == "yes"].tolist()
    names = [("ORG-A", "Organisatie A"), ("ORG-B", "Organisatie B")]
    for index, (org_id, name) in zip(adopters[:2], names, strict=True):
        table.loc[index, "org_id"] = org_id
        table.loc[index, "org_name"] = name
    return table


def answer(participation: Participation, key: str, value, other: str = "") -> None:
    """Save one answer as the organisation would."""
    current = participation.answers.filter(item_key=key).first()
    saved = actions.save_answer(
        participation, key, value, other, current.version if current else 0, "test"
    )
    assert saved.ok, saved


@dataclass
class Portal:
    earlier: Edition
    closed: Edition
    current: Edition
    org_a: Organisation
    a_closed: Participation
    a_open: Participation
    c_open: Participation
    a_link: str
    c_link: str
    pulse: PulseSurvey
    pulse_link: str
    pulse_closed: PulseSurvey
    join_token: str
    build: ReportBuild


def make_portal() -> Portal:
    earlier = actions.create_edition("Editie 2022", 2022, instrument_name="ism-2018")
    actions.open_edition(earlier)
    actions.load_table(earlier, synthetic_table(seed=5, year=2022))
    actions.close_edition(earlier)

    table = synthetic_table()
    closed = actions.create_edition("Editie 2024", 2024, instrument_name="ism-2018")
    actions.open_edition(closed)
    actions.load_table(closed, table)
    actions.close_edition(closed)

    current = actions.create_edition("Editie 2026", 2026, instrument_name="ism-2018")
    actions.open_edition(current)
    a_open = actions.add_organisation(current, "ORG-A", "Organisatie A", "a@example.org")
    # Organisatie C has answered everything and submitted (as an imported row is)
    row = table[table["uses_ism"] == "yes"].tail(1).copy()
    row["org_id"], row["org_name"] = "ORG-C", "Organisatie C"
    actions.load_table(current, row)
    c_open = current.participations.get(organisation__org_id="ORG-C")
    answer(a_open, "sector", "government")
    answer(a_open, "size_class", "from_250_to_999")
    answer(a_open, "uses_ism", "yes")
    answer(a_open, "platforms", ["viva_engage", "teams"])
    answer(a_open, "ad_reach", 80)

    org_a = Organisation.objects.get(org_id="ORG-A")
    org_b = Organisation.objects.get(org_id="ORG-B")
    User = get_user_model()
    User.objects.create_user(RESEARCHER[0], "alice@example.org", RESEARCHER[1], is_staff=True)
    bob = User.objects.create_user(MEMBER[0], "bob@example.org", MEMBER[1])
    Membership.objects.create(user=bob, organisation=org_a)
    _invitation, join_token = MemberInvitation.create(org_b, "nieuw@example.org")
    pulse = pulse_actions.start_pulse(org_a, ["Zorg", "ICT", "Financiën"], edition=current)
    pulse_closed = pulse_actions.start_pulse(org_a, ["Zorg", "ICT"], edition=closed)
    for number in range(6):  # enough for the results to be shown once it is closed
        problems = pulse_actions.answer_pulse(
            pulse_closed,
            {
                "read_frequency": "daily",
                "post_frequency": "weekly",
                "helps_work": 2 + number % 3,
                "feels_informed": 4,
                "feels_heard": 3,
                "knows_purpose": 4,
                "department": "zorg" if number < 5 else "ict",
                "improvement": "Minder meldingen." if number % 2 else None,
            },
        )
        assert not problems, problems
    pulse_actions.close_pulse(pulse_closed)
    build = ReportBuild.objects.create(
        edition=closed, lang="nl", state=ReportBuild.State.RUNNING, progress=50, step="analysing"
    )
    return Portal(
        earlier=earlier,
        closed=closed,
        current=current,
        org_a=org_a,
        a_closed=closed.participations.get(organisation=org_a),
        a_open=a_open,
        c_open=c_open,
        a_link=actions.new_link(a_open, ""),
        c_link=actions.new_link(c_open, ""),
        pulse=pulse,
        pulse_link=f"/s/{pulse_actions.new_link(pulse)}/",
        pulse_closed=pulse_closed,
        join_token=join_token,
        build=build,
    )


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the login page, in whatever language the page is in."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/(editions/)?$"))


def set_language(context, base_url: str, lang: str) -> None:
    """What the language switch leaves behind: the language cookie."""
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": base_url}])


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
