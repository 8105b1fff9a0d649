"""The pulse survey: set up and read by the organisation, answered by employees by its link.

Each view authorizes with one helper from ``access``, reads the request, calls one action
and responds.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..editions.actions import ActionError
from ..portal import questionnaire as q
from ..tokens import invalid_link
from . import actions
from .access import get_organisation_for_member, get_pulse_for_member, get_pulse_for_token
from .results import results

ANSWERED_SALT = "ismonitor.pulse.answered"
ANSWERED_AGE = 60 * 60 * 24 * 365


def _names(request) -> list[str]:
    return request.POST.get("departments", "").splitlines()


# -- the organisation's side -----------------------------------------------------------------


@require_POST
def pulse_start(request, pk: int):
    organisation = get_organisation_for_member(request, pk)
    try:
        survey = actions.start_pulse(organisation, _names(request))
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("portal:organisation", organisation.pk)
    messages.success(request, _("The pulse survey is open. Share its link with your employees."))
    return _detail(request, survey, with_link=True)


def _detail(request, survey, with_link: bool = False):
    """The survey's page; with its link only right after the link was made (the answer to
    that POST), since only the link's hash is kept."""
    link = ""
    if with_link:
        link = request.build_absolute_uri(reverse("pulse:answer", args=[survey.token]))
    return render(
        request,
        "pulse/detail.html",
        {
            "survey": survey,
            "link": link,
            "results": results(survey, get_language()),
            "departments": "\n".join(name for _key, name in survey.department_list()),
            "can_change_departments": not survey.responses.exists(),
        },
    )


@require_GET
def pulse_detail(request, pk: int):
    return _detail(request, get_pulse_for_member(request, pk))


@require_POST
def pulse_new_link(request, pk: int):
    """A new anonymous link, shown once; the earlier link stops working."""
    survey = get_pulse_for_member(request, pk)
    actions.new_link(survey)
    messages.success(request, _("This is the survey's new link. The earlier link no longer works."))
    return _detail(request, survey, with_link=True)


@require_POST
def pulse_open(request, pk: int):
    survey = get_pulse_for_member(request, pk)
    try:
        actions.open_pulse(survey)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The pulse survey is open: employees can answer."))
    return redirect("pulse:detail", survey.pk)


@require_POST
def pulse_close(request, pk: int):
    survey = get_pulse_for_member(request, pk)
    actions.close_pulse(survey)
    if survey.results_released_at is not None:
        messages.success(
            request,
            _("The pulse survey is closed: no more answers are taken. The results are below."),
        )
    else:
        messages.success(request, _("The pulse survey is closed: no more answers are taken."))
    return redirect("pulse:detail", survey.pk)


@require_POST
def pulse_departments(request, pk: int):
    survey = get_pulse_for_member(request, pk)
    try:
        actions.set_departments(survey, _names(request))
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The departments are saved."))
    return redirect("pulse:detail", survey.pk)


# -- the employee's side ---------------------------------------------------------------------


def _cookie_name(survey) -> str:
    return f"ismonitor_pulse_{survey.pk}"


def _has_answered(request, survey) -> bool:
    """Whether this browser answered before (the cookie is the only trace, see docs)."""
    value = request.get_signed_cookie(
        _cookie_name(survey), default=None, salt=ANSWERED_SALT, max_age=ANSWERED_AGE
    )
    return value == "answered"


def _read(request, instrument):
    """The posted answers, and a message per item that could not be read."""
    answers, errors, posted = {}, {}, {}
    for item in instrument.items():
        try:
            answers[item.key], _other = q.parse(item, instrument, request.POST)
        except q.Invalid as error:
            answers[item.key] = None
            errors[item.key] = str(error)
            posted[item.key] = {"text": request.POST.get(f"a-{item.key}", "")}
    return answers, errors, posted


def _render(request, survey, instrument, answers=None, errors=None, posted=None, status=200):
    lang = get_language()
    answers, errors, posted = answers or {}, errors or {}, posted or {}
    items = []
    for item in instrument.items():
        value = answers.get(item.key)
        given = SimpleNamespace(value=value, other="", version=0, updated_by="")
        view = q.item_view(item, instrument, lang, given if value is not None else None, True)
        if item.key in errors:
            view.error = errors[item.key]
            view.posted = posted.get(item.key)
        items.append(view)
    section = instrument.sections[0]
    return render(
        request,
        "pulse/answer.html",
        {
            "survey": survey,
            "instrument": instrument,
            "title": instrument.title.get(lang),
            "description": instrument.description.get(lang) if instrument.description else "",
            "intro": section.description.get(lang) if section.description else "",
            "items": items,
            "has_errors": bool(errors),
            "languages": settings.LANGUAGES,
            "pulse": True,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def pulse_answer(request, token: str):
    """The employee's page: the questions, or thanks, or that the survey is closed."""
    try:
        survey = get_pulse_for_token(token)
    except Http404:
        return invalid_link(request, "pulse")
    if _has_answered(request, survey):
        return render(request, "pulse/thanks.html", {"survey": survey})
    if not survey.is_open:
        status = 200 if request.method == "GET" else 409
        return render(request, "pulse/closed.html", {"survey": survey}, status=status)
    instrument = survey.instrument()
    if request.method == "GET":
        return _render(request, survey, instrument)
    answers, errors, posted = _read(request, instrument)
    action = request.POST.get("action", "submit")
    if action.startswith("lang-") and action[5:] in dict(settings.LANGUAGES):
        # switch language keeping what was filled in; nothing is stored yet
        translation.activate(action[5:])
        response = _render(request, survey, instrument, answers, posted=posted)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            action[5:],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
        return response
    if not errors:
        try:
            problems = actions.answer_pulse(survey, answers)
        except ActionError:
            return render(request, "pulse/closed.html", {"survey": survey}, status=409)
        for key in problems:
            item = instrument.item(key)
            errors[key] = (
                str(q.REQUIRED) if answers.get(key) is None else q.expected(item, instrument)
            )
    if errors:
        return _render(request, survey, instrument, answers, errors, posted, status=422)
    response = redirect("pulse:answer", survey.token)
    response.set_signed_cookie(
        _cookie_name(survey),
        "answered",
        salt=ANSWERED_SALT,
        max_age=ANSWERED_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
