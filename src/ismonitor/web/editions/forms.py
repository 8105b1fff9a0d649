"""The researcher's forms: they read and check input; the actions do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ismonitor.instrument import bundled
from ismonitor.study.pulse import INSTRUMENT as PULSE_INSTRUMENT

from .models import Edition

MAX_UPLOAD = 20 * 1024 * 1024


class EditionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    instrument_name = forms.ChoiceField(
        label=_("Bundled instrument"),
        required=False,
        help_text=_("Or upload an instrument of your own below."),
    )
    instrument_file = forms.FileField(
        label=_("Instrument file (YAML)"),
        required=False,
        help_text=_("The format is described in docs/instrument.md."),
    )
    dashboard_visibility = forms.ChoiceField(
        label=_("Organisations see their dashboard"), choices=Edition.Visibility.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the employees' pulse survey is run by an organisation, never as an edition
        names = [n for n in bundled() if n != PULSE_INSTRUMENT]
        self.fields["instrument_name"].choices = [("", "-")] + [(n, n) for n in names]

    def clean(self):
        data = super().clean()
        upload = data.get("instrument_file")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("instrument_file", _("The file is too large."))
                return data
            try:
                data["instrument_yaml"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("instrument_file", _("The file is not UTF-8 text."))
        else:
            data["instrument_yaml"] = ""
        if bool(data.get("instrument_name")) == bool(data.get("instrument_yaml")):
            raise forms.ValidationError(_("Choose a bundled instrument or upload one, not both."))
        return data


class OrganisationForm(forms.Form):
    org_id = forms.CharField(label=_("Organisation id"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Contact e-mail address"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class BuildForm(forms.Form):
    lang = forms.ChoiceField(
        label=_("Language of the report"), choices=[("nl", "Nederlands"), ("en", "English")]
    )
