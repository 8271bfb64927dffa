"""Forms of the messaging pages: template editor, switches, correct-and-resend, log filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applicants.normalize import clean_email
from messaging.models import Language, Message, MessageTemplate, MessagingSettings, TemplateCode
from messaging.rendering import placeholders_for, template_errors


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["language", "subject", "body", "html_body"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "class": "mono"}),
            "html_body": forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        }

    def _check(self, name: str) -> str:
        value: str = self.cleaned_data.get(name) or ""
        # The placeholders of the template's own code (D07/D08 have a reviewer's, not an applicant's).
        errors = template_errors(value, placeholders_for(self.instance.code))
        if errors:
            raise ValidationError(errors)
        return value

    def clean_subject(self) -> str:
        return self._check("subject")

    def clean_body(self) -> str:
        return self._check("body")

    def clean_html_body(self) -> str:
        return self._check("html_body")


class ResetForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.JA)


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = ["d05_enabled", "auto_reminder_enabled"]


class ResendForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)
    # A fresh nonce per rendered form: submitting the same form twice sends one message.
    nonce = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return clean_email(self.cleaned_data["email"])


class LogFilterForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Template"), required=False, choices=[("", _("All templates")), *TemplateCode.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Message.Status.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    applicant = forms.CharField(label=_("iM ID"), required=False, max_length=18)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start date must not be after the end date."))
        return data
