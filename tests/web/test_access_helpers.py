"""The permission-checked look-ups, each on its own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404
from django.test import RequestFactory

from ismonitor.web.editions.access import (
    get_build_for_researcher,
    get_edition_for_researcher,
    get_organisation_for_researcher,
    get_participation_for_researcher,
)
from ismonitor.web.editions.models import ReportBuild
from ismonitor.web.portal.access import (
    SESSION_KEY,
    get_organisation_for_user,
    get_participation_for_token,
    get_participation_for_user,
)


def _request(user=None, granted=()):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request.session[SESSION_KEY] = list(granted)
    return request


def test_get_participation_for_token_finds_the_right_one(participation_a, participation_b):
    assert get_participation_for_token(participation_a.token) == participation_a
    assert get_participation_for_token(participation_b.token) == participation_b


def test_get_participation_for_token_refuses_a_near_miss(participation_a):
    with pytest.raises(Http404):
        get_participation_for_token(participation_a.token[:-1] + "!")


def test_get_participation_for_user_lets_in_member_link_and_researcher(
    alice, bob, charlie, participation_a
):
    assert get_participation_for_user(_request(bob), participation_a.pk) == participation_a
    assert get_participation_for_user(_request(alice), participation_a.pk) == participation_a
    granted = _request(granted=[participation_a.pk])
    assert get_participation_for_user(granted, participation_a.pk) == participation_a
    for request in (_request(charlie), _request()):
        with pytest.raises(Http404):
            get_participation_for_user(request, participation_a.pk)


def test_get_participation_for_user_refuses_an_inactive_member(bob, participation_a):
    bob.is_active = False
    bob.save()
    with pytest.raises(Http404):
        get_participation_for_user(_request(bob), participation_a.pk)


def test_get_organisation_for_user(alice, bob, charlie, org_a, participation_a):
    assert get_organisation_for_user(_request(bob), org_a.pk) == org_a
    assert get_organisation_for_user(_request(alice), org_a.pk) == org_a
    assert get_organisation_for_user(_request(granted=[participation_a.pk]), org_a.pk) == org_a
    with pytest.raises(Http404):
        get_organisation_for_user(_request(charlie), org_a.pk)


def test_the_researchers_look_ups_refuse_members(alice, bob, participation_a, org_a):
    build = ReportBuild.objects.create(edition=participation_a.edition)
    for look_up, pk in (
        (get_edition_for_researcher, participation_a.edition_id),
        (get_participation_for_researcher, participation_a.pk),
        (get_organisation_for_researcher, org_a.pk),
        (get_build_for_researcher, build.pk),
    ):
        assert look_up(_request(alice), pk).pk == pk
        with pytest.raises(Http404):
            look_up(_request(bob), pk)
        with pytest.raises(Http404):
            look_up(_request(), pk)
