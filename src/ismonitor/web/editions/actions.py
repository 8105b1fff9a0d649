"""What the researcher and the organisations do, as named functions the views call.

Each action does one thing to the database in one transaction and raises
:class:`ActionError` with a message for the person who asked, so that a failed action
leaves nothing half done.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ismonitor.instrument import InstrumentError, bundled, get, load_text
from ismonitor.study import ResponsesError, ResponsesFileError, check_file, write

from ..accounts.models import MemberInvitation, Membership
from ..mail import bilingual
from ..tokens import hash_token, plausible
from .models import Answer, Edition, Organisation, Participation, fingerprint
from .table import row_for, stored_answers, table_of


class ActionError(ValueError):
    """An action that cannot be done; the message says why, for the person who asked."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


# -- editions ------------------------------------------------------------------------------


def create_edition(
    name: str,
    year: int,
    instrument_name: str = "",
    instrument_yaml: str = "",
    dashboard_visibility: str = Edition.Visibility.AFTER_CLOSE,
    synthetic: bool = False,
) -> Edition:
    """A new edition in draft, with a bundled instrument or one uploaded as YAML."""
    if bool(instrument_name) == bool(instrument_yaml):
        raise ActionError(_("Choose a bundled instrument or upload one, not both."))
    try:
        if instrument_yaml:
            instrument = load_text(instrument_yaml, "uploaded instrument")
        else:
            if instrument_name not in bundled():
                raise ActionError(
                    _("There is no bundled instrument called %(name)s.") % {"name": instrument_name}
                )
            instrument = get(instrument_name)
    except InstrumentError as exc:
        raise ActionError(
            _("The instrument has problems; nothing was created."), str(exc).splitlines()
        ) from None
    return Edition.objects.create(
        name=name,
        year=year,
        instrument_name="" if instrument_yaml else instrument_name,
        instrument_yaml=instrument_yaml,
        instrument_version=instrument.version,
        dashboard_visibility=dashboard_visibility,
        synthetic=synthetic,
    )


def open_edition(edition: Edition) -> None:
    """Organisations can answer from now on."""
    edition.status = Edition.Status.OPEN
    edition.opened_at = edition.opened_at or timezone.now()
    edition.closed_at = None
    edition.save(update_fields=["status", "opened_at", "closed_at"])


def close_edition(edition: Edition) -> None:
    """No more answers; dashboards open for every organisation that submitted."""
    edition.status = Edition.Status.CLOSED
    edition.closed_at = timezone.now()
    edition.save(update_fields=["status", "closed_at"])


# -- organisations -------------------------------------------------------------------------

ORGANISATION_COLUMNS = ("org_id", "name", "email", "sector", "size_class")


def add_organisation(
    edition: Edition,
    org_id: str,
    name: str,
    email: str = "",
    sector: str = "",
    size_class: str = "",
) -> Participation:
    """Add an organisation to an edition (creating it, or updating its details)."""
    org_id = org_id.strip()
    if not org_id or not name.strip():
        raise ActionError(_("An organisation needs an id and a name."))
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            org_id=org_id,
            defaults={"name": name, "email": email, "sector": sector, "size_class": size_class},
        )
        if not created:
            organisation.name = name or organisation.name
            organisation.email = email or organisation.email
            organisation.sector = sector or organisation.sector
            organisation.size_class = size_class or organisation.size_class
            organisation.save()
        participation, _created = Participation.objects.get_or_create(
            edition=edition, organisation=organisation
        )
    return participation


