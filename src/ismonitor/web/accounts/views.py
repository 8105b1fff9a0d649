"""Log in (rate-limited by django-axes), log out, join an organisation by invitation, and
choose a new password by a link sent to the account's e-mail address."""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..editions.actions import ActionError, accept_member_invitation, member_invitation_for_token
from ..tokens import invalid_link
from . import limits
from .forms import JoinForm, PasswordResetForm

logger = logging.getLogger(__name__)

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", redirect_authenticated_user=True
)


@require_POST
def logout(request):
    auth.logout(request)
    return redirect("portal:home")


def join(request, token: str):
    invitation = member_invitation_for_token(token)
    if invitation is None:  # unknown, used, expired or replaced: a page that says so (404)
        return invalid_link(request, "join")
    form = JoinForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_member_invitation(
                invitation, form.cleaned_data["username"], form.cleaned_data["password1"]
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome. You are now a member of %(organisation)s.")
                % {"organisation": invitation.organisation.name},
            )
            return redirect("portal:home")
    return render(
        request, "accounts/join.html", {"form": form, "organisation": invitation.organisation}
    )


# -- a forgotten password: Django's views with the portal's templates ------------------------

RESET_WINDOW = 60 * 60
"""The rate limits of asking for a reset link count per hour."""


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link by e-mail address. Every valid request gets the same answer (the
    "check your e-mail" page), whether or not an account has the address, and the e-mail
    goes out in the background, so neither the page nor its timing tells."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        # per network address: an answer that says so (it tells nothing about any account)
        address = get_client_ip_address(request) or "unknown"
        if not limits.allow(f"reset-ip:{address}", settings.ISMONITOR_RESET_PER_IP, RESET_WINDOW):
            return render(request, "accounts/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # per e-mail address: the usual answer, but no more e-mails (nobody's inbox flooded)
        email = form.cleaned_data["email"].strip().lower()
        if not limits.allow(
            f"reset-email:{email}", settings.ISMONITOR_RESET_PER_EMAIL, RESET_WINDOW
        ):
            logger.warning("password reset: too many requests for one address, none sent")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the e-mail: choose a new password. The link works once (its token is
    made from the password it replaces) and for PASSWORD_RESET_TIMEOUT."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # whoever was locked out for wrong passwords may log in with the new one at once
        reset_login_failures(username=form.user.get_username())
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
