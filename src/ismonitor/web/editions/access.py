"""The researcher's look-ups: everything under /editions/ is for the researcher only.

A visitor who is not logged in is sent to the login page; a logged-in member of an
organisation gets a 404, as for anything else that is not theirs.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..accounts.models import is_researcher
from .models import Edition, Organisation, Participation, ReportBuild


def researcher_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_researcher(request.user):
            raise Http404("not found")
        return view(request, *args, **kwargs)

    return wrapper


def _check(request) -> None:
    if not is_researcher(request.user):
        raise Http404("not found")


def get_edition_for_researcher(request, pk: int) -> Edition:
    _check(request)
    return get_object_or_404(Edition, pk=pk)


def get_participation_for_researcher(request, pk: int) -> Participation:
    _check(request)
    return get_object_or_404(Participation.objects.select_related("edition", "organisation"), pk=pk)


def get_organisation_for_researcher(request, pk: int) -> Organisation:
    _check(request)
    return get_object_or_404(Organisation, pk=pk)


def get_build_for_researcher(request, pk: int) -> ReportBuild:
    _check(request)
    return get_object_or_404(ReportBuild.objects.select_related("edition"), pk=pk)
