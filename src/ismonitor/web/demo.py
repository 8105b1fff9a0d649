"""The demo editions of the portal: SYNTHETIC organisations, labelled so everywhere.

``ismonitor demo-portal`` (and ``make run``) calls :func:`load_demo`. It is idempotent:
editions that exist are left alone, and the demo accounts get their printed passwords back.
Links are kept only as hashes, so every run prints new links; earlier ones stop working.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from ismonitor.instrument import get
from ismonitor.study.synthetic import generate

from .accounts.models import Membership
from .editions import actions
from .editions.models import Edition, Organisation
from .pulse import actions as pulse_actions
from .pulse.models import PulseSurvey

INSTRUMENT = "ism-2018"
CLOSED = "Demo 2018 (SYNTHETIC DATA)"
EARLIER = "Demo 2016 (SYNTHETIC DATA)"
OPEN = "Demo 2020 (SYNTHETIC DATA): try the questionnaire"

ORGANISATIONS = 139
"""As many synthetic organisations as took part in 2018."""

RESEARCHER = ("alice", "demo-alice-2018")
MEMBERS = {"SYN-002": ("bob", "demo-bob-2018"), "SYN-003": ("charlie", "demo-charlie-2018")}
"""Adopters with scores in both demo editions, so their dashboards show every part."""

PULSE_ORGANISATION = "SYN-002"
PULSE_DEPARTMENTS = {"Klantcontact": 12, "ICT": 8, "Personeelszaken": 7, "Financiën": 3}
"""Synthetic employees' answers per department in the closed 2018 edition's pulse survey,
whose results are shown: Financiën is below five, so the results roll it up with
Personeelszaken (see docs/portal.md, "The pulse survey")."""
PULSE_OPEN_DEPARTMENTS = {"Klantcontact": 3, "ICT": 2, "Personeelszaken": 1, "Financiën": 0}
"""The open survey of the current edition: a few answers so far, shown only as a count."""


@dataclass
class Demo:
    editions: list[Edition]
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    pulse_links: list[tuple[str, str]] = field(default_factory=list)
    pulse_results: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = ["The portal's demo is SYNTHETIC: no real organisation is in it.", ""]
        for edition in self.editions:
            lines.append(f"  {edition.name}: {edition.participations.count()} organisations, "
                         f"{edition.status}")  # fmt: skip
        lines += ["", "Logins (http://127.0.0.1:8000/accounts/login/):"]
        lines += [f"  {role:<34} {user} / {password}" for role, user, password in self.logins]
        lines += ["", "Invitation links of the open edition (no login needed):"]
        lines += [f"  {org_id}: {link}" for org_id, link in self.links]
        if self.pulse_links:
            lines += ["", "Pulse survey for employees (anonymous, no login needed):"]
            lines += [f"  {org_id}: {link}" for org_id, link in self.pulse_links]
        if self.pulse_results:
            lines += ["", "Results of a closed pulse survey (log in as its organisation's member):"]
            lines += [f"  {org_id}: {link}" for org_id, link in self.pulse_results]
        return "\n".join(lines)


def _edition(name: str, year: int, seed: int, closed: bool) -> Edition:
    edition = Edition.objects.filter(name=name).first()
    if edition is not None:
        return edition
    instrument = get(INSTRUMENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generator's statistics warn on small groups
        table = generate(instrument, organisations=ORGANISATIONS, seed=seed, year=year)
    with transaction.atomic():
        edition = actions.create_edition(name, year, instrument_name=INSTRUMENT, synthetic=True)
        actions.open_edition(edition)
        actions.load_table(edition, table)
        if closed:
            actions.close_edition(edition)
    return edition


def _user(username: str, password: str, staff: bool = False):
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    user.is_staff = staff
    user.is_superuser = staff
    user.set_password(password)
    user.save()
    return user


def load_demo(base_url: str | None = None) -> Demo:
    base_url = base_url or settings.SITE_URL
    earlier = _edition(EARLIER, 2016, seed=2016, closed=True)
    closed = _edition(CLOSED, 2018, seed=2018, closed=True)
    current = Edition.objects.filter(name=OPEN).first()
    if current is None:
        with transaction.atomic():
            current = actions.create_edition(
                OPEN,
                2020,
                instrument_name=INSTRUMENT,
                dashboard_visibility=Edition.Visibility.AT_ONCE,
                synthetic=True,
            )
            for organisation in Organisation.objects.filter(org_id__in=list(MEMBERS)):
                actions.add_organisation(current, organisation.org_id, organisation.name)
            actions.open_edition(current)
    demo = Demo(editions=[closed, earlier, current])
    _user(*RESEARCHER, staff=True)
    demo.logins.append(("researcher", *RESEARCHER))
    for org_id, (username, password) in MEMBERS.items():
        user = _user(username, password)
        organisation = Organisation.objects.get(org_id=org_id)
        Membership.objects.get_or_create(user=user, organisation=organisation)
        demo.logins.append((f"member of {org_id} ({organisation.name})", username, password))
    # only the links' hashes are kept, so each run makes new links (earlier ones stop working)
    for participation in current.participations.select_related("organisation"):
        demo.links.append(
            (participation.organisation.org_id, actions.new_link(participation, base_url))
        )
    organisation = Organisation.objects.get(org_id=PULSE_ORGANISATION)
    shown = _pulse(organisation, closed, PULSE_DEPARTMENTS, close=True)
    demo.pulse_results.append(
        (PULSE_ORGANISATION, base_url + reverse("pulse:detail", args=[shown.pk]))
    )
    survey = _pulse(organisation, current, PULSE_OPEN_DEPARTMENTS, close=False)
    token = pulse_actions.new_link(survey)
    demo.pulse_links.append((PULSE_ORGANISATION, base_url + reverse("pulse:answer", args=[token])))
    return demo


def _pulse(
    organisation: Organisation, edition: Edition, answers: dict[str, int], close: bool
) -> PulseSurvey:
    """A pulse survey with synthetic employees' answers (made once), closed or open."""
    survey = organisation.pulse_surveys.filter(edition=edition).first()
    if survey is not None:
        return survey
    rng = random.Random(edition.year)
    frequencies = ["daily", "weekly", "monthly", "less_often", "never"]
    ideas = [
        "Minder meldingen, en een betere zoekfunctie.",
        "Meer berichten van de directie.",
        "Een kortere weg naar de app op mijn telefoon.",
        "Duidelijker welke groep waarvoor is.",
        "Meer reacties van managers op vragen.",
    ]
    with transaction.atomic():
        survey = pulse_actions.start_pulse(organisation, list(answers), edition=edition)
        keys = dict((name, key) for key, name in survey.department_list())
        for name, count in answers.items():
            for _n in range(count):
                tilt = 1 if name == "ICT" else 0  # so that departments differ a little
                problems = pulse_actions.answer_pulse(
                    survey,
                    {
                        "read_frequency": rng.choices(frequencies, [4, 5, 3, 2, 1])[0],
                        "post_frequency": rng.choices(frequencies, [1, 2, 4, 4, 3])[0],
                        "helps_work": min(5, rng.randint(2, 4) + tilt),
                        "feels_informed": rng.randint(2, 5),
                        "feels_heard": rng.randint(1, 4),
                        "knows_purpose": min(5, rng.randint(2, 4) + tilt),
                        "department": keys[name],
                        "improvement": rng.choice(ideas) if rng.random() < 0.4 else None,
                    },
                )
                assert not problems, problems
        if close:
            pulse_actions.close_pulse(survey)
    return survey
