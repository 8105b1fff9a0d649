"""The organisation's side: the invitation link, the questionnaire, the dashboard.

Each view authorizes with one helper from ``access``, reads the request, calls one action
from ``editions.actions`` and responds.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ismonitor.maturity import FACTOR_LABELS

from ..accounts.models import is_researcher
from ..editions import actions
from ..editions.models import Participation
from ..pulse.access import may_manage as may_manage_pulse
from ..pulse.actions import overview as pulse_overview
from ..tokens import invalid_link
from . import dashboard as dash
from . import questionnaire as q
from .access import (
    get_organisation_for_user,
    get_participation_for_token,
    get_participation_for_user,
    grant,
    organisations_for_user,
)


def _by(request) -> str:
    return request.user.get_username() if request.user.is_authenticated else "link"


def _editable(participation: Participation) -> bool:
    return participation.edition.is_open and not participation.locked


@require_GET
def home(request):
    if is_researcher(request.user):
        return redirect("editions:list")
    organisations = organisations_for_user(request)
    rows = []
    for organisation in organisations:
        participations = organisation.participations.select_related("edition").order_by(
            "-edition__year"
        )
        rows.append({"organisation": organisation, "participations": list(participations)})
    return render(request, "portal/home.html", {"rows": rows})


@require_GET
def enter(request, token: str):
    """The invitation link: remember the participation in this browser and go on."""
    try:
        participation = get_participation_for_token(token)
    except Http404:
        return invalid_link(request, "invitation")
    grant(request, participation)
    return redirect("portal:participation", participation.pk)


@require_GET
def participation_view(request, pk: int):
    """Where the link leads: the dashboard when it is open, else the questionnaire."""
    participation = get_participation_for_user(request, pk)
    if participation.dashboard_open:
        return redirect("portal:dashboard", participation.pk)
    if _editable(participation):
        instrument = participation.edition.instrument()
        answers = actions.answers_of_participation(participation)
        section = _resume_section(instrument, answers)
        return redirect("portal:section", participation.pk, section)
    instrument = participation.edition.instrument()
    answers = actions.answers_of_participation(participation)
    return render(
        request,
        "portal/status.html",
        {
            "participation": participation,
            "first_section": q.first_section(instrument, answers).key,
        },
    )


def _resume_section(instrument, answers) -> str:
    """The first section with a question not answered yet (or the first section)."""
    values = {key: answer.value for key, answer in answers.items()}
    from ..editions.table import visible_items, visible_sections

    shown = visible_items(values, instrument)
    for section in visible_sections(values, instrument):
        for item in section.items:
            if item.key in shown and item.key not in answers:
                return section.key
    return q.first_section(instrument, answers).key


@require_GET
def organisation_view(request, pk: int):
    organisation = get_organisation_for_user(request, pk)
    participations = organisation.participations.select_related("edition").order_by(
        "-edition__year"
    )
    context = {"organisation": organisation, "participations": participations}
    if may_manage_pulse(request, organisation):
        context["pulse"] = pulse_overview(organisation)
    return render(request, "portal/organisation.html", context)


# -- the questionnaire -------------------------------------------------------------------


def _render_page(request, participation, page, errors=None, conflicts=(), status=200):
    errors = errors or {}
    editable = _editable(participation)
    for view in page.items:
        view.disabled = not view.visible or not editable
        if view.key in errors:
            view.error, view.posted = errors[view.key]
        if view.key in conflicts:
            view.conflict = True
            view.error = str(q.CONFLICT)
    answers = actions.answers_of_participation(participation)
    progress = q.layout(participation.edition.instrument(), answers)
    context = {
        "participation": participation,
        "page": page,
        "editable": editable,
        "progress": progress,
        "section_keys": " ".join(section.key for section in page.sections),
        "page_section_keys": {section.key for section in page.sections},
        "all_sections": participation.edition.instrument().sections,
        "has_errors": bool(errors or conflicts),
        "languages": settings.LANGUAGES,
    }
    return render(request, "portal/questionnaire.html", context, status=status)


def _save_page(request, participation, instrument, section):
    """Save every item the page showed; returns (errors, conflicts)."""
    errors: dict[str, tuple[str, dict]] = {}
    conflicts: set[str] = set()
    for item in section.items:
        if f"p-{item.key}" not in request.POST:
            continue  # hidden on the page: its fields were disabled
        try:
            value, other = q.parse(item, instrument, request.POST)
        except q.Invalid as error:
            errors[item.key] = (str(error), {"text": request.POST.get(f"a-{item.key}", "")})
            continue
        saved = actions.save_answer(
            participation,
            item.key,
            value,
            other,
            _version(request.POST.get(f"v-{item.key}")),
            _by(request),
            original=q.original(request.POST, item.key),
        )
        if saved.conflict:
            conflicts.add(item.key)
    return errors, conflicts


def _version(text) -> int:
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0


@require_http_methods(["GET", "POST"])
def section_view(request, pk: int, section: str):
    participation = get_participation_for_user(request, pk)
    instrument = participation.edition.instrument()
    answers = actions.answers_of_participation(participation)
    lang = get_language()
    page = q.page(instrument, section, answers, lang)
    if page is None:
        raise Http404("no such section for these answers")
    if request.method == "GET":
        return _render_page(request, participation, page)
    if not _editable(participation):
        messages.error(request, _("The answers are locked: nothing was changed."))
        return redirect("portal:section", pk, section)
    errors, conflicts = _save_page(request, participation, instrument, page.section)
    action = request.POST.get("action", "save")
    response = None
    if action.startswith("lang-") and action[5:] in dict(settings.LANGUAGES):
        response = redirect("portal:section", pk, section)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            action[5:],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
        if not errors and not conflicts:
            return response
    answers = actions.answers_of_participation(participation)
    fresh = q.page(instrument, section, answers, lang)
    if errors or conflicts:
        return _render_page(request, participation, fresh or page, errors, conflicts, status=422)
    posted = {item.key for item in page.section.items if f"p-{item.key}" in request.POST}
    if fresh is not None and any(v.visible and v.key not in posted for v in fresh.items):
        messages.info(request, _("More questions appeared on this page; please answer them too."))
        return redirect(reverse("portal:section", args=[pk, section]))
    if action == "previous" and fresh is not None and fresh.previous is not None:
        return redirect("portal:section", pk, fresh.previous.key)
    if action == "next":
        if fresh is not None and fresh.next is not None:
            return redirect("portal:section", pk, fresh.next.key)
        return redirect("portal:review", pk)
    if action == "review":
        return redirect("portal:review", pk)
    if action.startswith("goto-") and action[5:] in {s.key for s in (fresh or page).sections}:
        return redirect("portal:section", pk, action[5:])
    messages.success(request, _("Your answers are saved."))
    return redirect(
        "portal:section",
        pk,
        section if fresh is not None else q.first_section(instrument, answers).key,
    )


@require_POST
def save_view(request, pk: int):
    """Save one answer for the page's script; JSON in, JSON out."""
    participation = get_participation_for_user(request, pk)
    if not _editable(participation):
        return JsonResponse({"ok": False, "error": _("The answers are locked.")}, status=403)
    instrument = participation.edition.instrument()
    key = request.POST.get("item", "")
    try:
        item = instrument.item(key)
    except KeyError:
        return JsonResponse({"ok": False, "error": _("There is no such question.")}, status=400)
    try:
        value, other = q.parse(item, instrument, request.POST)
    except q.Invalid as error:
        return JsonResponse({"ok": False, "item": key, "error": str(error)}, status=400)
    saved = actions.save_answer(
        participation,
        key,
        value,
        other,
        _version(request.POST.get(f"v-{key}")),
        _by(request),
    )
    answers = actions.answers_of_participation(participation)
    body = {"ok": saved.ok, "item": key, "version": saved.version, **q.layout(instrument, answers)}
    if saved.conflict:
        body["error"] = str(q.CONFLICT)
        return JsonResponse(body, status=409)
    return JsonResponse(body)


