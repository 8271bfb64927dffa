"""Recruiter forms: applicant registration, job postings with questions, settings, members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from applicants import fields as applicant_fields
from applicants.models import Applicant, Company, JobPosting, Membership, Question, validate_deadline_change
from applicants.selectors import email_registered


class ApplicantForm(forms.ModelForm):
    """One applicant, by the same rules as a CSV row and the API (applicants.fields)."""

    class Meta:
        model = Applicant
        fields = list(applicant_fields.NAMES)
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, company: Company, job_posting: JobPosting | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.company = company
        self.job_posting = job_posting
        for spec in applicant_fields.FIELDS:
            if spec.cleans_text:
                # Text as typed: the field's own cleaner decides (full-width digits, 2003/1/3, …).
                self.fields[spec.name] = forms.CharField(
                    label=spec.label,
                    max_length=spec.input_max_length or spec.max_length or None,
                    required=not spec.model_field.blank,
                )
                if self.instance.pk:
                    value = getattr(self.instance, spec.name)
                    self.initial[spec.name] = "" if value is None else value
        for n in (1, 2, 3):
            self.fields[f"free_area_{n}"].label = company.free_area_label(n)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            try:
                data[name] = applicant_fields.clean_input(name, value)
            except ValidationError as exc:
                self.add_error(name, exc)
        email = data.get("email")
        posting = self.job_posting or (self.instance.job_posting if self.instance.job_posting_id else None)
        if (
            email
            and posting is not None
            and email_registered(job_posting_id=posting.pk, email=email, exclude_pk=self.instance.pk)
        ):
            self.add_error("email", _("This email address is already registered for this job posting."))
        return data


class JobPostingChoiceForm(forms.Form):
    job_posting = forms.ModelChoiceField(queryset=JobPosting.objects.none(), label=_("job posting"))

    def __init__(self, *args: Any, company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["job_posting"].queryset = JobPosting.objects.filter(company=company)  # type: ignore[attr-defined]


class JobPostingForm(forms.ModelForm):
    class Meta:
        model = JobPosting
        fields = ["title", "instructions", "practice_question", "deadline", "is_open"]
        widgets = {
            "deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "instructions": forms.Textarea(attrs={"rows": 4}),
            "practice_question": forms.Textarea(attrs={"rows": 2}),
        }

    # On an existing posting: a later deadline reopens its 期限切れ applicants; tell them with D06?
    notify_reopened = forms.BooleanField(
        label=_("If a later deadline reopens expired applicants, tell them by email (D06 Deadline extended)"),
        required=False,
    )
    # Shown once a changed deadline turns out to be in the past (validate_deadline_change).
    confirm_past_deadline = forms.BooleanField(
        label=_("Yes, set a deadline that has already passed"), required=False
    )

    def __init__(self, *args: Any, company: Company | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        if company is not None:
            # The hint sits with the field it is about.
            hint = _("In %(tz)s, the company's time zone.")
            self.fields["deadline"].help_text = hint % {"tz": company.timezone}
        self.needs_confirmation = bool(self.data.get("confirm_past_deadline"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deadline = data.get("deadline")
        if deadline is not None:
            current = self.instance.deadline if self.instance.pk else None
            try:
                validate_deadline_change(
                    deadline=deadline, current=current, confirmed=bool(data.get("confirm_past_deadline"))
                )
            except ValidationError as exc:
                self.add_error("deadline", exc)
                self.needs_confirmation = exc.code == "deadline_past_unconfirmed"
        return data


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "preparation_seconds", "answer_seconds", "max_takes"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The browser enforces the model's limits too (answer ≥ 10 s, takes ≥ 1, …), not only the server.
        for name, field in self.fields.items():
            model_field = Question._meta.get_field(name)
            for validator in getattr(model_field, "validators", []):
                if isinstance(validator, MinValueValidator):
                    field.widget.attrs["min"] = validator.limit_value
                elif isinstance(validator, MaxValueValidator):
                    field.widget.attrs["max"] = validator.limit_value


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=0, can_delete=True, min_num=1, validate_min=True, max_num=30, validate_max=True
)


class ApplicationSettingsForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "free_area_1_label",
            "free_area_2_label",
            "free_area_3_label",
            "timezone",
            "language",
            "reply_to_email",
            "video_retention_days",
        ]


class MemberCreateForm(forms.Form):
    username = forms.CharField(label=_("login ID"), max_length=150)
    email = forms.EmailField(label=_("email address"))
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput, min_length=10)
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This login ID is already taken."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(data["password"], user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices)


class DeadlineExtendForm(forms.Form):
    """期限延長 of one applicant (applicant page); the same fields as まとめて処理モード's."""

    deadline = forms.DateTimeField(
        label=_("New deadline"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notify = forms.BooleanField(label=_("Tell them by email (D06 Deadline extended)"), required=False)

    def __init__(self, *args: Any, company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = _("In %(tz)s, the company's time zone.") % {
            "tz": company.timezone
        }