def add_organisations_from_csv(edition: Edition, data: bytes) -> list[Participation]:
    """Add every organisation in a CSV (org_id, name, email, sector, size_class); all or none."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from None
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in ("org_id", "name") if name not in header]
    if missing:
        raise ActionError(
            _("The file needs the columns org_id and name; it has: %(columns)s.")
            % {"columns": ", ".join(header) or "-"}
        )
    instrument = edition.instrument()
    sectors = _option_keys(instrument, "sector")
    sizes = _option_keys(instrument, "size_class")
    problems: list[str] = []
    rows = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
        org_id, name = record.get("org_id", ""), record.get("name", "")
        email = record.get("email", "")
        sector, size = record.get("sector", ""), record.get("size_class", "")
        where = _("line %(line)s") % {"line": line}
        if not org_id:
            problems.append(_("%(where)s: the org_id is empty.") % {"where": where})
        elif org_id in seen:
            problems.append(
                _("%(where)s: the org_id %(org_id)s is also on line %(other)s.")
                % {"where": where, "org_id": org_id, "other": seen[org_id]}
            )
        else:
            seen[org_id] = line
        if not name:
            problems.append(_("%(where)s: the name is empty.") % {"where": where})
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    _("%(where)s: %(value)s is not an e-mail address.")
                    % {"where": where, "value": email}
                )
        for value, known, column in ((sector, sectors, "sector"), (size, sizes, "size_class")):
            if value and known and value not in known:
                problems.append(
                    _("%(where)s: %(value)s is not a %(column)s of this instrument; "
                      "expected one of %(expected)s.")
                    % {"where": where, "value": value, "column": column,
                       "expected": ", ".join(known)}
                )  # fmt: skip
        rows.append((org_id, name, email, sector, size))
    if not rows:
        raise ActionError(_("The file has no organisations in it."))
    if problems:
        raise ActionError(_("The file has problems; no organisation was added."), problems)
    with transaction.atomic():
        return [add_organisation(edition, *row) for row in rows]


def _option_keys(instrument, item_key: str) -> list[str]:
    try:
        item = instrument.item(item_key)
    except KeyError:
        return []
    if item.choices is None:
        return []
    return [option.key for option in instrument.choice_list(item)]


# -- invitations and reminders -------------------------------------------------------------


def participation_link(participation: Participation, base_url: str) -> str:
    """The invitation link of a participation whose plain token this instance holds (one
    that was just made, or found by its link): the database keeps only the hash."""
    return f"{base_url.rstrip('/')}/i/{participation.token}/"


def new_link(participation: Participation, base_url: str) -> str:
    """A new invitation link for the organisation; the earlier link stops working (browsers
    that already opened it keep their access)."""
    participation.new_token()
    participation.save(update_fields=["token_hash"])
    return participation_link(participation, base_url)


def _send(template: str, to: str, context: dict[str, Any]) -> None:
    """One e-mail in Dutch with the English text below it."""
    subject, body = bilingual(
        f"editions/email/{template}_subject.txt", f"editions/email/{template}.txt", context
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def invite(participation: Participation, base_url: str) -> bool:
    """Send the invitation with a new personal link (an earlier link stops working);
    False without an address."""
    organisation = participation.organisation
    if not organisation.email:
        return False
    with transaction.atomic():  # a failed e-mail keeps the earlier link
        _send(
            "invitation",
            organisation.email,
            {
                "organisation": organisation,
                "edition": participation.edition,
                "link": new_link(participation, base_url),
                "again": participation.invited_at is not None,
            },
        )
        participation.invited_at = participation.invited_at or timezone.now()
        participation.save(update_fields=["invited_at"])
    return True


def remind(participation: Participation, base_url: str) -> bool:
    """Send a reminder with a new personal link (the earlier one stops working) to an
    organisation that has not submitted yet."""
    organisation = participation.organisation
    if participation.submitted_at or not organisation.email:
        return False
    with transaction.atomic():  # a failed e-mail keeps the earlier link
        _send(
            "reminder",
            organisation.email,
            {
                "organisation": organisation,
                "edition": participation.edition,
                "link": new_link(participation, base_url),
                "started": participation.started_at is not None,
            },
        )
        participation.reminded_at = timezone.now()
        participation.invited_at = participation.invited_at or participation.reminded_at
        participation.save(update_fields=["reminded_at", "invited_at"])
    return True


def invite_all(edition: Edition, base_url: str, reminder: bool = False) -> int:
    """Invite every organisation not invited yet (or remind every one not submitted)."""
    count = 0
    for participation in edition.participations.select_related("organisation", "edition"):
        if reminder:
            count += remind(participation, base_url)
        elif participation.invited_at is None:
            count += invite(participation, base_url)
    return count


def invite_member(organisation: Organisation, email: str, base_url: str) -> MemberInvitation:
    """Invite a person to become a member of an organisation (an account with a password);
    an earlier invitation of the same address to the same organisation stops working."""
    with transaction.atomic():  # a failed e-mail keeps the earlier invitation
        now = timezone.now()
        MemberInvitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at=None, expires_at__gt=now
        ).update(expires_at=now)
        invitation, token = MemberInvitation.create(organisation, email)
        _send(
            "member_invitation",
            email,
            {
                "organisation": organisation,
                "link": f"{base_url.rstrip('/')}/accounts/join/{token}/",
                "days": (invitation.expires_at - invitation.created_at).days,
            },
        )
    return invitation


def member_invitation_for_token(token: str) -> MemberInvitation | None:
    if not plausible(token):
        return None
    invitation = MemberInvitation.objects.filter(token_hash=hash_token(token)).first()
    return invitation if invitation is not None and invitation.usable else None


def accept_member_invitation(invitation: MemberInvitation, username: str, password: str):
    """Create the member's account and membership; the invitation cannot be used again."""
    User = get_user_model()
    with transaction.atomic():
        invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.usable:
            raise ActionError(_("This invitation has been used or has expired."))
        if User.objects.filter(username__iexact=username).exists():
            raise ActionError(_("That username is taken; choose another."))
        user = User.objects.create_user(username=username, email=invitation.email)
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, organisation=invitation.organisation)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# -- answers -------------------------------------------------------------------------------


