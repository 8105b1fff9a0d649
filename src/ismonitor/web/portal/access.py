"""Permission-checked look-ups: one small helper per kind of object, each tested on its own.

An organisation is reached in three ways: by its invitation link (the session then holds
the participation), as a logged-in member of the organisation, or as the researcher.
Anything else gets a 404, so that nobody learns which ids exist.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from ..accounts.models import Membership, is_researcher
from ..editions.models import Organisation, Participation
from ..tokens import hash_token, plausible

SESSION_KEY = "ismonitor_participations"
"""The participations this browser opened by their invitation link."""


def get_participation_for_token(token: str) -> Participation:
    """The participation of an invitation link, found by the token's hash (see
    ``ismonitor.web.tokens``); 404 for any other token, also one that has been replaced."""
    if not plausible(token):
        raise Http404("no such invitation")
    participation = (
        Participation.objects.select_related("edition", "organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if participation is None:
        raise Http404("no such invitation")
    participation.token = token
    return participation


def grant(request, participation: Participation) -> None:
    """Let this browser in to the participation (it came by the link)."""
    granted = list(request.session.get(SESSION_KEY, []))
    if participation.pk not in granted:
        granted.append(participation.pk)
        request.session[SESSION_KEY] = granted
    request.session.cycle_key()


def _is_member(user, organisation_id: int) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, organisation_id=organisation_id).exists()
    )


def get_participation_for_user(request, pk: int) -> Participation:
    """A participation the visitor may see: by link, as a member, or as the researcher."""
    participation = get_object_or_404(
        Participation.objects.select_related("edition", "organisation"), pk=pk
    )
    if is_researcher(request.user):
        return participation
    if _is_member(request.user, participation.organisation_id):
        return participation
    if participation.pk in request.session.get(SESSION_KEY, []):
        return participation
    raise Http404("no such participation")


def get_organisation_for_user(request, pk: int) -> Organisation:
    """An organisation the visitor may see: its member, a holder of one of its links, the
    researcher."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if is_researcher(request.user) or _is_member(request.user, organisation.pk):
        return organisation
    granted = request.session.get(SESSION_KEY, [])
    if Participation.objects.filter(pk__in=granted, organisation=organisation).exists():
        return organisation
    raise Http404("no such organisation")


def organisations_for_user(request) -> list[Organisation]:
    """The organisations the visitor is a member of or holds a link of (not all for staff)."""
    ids = set()
    if request.user.is_authenticated:
        ids |= set(
            Membership.objects.filter(user=request.user).values_list("organisation_id", flat=True)
        )
    granted = request.session.get(SESSION_KEY, [])
    ids |= set(
        Participation.objects.filter(pk__in=granted).values_list("organisation_id", flat=True)
    )
    return list(Organisation.objects.filter(pk__in=ids))
