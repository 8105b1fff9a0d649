"""Forms of the accounts: setting a password when joining an organisation, and asking
for a link to choose a new one."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..mail import bilingual, deliver


class JoinForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        if one:
            try:
                password_validation.validate_password(one)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form (which answers the same whether or not the address has an account),
    with the portal's e-mail: Dutch and English, sent in the background outside tests."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        context = {
            **context,
            "link": f"{context['protocol']}://{context['domain']}{path}",
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        subject, body = bilingual(subject_template_name, email_template_name, context)
        message = EmailMessage(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, [to_email])
        deliver(message, background=settings.ISMONITOR_MAIL_IN_BACKGROUND)