@require_http_methods(["GET", "POST"])
def review_view(request, pk: int):
    """The last page: what is still missing, and the button that submits."""
    participation = get_participation_for_user(request, pk)
    instrument = participation.edition.instrument()
    lang = get_language()
    if request.method == "POST":
        if not _editable(participation):
            messages.error(request, _("The answers are locked: nothing was changed."))
            return redirect("portal:participation", pk)
        check = actions.submit(participation)
        if check.ok:
            messages.success(request, _("Thank you. Your answers have been submitted."))
            return redirect("portal:participation", pk)
    else:
        check = actions.check_participation(participation)
    answers = actions.answers_of_participation(participation)
    problems = []
    for key, kind in check.problems.items():
        item = instrument.item(key)
        section = instrument.section_of(key)
        problems.append(
            {
                "key": key,
                "label": item.label.get(lang),
                "section": section.key,
                "section_title": section.title.get(lang),
                "message": str(q.REQUIRED) if kind == "required" else q.expected(item, instrument),
            }
        )
    return render(
        request,
        "portal/review.html",
        {
            "participation": participation,
            "problems": problems,
            "editable": _editable(participation),
            "progress": q.layout(instrument, answers),
            "submitted": request.method == "POST",
        },
        status=422 if request.method == "POST" else 200,
    )


# -- the dashboard -------------------------------------------------------------------------


def _get_dashboard_participation(request, pk: int) -> Participation:
    participation = get_participation_for_user(request, pk)
    if not participation.dashboard_open:
        raise Http404("the dashboard is not open")
    return participation


@require_GET
def dashboard_view(request, pk: int):
    participation = get_participation_for_user(request, pk)
    if not participation.dashboard_open:
        return render(request, "portal/dashboard_closed.html", {"participation": participation})
    lang = get_language()
    found = dash.results(participation.edition)
    me = found.scores.get(participation.organisation.org_id)
    context = {"participation": participation, "me": me, "lang": lang}
    if me is not None and me.adopter and me.factors:
        instrument = participation.edition.instrument()
        rows = dash.benchmark(me, found.analysis)
        for row in rows:
            row["label"] = (
                _("Overall") if row["key"] == "overall" else FACTOR_LABELS[row["key"]].get(lang)
            )
        context.update(
            rows=rows,
            stage=me.stage.label.get(lang) if me.stage else None,
            stage_description=me.stage.description.get(lang) if me.stage else None,
            charts=dash.chart_svgs(participation.edition, me, found, lang),
            advice=[
                {
                    "factor": FACTOR_LABELS[advice.factor].get(lang),
                    "element": instrument.elements[advice.element].label.get(lang),
                    "question": instrument.item(advice.item).label.get(lang),
                    "text": advice.text.get(lang),
                }
                for advice in me.advice
            ],
        )
    answers = actions.answers_of_participation(participation)
    context["first_section"] = q.first_section(participation.edition.instrument(), answers).key
    context["history"] = dash.history(participation)
    context["factor_labels"] = [(key, text.get(lang)) for key, text in FACTOR_LABELS.items()]
    return render(request, "portal/dashboard.html", context)


@require_GET
def report_view(request, pk: int):
    participation = _get_dashboard_participation(request, pk)
    lang = get_language()
    pdf = dash.organisation_pdf(participation, lang)
    name = f"ismonitor-{participation.organisation.org_id}-{participation.edition.year}-{lang}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
