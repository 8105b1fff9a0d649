"""Every URL of the portal, tried by a member of another organisation and by an anonymous
visitor: neither may see or change anything of Organisatie A.

Charlie should have no access to Bob's stuff. A new URL without an entry in ``URLS`` fails
``test_every_url_is_tried``, so this test grows with the portal.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ismonitor.web.accounts.models import MemberInvitation
from ismonitor.web.editions.models import Answer, Participation, ReportBuild
from ismonitor.web.pulse import actions as pulse_actions
from ismonitor.web.pulse.models import PulseResponse, PulseSurvey

from .conftest import answer

PUBLIC = {
    "portal:home",
    "accounts:login",
    "set_language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
"""Pages anyone may open; they must still show nothing of Organisatie A."""


def _names(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace == "admin":
                yield "admin"
                continue
            yield from _names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


@pytest.fixture
def stuff(alice, bob, closed_a, participation_a, org_a, pulse_a):
    """Organisatie A's objects: an open participation, a closed one, a build, an invitation,
    an open pulse survey with one answer."""
    answer(participation_a, "sector", "government")
    pulse_actions.answer_pulse(
        pulse_a,
        {
            "read_frequency": "daily",
            "post_frequency": "never",
            "helps_work": 2,
            "feels_informed": 2,
            "feels_heard": 1,
            "knows_purpose": 4,
            "improvement": "secret wish",
        },
    )
    build = ReportBuild.objects.create(edition=closed_a.edition, state="done")
    build.pdf_path().parent.mkdir(parents=True, exist_ok=True)
    build.pdf_path().write_bytes(b"%PDF-1.7 secret")
    _invitation, token = MemberInvitation.create(org_a, "new@example.org")
    return {
        "open": participation_a,
        "closed": closed_a,
        "org": org_a,
        "build": build,
        "join_token": token,
        "pulse": pulse_a,
        "hashes": _hashes(),
        "bob_uid": urlsafe_base64_encode(force_bytes(bob.pk)),
        "bob_reset_token": default_token_generator.make_token(bob),
        "bob_password": bob.password,
    }


def _hashes() -> set[str]:
    """The stored hashes of Organisatie A's links: a new link or an invitation sent would
    change them."""
    of_a = {"organisation__org_id": "ORG-A"}
    return {
        *Participation.objects.filter(**of_a).values_list("token_hash", flat=True),
        *PulseSurvey.objects.filter(**of_a).values_list("token_hash", flat=True),
        *MemberInvitation.objects.filter(**of_a).values_list("token_hash", flat=True),
    }


def urls(stuff) -> dict[str, list[str]]:
    p, closed, org, build = stuff["open"], stuff["closed"], stuff["org"], stuff["build"]
    pulse = stuff["pulse"]
    e = p.edition_id
    return {
        "portal:home": ["/"],
        "portal:enter": [f"/i/{p.token[:12]}{'x' * 31}/"],
        "portal:organisation": [f"/organisation/{org.pk}/"],
        "portal:participation": [f"/p/{p.pk}/", f"/p/{closed.pk}/"],
        "portal:save": [f"/p/{p.pk}/questionnaire/save/"],
        "portal:review": [f"/p/{p.pk}/questionnaire/review/"],
        "portal:section": [
            f"/p/{p.pk}/questionnaire/profile/",
            f"/p/{closed.pk}/questionnaire/profile/",
        ],
        "portal:dashboard": [f"/p/{closed.pk}/dashboard/"],
        "portal:report": [f"/p/{closed.pk}/report.pdf"],
        "accounts:login": ["/accounts/login/"],
        "accounts:logout": ["/accounts/logout/"],
        "accounts:join": ["/accounts/join/not-the-token/"],
        "accounts:password_reset": ["/accounts/password/reset/"],
        "accounts:password_reset_done": ["/accounts/password/reset/sent/"],
        "accounts:password_reset_confirm": [
            f"/accounts/password/reset/{stuff['bob_uid']}/{stuff['bob_reset_token'][:-2]}xx/",
            f"/accounts/password/reset/{stuff['bob_uid']}/set-password/",
        ],
        "accounts:password_reset_complete": ["/accounts/password/reset/done/"],
        "set_language": ["/i18n/setlang/"],
        "admin": ["/admin/", f"/admin/editions/answer/{Answer.objects.first().pk}/change/"],
        "editions:list": ["/editions/"],
        "editions:create": ["/editions/new/"],
        "editions:detail": [f"/editions/{e}/"],
        "editions:open": [f"/editions/{e}/open/"],
        "editions:close": [f"/editions/{e}/close/"],
        "editions:organisation_add": [f"/editions/{e}/organisations/add/"],
        "editions:organisations_upload": [f"/editions/{e}/organisations/upload/"],
        "editions:invite_all": [f"/editions/{e}/invite/"],
        "editions:remind_all": [f"/editions/{e}/remind/"],
        "editions:export": [
            f"/editions/{closed.edition_id}/export.{f}" for f in ("csv", "xlsx", "sav", "parquet")
        ],
        "editions:import": [f"/editions/{e}/import/"],
        "editions:build_start": [f"/editions/{closed.edition_id}/reports/"],
        "editions:invite": [f"/editions/participations/{p.pk}/invite/"],
        "editions:remind": [f"/editions/participations/{p.pk}/remind/"],
        "editions:reopen": [f"/editions/participations/{closed.pk}/reopen/"],
        "editions:new_link": [f"/editions/participations/{p.pk}/link/"],
        "editions:build": [
            f"/editions/builds/{build.pk}/",
            f"/editions/builds/{build.pk}/?format=json",
        ],
        "editions:build_download": [f"/editions/builds/{build.pk}/national.pdf"],
        "editions:organisation": [f"/editions/organisations/{org.pk}/"],
        "editions:member_invite": [f"/editions/organisations/{org.pk}/members/"],
        "pulse:answer": [f"/s/{pulse.token[:-2]}xx/", "/s/short/"],
        "pulse:start": [f"/organisation/{org.pk}/pulse/"],
        "pulse:detail": [f"/pulse/{pulse.pk}/"],
        "pulse:open": [f"/pulse/{pulse.pk}/open/"],
        "pulse:close": [f"/pulse/{pulse.pk}/close/"],
        "pulse:departments": [f"/pulse/{pulse.pk}/departments/"],
        "pulse:new_link": [f"/pulse/{pulse.pk}/link/"],
    }


def test_every_url_is_tried(stuff):
    assert set(_names()) == set(urls(stuff))


SECRETS = ("Organisatie A", "ORG-A", "a@example.org", "secret")


def _check(client, url: str, name: str, stuff) -> None:
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"a-sector": "education", "item": "sector"})
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        where = f"{method.upper()} {url}"
        if name in PUBLIC or (name == "accounts:logout"):
            assert response.status_code in (200, 302, 405), where
        else:
            assert response.status_code in (302, 403, 404, 405), f"{where}: {response.status_code}"
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith(("/accounts/login/", "/admin/login/", "/")), where
            assert not location.startswith(("/p/", "/organisation/")), where
        for secret in SECRETS:
            assert secret not in text, f"{where} shows {secret!r}"
        assert stuff["open"].token not in text, where
        assert stuff["pulse"].token not in text, where
        # no link at all (the language switch repeats the address asked for: not a link)
        assert not re.search(r"/[is]/[\w-]{43}/", text.replace(url, "")), f"{where} shows a link"


def _unchanged(stuff) -> None:
    p, closed = stuff["open"], stuff["closed"]
    p.refresh_from_db()
    closed.refresh_from_db()
    assert closed.locked and closed.submitted_at is not None
    assert p.invited_at is None
    assert p.edition.status == "open"
    assert Answer.objects.get(participation=p, item_key="sector").value == "government"
    pulse = PulseSurvey.objects.get()
    assert pulse.is_open and len(pulse.departments) == 4
    assert PulseResponse.objects.count() == 1
    assert _hashes() == stuff["hashes"]  # no link was made or replaced
    assert not mail.outbox
    assert get_user_model().objects.get(username="bob").password == stuff["bob_password"]


def test_charlie_sees_and_changes_nothing_of_organisatie_a(client, charlie, stuff):
    # Charlie should have no access to Bob's organisation, on any URL
    client.force_login(charlie)
    for name, addresses in urls(stuff).items():
        for url in addresses:
            _check(client, url, name, stuff)
            client.force_login(charlie)  # logout is one of the URLs
    _unchanged(stuff)


def test_an_anonymous_visitor_sees_and_changes_nothing(client, stuff):
    for name, addresses in urls(stuff).items():
        for url in addresses:
            _check(client, url, name, stuff)
    _unchanged(stuff)


def test_charlies_own_link_opens_only_charlies_organisation(client, stuff, participation_b):
    client.get(f"/i/{participation_b.token}/")
    assert client.get(f"/p/{participation_b.pk}/").status_code == 302
    for name, addresses in urls(stuff).items():
        for url in addresses:
            _check(client, url, name, stuff)
    _unchanged(stuff)
