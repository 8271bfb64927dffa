"""Forms of まとめて処理モード: the selection posted from the list, the reminder settings."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applicants import pages
from applicants.models import JobPosting
from applicants.selectors import SEARCH_KEYS
from bulk.services import CSV_ENCODINGS, Selection
from interviewmaker.numbers import ascii_int

# Ticking is page by page; anything larger goes through "all matching this search".
MAX_TICKED = 10_000
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class SelectionForm(forms.Form):
    """A bulk action on ticked rows or on every applicant matching the search (query of the list)."""

    ANSWER_REQUEST = "answer_request"
    EXTEND = "extend"
    WITHDRAW = "withdraw"
    DOWNLOAD = "download"

    action = forms.ChoiceField(
        # Then the actions other apps carry out on a selection (applicants.pages.bulk_action_register).
        choices=lambda: [
            (SelectionForm.ANSWER_REQUEST, _("Send answer request")),
            (SelectionForm.EXTEND, _("Extend the deadline")),
            (SelectionForm.WITHDRAW, _("Set to withdrawn")),
            (SelectionForm.DOWNLOAD, _("Download in the upload format")),
            *pages.bulk_action_choices(),
        ],
        error_messages={"required": _("Choose what to do with the selection.")},
    )
    scope = forms.ChoiceField(choices=[("selected", _("Ticked applicants")), ("all", _("All matching"))])
    encoding = forms.ChoiceField(choices=list(CSV_ENCODINGS.items()), required=False)
    token = forms.CharField(required=False, max_length=32)
    send_again = forms.BooleanField(required=False)
    # 期限延長: the new deadline (the company's time zone) and whether D06 tells the applicants.
    deadline = forms.DateTimeField(
        label=_("New deadline"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notify = forms.BooleanField(label=_("Tell them by email (D06 Deadline extended)"), required=False)

    def __init__(self, data: Any, *args: Any, require_token: bool = False, **kwargs: Any):
        super().__init__(data, *args, **kwargs)
        self.raw_im_ids = data.getlist("im_id") if hasattr(data, "getlist") else []
        self.search = {k: str(data.get(k)) for k in (*SEARCH_KEYS, "sort") if data.get(k)}
        self.require_token = require_token

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token") or ""
        if self.require_token and not TOKEN.match(token):
            raise ValidationError(_("This confirmation has expired. Please check the selection again."))
        return token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        im_ids: list[int] = []
        if data.get("scope") == "selected":
            parsed = [ascii_int(v) for v in self.raw_im_ids if v]
            if None in parsed:
                raise ValidationError(_("The ticked applicants could not be read. Please tick them again."))
            im_ids = [im_id for im_id in parsed if im_id is not None]
            if not im_ids:
                raise ValidationError(
                    _("Tick at least one applicant, or choose all applicants matching this search.")
                )
            if len(im_ids) > MAX_TICKED:
                raise ValidationError(
                    _("Tick at most %(max)s applicants; use “all matching this search” for more.")
                    % {"max": MAX_TICKED}
                )
        data["selection"] = Selection.of(search=self.search, im_ids=im_ids)
        if self.require_token and data.get("action") == self.EXTEND and not data.get("deadline"):
            self.add_error("deadline", _("Enter the new deadline."))
        return data


class ReminderForm(forms.ModelForm):
    class Meta:
        model = JobPosting
        fields = ["auto_reminder_enabled", "auto_reminder_hours"]
        help_texts = {
            "auto_reminder_hours": _(
                "D04 goes once to the applicants still awaiting their answer, "
                "this many hours before the deadline."
            )
        }
