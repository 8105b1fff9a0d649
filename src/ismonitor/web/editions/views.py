"""The researcher's side: editions, organisations, invitations, progress, data, reports.

Each view authorizes through ``access``, reads its form, calls one action and responds.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions
from .access import (
    get_build_for_researcher,
    get_edition_for_researcher,
    get_organisation_for_researcher,
    get_participation_for_researcher,
    researcher_required,
)
from .forms import BuildForm, EditionForm, MemberForm, OrganisationForm, UploadForm
from .models import Edition, ReportBuild
from .tasks import STEPS, start_report_build


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _fail(request, error: actions.ActionError) -> None:
    messages.error(request, str(error))
    for problem in error.problems[:50]:
        messages.warning(request, problem)
    if len(error.problems) > 50:
        messages.warning(
            request,
            _("... and %(count)s more problems.") % {"count": len(error.problems) - 50},
        )


@require_GET
@researcher_required
def edition_list(request):
    editions = Edition.objects.annotate(
        organisations=Count("participations"),
        submitted=Count("participations", filter=Q(participations__submitted_at__isnull=False)),
    )
    return render(request, "editions/list.html", {"editions": editions})


@require_http_methods(["GET", "POST"])
@researcher_required
def edition_create(request):
    form = EditionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edition = actions.create_edition(
                data["name"],
                data["year"],
                instrument_name=data["instrument_name"],
                instrument_yaml=data["instrument_yaml"],
                dashboard_visibility=data["dashboard_visibility"],
            )
        except actions.ActionError as error:
            form.add_error(None, str(error))
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("The edition has been created as a draft."))
            return redirect("editions:detail", edition.pk)
    return render(request, "editions/create.html", {"form": form})


@require_GET
@researcher_required
def edition_detail(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    participations = edition.participations.select_related("organisation")
    counts = {
        "organisations": participations.count(),
        "invited": participations.exclude(invited_at=None).count(),
        "started": participations.exclude(started_at=None).count(),
        "submitted": participations.exclude(submitted_at=None).count(),
    }
    rows = [{"participation": p} for p in participations]
    return render(
        request,
        "editions/detail.html",
        {
            "edition": edition,
            "rows": rows,
            "counts": counts,
            "organisation_form": OrganisationForm(),
            "upload_form": UploadForm(),
            "build_form": BuildForm(initial={"lang": get_language()}),
            "builds": edition.report_builds.all()[:10],
            "formats": list(actions.EXPORT_FORMATS),
        },
    )


@require_POST
@researcher_required
def edition_open(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    actions.open_edition(edition)
    messages.success(request, _("The edition is open: organisations can answer."))
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def edition_close(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    actions.close_edition(edition)
    messages.success(
        request, _("The edition is closed: organisations that submitted see their dashboard.")
    )
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def organisation_add(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    form = OrganisationForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, _("%(field)s: %(error)s") % {"field": label, "error": error}
                )
        return redirect("editions:detail", pk)
    try:
        participation = actions.add_organisation(edition, **form.cleaned_data)
    except actions.ActionError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("%(name)s takes part in this edition.") % {"name": participation.organisation.name},
        )
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def organisations_upload(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file with the organisations."))
        return redirect("editions:detail", pk)
    try:
        added = actions.add_organisations_from_csv(edition, form.cleaned_data["file"].read())
    except actions.ActionError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s organisation from the file takes part.",
                "%(count)s organisations from the file take part.",
                len(added),
            )
            % {"count": len(added)},
        )
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def invite_all(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    count = actions.invite_all(edition, _base_url(request))
    messages.success(
        request,
        ngettext(
            "%(count)s invitation has been sent.", "%(count)s invitations have been sent.", count
        )
        % {"count": count},
    )
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def remind_all(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    count = actions.invite_all(edition, _base_url(request), reminder=True)
    messages.success(
        request,
        ngettext(
            "%(count)s reminder has been sent, with a new link: the link sent earlier no "
            "longer works.",
            "%(count)s reminders have been sent, each with a new link: the links sent earlier "
            "no longer work.",
            count,
        )
        % {"count": count},
    )
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def participation_invite(request, pk: int):
    participation = get_participation_for_researcher(request, pk)
    if actions.invite(participation, _base_url(request)):
        messages.success(
            request,
            _(
                "The invitation has been sent with a new link; any link sent earlier no "
                "longer works."
            ),
        )
    else:
        messages.error(request, _("This organisation has no e-mail address."))
    return redirect("editions:detail", participation.edition_id)


@require_POST
@researcher_required
def participation_remind(request, pk: int):
    participation = get_participation_for_researcher(request, pk)
    if actions.remind(participation, _base_url(request)):
        messages.success(
            request,
            _("The reminder has been sent with a new link; the link sent earlier no longer works."),
        )
    else:
        messages.error(request, _("No reminder was sent: submitted already, or no e-mail address."))
    return redirect("editions:detail", participation.edition_id)


@require_POST
@researcher_required
def participation_new_link(request, pk: int):
    """A new invitation link, shown once on this page (for handing on without e-mail)."""
    participation = get_participation_for_researcher(request, pk)
    link = actions.new_link(participation, _base_url(request))
    return render(request, "editions/link.html", {"participation": participation, "link": link})


@require_POST
@researcher_required
def participation_reopen(request, pk: int):
    participation = get_participation_for_researcher(request, pk)
    actions.reopen(participation)
    messages.success(
        request,
        _("The answers of %(name)s are open for changes again.")
        % {"name": participation.organisation.name},
    )
    return redirect("editions:detail", participation.edition_id)


@require_GET
@researcher_required
def export(request, pk: int, fmt: str):
    edition = get_edition_for_researcher(request, pk)
    if fmt not in actions.EXPORT_FORMATS:
        raise Http404("unknown format")
    path = actions.export_responses(edition, fmt, get_language())
    data = path.read_bytes()
    shutil.rmtree(path.parent, ignore_errors=True)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=path.name)


@require_POST
@researcher_required
def import_view(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a responses file (CSV, .xlsx, .sav or .parquet)."))
        return redirect("editions:detail", pk)
    upload = form.cleaned_data["file"]
    name = Path(upload.name).name
    folder = Path(tempfile.mkdtemp(prefix="ismonitor-import-"))
    try:
        path = folder / ("upload" + Path(name).suffix.lower())
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        count = actions.import_responses(edition, path, name)
    except actions.ActionError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The answers of %(count)s organisation have been imported.",
                "The answers of %(count)s organisations have been imported.",
                count,
            )
            % {"count": count},
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return redirect("editions:detail", pk)


@require_POST
@researcher_required
def build_start(request, pk: int):
    edition = get_edition_for_researcher(request, pk)
    form = BuildForm(request.POST)
    lang = form.cleaned_data["lang"] if form.is_valid() else get_language()
    try:
        build = start_report_build(edition, lang, request.user)
    except actions.ActionError as error:
        _fail(request, error)
        return redirect("editions:detail", pk)
    return redirect("editions:build", build.pk)


def _build_json(build: ReportBuild) -> dict:
    return {
        "state": build.state,
        "progress": build.progress,
        "step": str(STEPS.get(build.step, build.step)),
        "finished": build.state in (ReportBuild.State.DONE, ReportBuild.State.FAILED),
        "error": build.error,
    }


@require_GET
@researcher_required
def build_view(request, pk: int):
    build = get_build_for_researcher(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_build_json(build))
    return render(request, "editions/build.html", {"build": build, "status": _build_json(build)})


@require_GET
@researcher_required
def build_download(request, pk: int):
    build = get_build_for_researcher(request, pk)
    path = build.pdf_path()
    if build.state != ReportBuild.State.DONE or not path.exists():
        raise Http404("the report is not ready")
    name = f"ismonitor-national-{build.edition.year}-{build.lang}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@require_GET
@researcher_required
def organisation_detail(request, pk: int):
    organisation = get_organisation_for_researcher(request, pk)
    return render(
        request,
        "editions/organisation.html",
        {
            "organisation": organisation,
            "participations": organisation.participations.select_related("edition"),
            "members": organisation.memberships.select_related("user"),
            "invitations": organisation.member_invitations.filter(
                accepted_at=None, expires_at__gt=timezone.now()
            ),
            "member_form": MemberForm(),
        },
    )


@require_POST
@researcher_required
def member_invite(request, pk: int):
    organisation = get_organisation_for_researcher(request, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        actions.invite_member(organisation, form.cleaned_data["email"], _base_url(request))
        messages.success(
            request,
            _(
                "The invitation to become a member has been sent. An earlier invitation to "
                "this address no longer works."
            ),
        )
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect("editions:organisation", pk)