@dataclass
class Saved:
    """The outcome of saving one answer."""

    ok: bool
    version: int
    conflict: bool = False
    changed: bool = False


def answers_of_participation(participation: Participation) -> dict[str, Answer]:
    return {answer.item_key: answer for answer in participation.answers.all()}


def save_answer(
    participation: Participation,
    item_key: str,
    value: Any,
    other: str,
    seen_version: int,
    by: str,
    original: Any = None,
) -> Saved:
    """Save one answer if nobody changed it since the version the page showed.

    ``seen_version`` is the answer's version when the page was loaded (0: no answer yet).
    When a colleague saved the item since, the save is refused as a conflict, unless the
    two answers are the same, or ``original`` (what the page showed) equals the new value:
    then this person did not change the item, and the colleague's answer stands.
    """
    if participation.locked or not participation.edition.is_open:
        raise ActionError(_("The answers are locked."))
    now = timezone.now()
    current = participation.answers.filter(item_key=item_key).first()
    if current is not None and current.value == value and current.other == other:
        return Saved(ok=True, version=current.version)
    if current is None and value is None and not other:
        return Saved(ok=True, version=0)
    current_version = current.version if current is not None else 0
    if current_version != seen_version:
        if original is not None and original == [value, other]:
            return Saved(ok=True, version=current_version)
        return Saved(ok=False, version=current_version, conflict=True)
    with transaction.atomic():
        if current is None:
            try:
                with transaction.atomic():
                    Answer.objects.create(
                        participation=participation,
                        item_key=item_key,
                        value=value,
                        other=other,
                        version=1,
                        updated_at=now,
                        updated_by=by,
                    )
            except IntegrityError:  # a colleague's first answer came in just before
                latest = participation.answers.get(item_key=item_key)
                return Saved(ok=False, version=latest.version, conflict=True)
            version = 1
        else:
            updated = Answer.objects.filter(pk=current.pk, version=seen_version).update(
                value=value,
                other=other,
                version=F("version") + 1,
                updated_at=now,
                updated_by=by,
            )
            if not updated:
                latest = participation.answers.get(item_key=item_key)
                return Saved(ok=False, version=latest.version, conflict=True)
            version = seen_version + 1
        if participation.started_at is None:
            Participation.objects.filter(pk=participation.pk, started_at=None).update(
                started_at=now
            )
            participation.started_at = now
    return Saved(ok=True, version=version, changed=True)


def participation_row(participation: Participation, answers: dict[str, Answer] | None = None):
    edition = participation.edition
    instrument = edition.instrument()
    answers = answers if answers is not None else answers_of_participation(participation)
    meta = {
        "org_id": participation.organisation.org_id,
        "org_name": participation.organisation.name,
        "edition": edition.edition_label,
        "instrument_version": instrument.version,
    }
    values = {key: answer.value for key, answer in answers.items()}
    others = {key: answer.other for key, answer in answers.items() if answer.other}
    return row_for(meta, values, others, instrument)


@dataclass
class Check:
    """Items that stop a submission: item key -> ``required`` or ``invalid``."""

    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_participation(participation: Participation) -> Check:
    """The library's validation of this organisation's answers, by item."""
    instrument = participation.edition.instrument()
    row = participation_row(participation)
    result = table_of([row], instrument)
    from ismonitor.study.columns import columns_by_name

    by_name = columns_by_name(instrument)
    check = Check()
    for problem in result.problems:
        column = by_name.get(problem.column or "")
        if column is None or column.item is None:
            continue
        key = column.item.key
        answered = any(c == key or c.startswith(f"{key}__") for c in row if row[c] is not None)
        kind = "required" if column.item.required and not answered else "invalid"
        check.problems.setdefault(key, kind)
    return check


