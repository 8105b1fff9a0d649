"""Who may set up a pulse survey and see its results: the organisation's members and the
researcher. An invitation link is not enough (it may have been passed round), and anybody
else gets a 404. Employees reach only the answering page, by the survey's own link.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from ..accounts.models import Membership, is_researcher
from ..editions.models import Organisation
from ..tokens import hash_token, plausible
from .models import PulseSurvey


def _may_manage(user, organisation_id: int) -> bool:
    if is_researcher(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, organisation_id=organisation_id).exists()
    )


def may_manage(request, organisation: Organisation) -> bool:
    """Whether the visitor may set up and read this organisation's pulse surveys."""
    return _may_manage(request.user, organisation.pk)


def get_organisation_for_member(request, pk: int) -> Organisation:
    """An organisation whose pulse surveys the visitor may manage: a member or the researcher."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not _may_manage(request.user, organisation.pk):
        raise Http404("no such organisation")
    return organisation


def get_pulse_for_member(request, pk: int) -> PulseSurvey:
    """A pulse survey the visitor may manage and read the results of."""
    survey = get_object_or_404(PulseSurvey.objects.select_related("organisation", "edition"), pk=pk)
    if not _may_manage(request.user, survey.organisation_id):
        raise Http404("no such pulse survey")
    return survey


def get_pulse_for_token(token: str) -> PulseSurvey:
    """The pulse survey of an anonymous link, found by the token's hash (see
    ``ismonitor.web.tokens``); 404 for any other token, also one that has been replaced."""
    if not plausible(token):
        raise Http404("no such pulse survey")
    survey = get_object_or_404(
        PulseSurvey.objects.select_related("organisation", "edition"),
        token_hash=hash_token(token),
    )
    survey.token = token
    return survey
