"""Log in (rate-limited by django-axes), log out, and join an organisation by invitation."""

from __future__ import annotations

from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..editions.actions import ActionError, accept_member_invitation, member_invitation_for_token
from ..tokens import invalid_link
from .forms import JoinForm

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