def submit(participation: Participation) -> Check:
    """Submit the answers when they pass the check; they are locked from then on."""
    check = check_participation(participation)
    if check.ok:
        with transaction.atomic():
            participation.submitted_at = timezone.now()
            participation.started_at = participation.started_at or participation.submitted_at
            participation.locked = True
            participation.save(update_fields=["submitted_at", "started_at", "locked"])
    return check


def reopen(participation: Participation) -> None:
    """Unlock submitted answers so the organisation can change them (and submit again)."""
    participation.locked = False
    participation.submitted_at = None
    participation.save(update_fields=["locked", "submitted_at"])


# -- the responses table: export and import --------------------------------------------------


def responses_table(edition: Edition, submitted_only: bool = True):
    """The edition's answers as the library's validated responses table."""
    participations = edition.participations.select_related("organisation", "edition")
    if submitted_only:
        participations = participations.exclude(submitted_at=None)
    answers: dict[int, dict[str, Answer]] = {}
    for answer in Answer.objects.filter(participation__in=participations):
        answers.setdefault(answer.participation_id, {})[answer.item_key] = answer
    rows = [participation_row(p, answers.get(p.pk, {})) for p in participations]
    return table_of(rows, edition.instrument())


def data_version(edition: Edition) -> str:
    """Changes whenever an answer or a submission of the edition changes (for caches)."""
    answers = Answer.objects.filter(participation__edition=edition).aggregate(
        latest=Max("updated_at")
    )
    submitted = edition.participations.exclude(submitted_at=None).aggregate(
        latest=Max("submitted_at")
    )
    count = edition.participations.exclude(submitted_at=None).count()
    return fingerprint(edition.pk, edition.status, answers["latest"], submitted["latest"], count)


EXPORT_FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "sav": ".sav", "parquet": ".parquet"}


def export_responses(edition: Edition, fmt: str, lang: str = "nl") -> Path:
    """The submitted answers written to a temporary file in ``fmt`` (csv, xlsx, sav, parquet)."""
    if fmt not in EXPORT_FORMATS:
        raise ActionError(_("Unknown file type %(fmt)s.") % {"fmt": fmt})
    instrument = edition.instrument()
    table = responses_table(edition).table
    folder = Path(tempfile.mkdtemp(prefix="ismonitor-export-"))
    path = folder / f"responses-{edition.year}-{edition.pk}{EXPORT_FORMATS[fmt]}"
    return write(table, path, instrument, lang)


def import_responses(edition: Edition, path: Path, name: str) -> int:
    """Load a responses file gathered elsewhere: every row becomes a submitted participation.

    All or nothing: a file with any problem is refused with every problem listed, and an
    organisation's earlier answers in this edition are replaced only when the whole file is
    good.
    """
    instrument = edition.instrument()
    try:
        result = check_file(path, instrument)
    except ResponsesFileError as exc:
        raise ActionError(str(exc).replace(str(path), name)) from None
    if result.problems:
        error = ResponsesError(name, result.problems)
        raise ActionError(
            _("The file has %(count)s problems; nothing was imported.")
            % {"count": len(result.problems)},
            str(error).splitlines()[1:],
        )
    return load_table(edition, result.table)


def load_table(edition: Edition, table) -> int:
    """Store a validated responses table as submitted, locked participations."""
    instrument = edition.instrument()
    now = timezone.now()
    with transaction.atomic():
        count = 0
        for row in table.to_dict("records"):
            org_id = str(row["org_id"])
            name = row.get("org_name") or org_id
            answers = stored_answers(row, instrument)
            organisation, _created = Organisation.objects.get_or_create(
                org_id=org_id, defaults={"name": name}
            )
            changed = False
            for attribute in ("sector", "size_class"):
                value = answers.get(attribute, (None, ""))[0]
                if value and not getattr(organisation, attribute):
                    setattr(organisation, attribute, value)
                    changed = True
            if changed:
                organisation.save()
            participation, _created = Participation.objects.get_or_create(
                edition=edition, organisation=organisation
            )
            participation.answers.all().delete()
            Answer.objects.bulk_create(
                Answer(
                    participation=participation,
                    item_key=key,
                    value=value,
                    other=other,
                    updated_at=now,
                    updated_by="import",
                )
                for key, (value, other) in answers.items()
            )
            participation.started_at = participation.started_at or now
            participation.submitted_at = now
            participation.locked = True
            participation.imported = True
            participation.save()
            count += 1
    return count
