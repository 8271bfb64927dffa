"""Forms: the reviewer's evaluation, the posting's evaluation sheet, the company's sharing settings,
reviewers (面接官) and their assignments, the recruiter's digest choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from applicants.models import Company
from sharing.models import Evaluation, EvaluationItem, EvaluationSheet, Reviewer, SharingSettings


class EvaluationForm(forms.Form):
    """One field per item of the sheet, named item_<id>, plus the reviewer's name."""

    reviewer_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={"required": _("Enter your name so that recruiters know who evaluated.")},
    )

    # The form's one-time key: posting the same form twice stores one evaluation.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sheet: EvaluationSheet, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.items = list(sheet.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = self._field_for(item)

    @staticmethod
    def _field_for(item: EvaluationItem) -> forms.Field:
        if item.kind == EvaluationItem.Kind.TEXT:
            return forms.CharField(
                label=item.label,
                required=item.required,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        return forms.ChoiceField(
            label=item.label,
            required=item.required,
            choices=[(c, c) for c in item.choices()],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose a rating.")},
        )

    def clean_reviewer_name(self) -> str:
        name = " ".join(self.cleaned_data["reviewer_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name so that recruiters know who evaluated."))
        return name

    def answers(self) -> dict[int, str]:
        return {item.pk: (self.cleaned_data.get(f"item_{item.pk}") or "").strip() for item in self.items}

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.pk}"] for item in self.items]


class QueueEvaluationForm(EvaluationForm):
    """The evaluation form of a reviewer's queue: no name to type (it is the reviewer's own) and no
    one-time key (a reviewer has one evaluation per applicant, so a second post changes it)."""

    def __init__(self, *args: Any, sheet: EvaluationSheet, **kwargs: Any):
        super().__init__(*args, sheet=sheet, **kwargs)
        del self.fields["reviewer_name"]
        del self.fields["submission"]


def evaluation_initial(evaluation: Evaluation) -> dict[str, Any]:
    """The form's values for editing a stored evaluation (items since removed from the sheet drop out)."""
    initial: dict[str, Any] = {"reviewer_name": evaluation.reviewer_name}
    for value in evaluation.values:
        initial[f"item_{value['item']}"] = value["value"]
    return initial


class SharingSettingsForm(forms.ModelForm):
    class Meta:
        model = SharingSettings
        fields = ["link_expiry_days", "evaluations_visibility"]
        widgets = {"evaluations_visibility": forms.RadioSelect}


class EvaluationSheetForm(forms.Form):
    name = forms.CharField(label=_("Sheet name"), max_length=100)


class EvaluationItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Item"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=EvaluationItem.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not live:
            raise forms.ValidationError(_("A sheet needs at least one item."))
        labels = [f.cleaned_data["label"].strip() for f in live]
        if len(set(labels)) != len(labels):
            raise forms.ValidationError(_("Each item needs a different name."))


EvaluationItemFormSet = formset_factory(
    EvaluationItemForm, formset=BaseItemFormSet, extra=1, can_delete=True, max_num=30, validate_max=True
)


class ReviewerForm(forms.Form):
    """A reviewer's name and address; the service cleans the address and refuses a duplicate."""

    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.CharField(label=_("Email address"), max_length=254)


class ReviewerChoiceForm(forms.Form):
    """Reviewers of the company to assign (a posting's, or a selection's in まとめて処理モード)."""

    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=Reviewer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Reviewer.objects.filter(company=company).order_by("name", "id")
        field.label_from_instance = lambda obj: f"{obj.name} <{obj.email}>"  # type: ignore[method-assign]


class ApplicantReviewerForm(forms.Form):
    """One reviewer to assign to one applicant (the applicant page)."""

    reviewer = forms.ModelChoiceField(label=_("Assigned reviewer"), queryset=Reviewer.objects.none())

    def __init__(self, *args: Any, company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Reviewer.objects.filter(company=company).order_by("name", "id")


class SubmissionDigestForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Email me a digest of newly submitted applicants (D08)"), required=False
    )
