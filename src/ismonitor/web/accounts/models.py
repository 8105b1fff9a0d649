"""Who may see what: organisation members, and invitations to become one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tokens import new_token

INVITATION_DAYS = 14


def is_researcher(user) -> bool:
    """The researcher runs editions: a staff account (who also has the admin)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


class Membership(models.Model):
    """A person who answers for, and sees the results of, one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "editions.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class MemberInvitation(models.Model):
    """An invitation to become a member; only a hash of its token is kept."""

    organisation = models.ForeignKey(
        "editions.Organisation", on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")

    def __str__(self) -> str:
        return f"{self.email} @ {self.organisation}"

    @classmethod
    def create(cls, organisation, email: str) -> tuple[MemberInvitation, str]:
        """A new invitation and its token (shown once, in the e-mail)."""
        token, token_hash = new_token()
        invitation = cls.objects.create(
            organisation=organisation,
            email=email,
            token_hash=token_hash,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        return invitation, token

    @property
    def usable(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.expires_at
