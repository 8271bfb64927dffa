"""The endpoint form of 応募設定 → Webhooks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import security
from webhooks.models import Event, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Your ATS's receiving URL (https). Each delivery is signed; see the secret below."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("events", [Event.APPLICANT_REGISTERED, Event.APPLICANT_SUBMITTED])

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            security.check_url(url)
        except security.UrlRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url
