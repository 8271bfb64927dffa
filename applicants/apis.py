"""REST API for ATS integration: job postings and applicants, scoped to the token's company."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from applicants import fields as applicant_fields
from applicants import pages, selectors, services
from applicants.models import Applicant, JobPosting, Question, validate_deadline_change
from applicants.permissions import CompanyScopedModelSerializer, api_company
from applicants.services import ApplicantData

EMAIL_TAKEN = gettext_lazy("This email address is already registered for this job posting.")
EXTENSION_REFUSED = {
    "submitted": gettext_lazy("The applicant has submitted: there is no deadline to extend."),
    "withdrawn": gettext_lazy("The applicant has withdrawn: there is no deadline to extend."),
    "later": gettext_lazy("The applicant's deadline is already this late or later."),
}


class QuestionSerializer(CompanyScopedModelSerializer):
    class Meta:
        model = Question
        fields = ["text", "preparation_seconds", "answer_seconds", "max_takes"]


class JobPostingSerializer(CompanyScopedModelSerializer):
    questions = QuestionSerializer(many=True, required=False)
    confirm_past_deadline = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Set true to move an existing posting's deadline into the past (closes its interviews).",
    )
    notify_reopened = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=(
            "When a later deadline reopens expired (期限切れ) applicants, send them D06 (deadline extended)."
        ),
    )

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "title",
            "instructions",
            "practice_question",
            "deadline",
            "is_open",
            "questions",
            "confirm_past_deadline",
            "notify_reopened",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        confirmed = attrs.pop("confirm_past_deadline", False)
        deadline = attrs.get("deadline")
        if deadline is not None:
            current = self.instance.deadline if isinstance(self.instance, JobPosting) else None
            try:
                validate_deadline_change(deadline=deadline, current=current, confirmed=confirmed)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"deadline": exc.messages}) from None
        return attrs


class JobPostingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = JobPostingSerializer
    queryset = JobPosting.objects.none()  # for the schema; get_queryset scopes to the company
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[JobPosting]:
        return selectors.job_posting_list(company=api_company(self.request)).prefetch_related("questions")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        questions = data.pop("questions", [])
        data.pop("notify_reopened", None)
        serializer.instance = services.job_posting_save(
            company=api_company(self.request), posting=None, data=data, questions=questions
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        questions = data.pop("questions", None)
        serializer.instance = services.job_posting_save(
            company=api_company(self.request),
            posting=serializer.instance,
            data=data,
            questions=questions,
            notify_reopened=data.pop("notify_reopened", False),
            by=self.request.user,
        )


class ApplicantSerializer(CompanyScopedModelSerializer):
    job_posting = serializers.PrimaryKeyRelatedField(queryset=JobPosting.objects.all())  # scoped by the base
    interview_url = serializers.CharField(read_only=True)
    share_url = serializers.SerializerMethodField()
    deadline = serializers.DateTimeField(
        required=False,
        help_text=(
            "The applicant's own deadline (期限延長), null while the posting's applies. PATCH a later one to "
            "extend: an expired (期限切れ) applicant returns to awaiting (調整中)."
        ),
    )
    answer_deadline = serializers.DateTimeField(read_only=True, help_text="The deadline that applies.")
    notify = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="With `deadline`: send D06 (deadline extended) to the applicant.",
    )

    class Meta:
        model = Applicant
        fields = [
            "im_id",
            "job_posting",
            *applicant_fields.NAMES,
            "status",
            "deadline",
            "answer_deadline",
            "notify",
            "submitted_at",
            "created_via",
            "created_at",
            "interview_url",
            "share_url",
        ]
        read_only_fields = ["im_id", "status", "submitted_at", "created_via", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            self.fields["job_posting"].read_only = True
        for spec in applicant_fields.FIELDS:
            if spec.cleans_text:
                # Text as sent: the field's own cleaner decides (applicants.fields), as for a CSV cell.
                required = not spec.model_field.blank
                self.fields[spec.name] = serializers.CharField(
                    max_length=spec.input_max_length or spec.max_length or None,
                    required=required,
                    allow_blank=not required,
                    allow_null=spec.model_field.null,
                )
        # 共有用URL only while the company has the feature (docs/product.md §9).
        # The schema generator's fake view keeps the field documented.
        documenting = getattr(self.context.get("view"), "swagger_fake_view", False)
        if not documenting and (
            request is None or not request.user.is_authenticated or not api_company(request).share_url_enabled
        ):
            self.fields.pop("share_url", None)

    @extend_schema_field(
        {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "共有用URL (share URL feature only; null for a withdrawn applicant)",
        }
    )
    def get_share_url(self, obj: Applicant) -> str | None:
        # Attached by the view before serialising (applicants.pages.applicants_attach).
        link = getattr(obj, "share_link", None)
        return link.url if link else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        if "deadline" in attrs and self.instance is None:
            # A new applicant has the posting's deadline; 期限延長 is for registered ones.
            raise serializers.ValidationError(
                {"deadline": [gettext_lazy("Set a deadline by updating the applicant.")]}
            )
        for name, value in list(attrs.items()):
            if name in ("deadline", "notify"):
                continue
            try:
                attrs[name] = applicant_fields.clean_input(name, value)
            except DjangoValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        posting = attrs.get("job_posting") or getattr(self.instance, "job_posting", None)
        email = attrs.get("email")
        if posting is not None and email:
            exclude_pk = self.instance.pk if self.instance is not None else None
            if selectors.email_registered(job_posting_id=posting.pk, email=email, exclude_pk=exclude_pk):
                raise serializers.ValidationError({"email": EMAIL_TAKEN})
        return attrs


class ApplicantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ApplicantSerializer
    lookup_field = "im_id"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Applicant]:
        return selectors.applicant_search(company=api_company(self.request), params=self.request.query_params)

    @extend_schema(
        parameters=[
            OpenApiParameter("job_posting", int, description="Job posting id"),
            OpenApiParameter("status", str, enum=Applicant.Status.values),
            OpenApiParameter("q", str, description="Name, kana, email, iM ID, school or free areas"),
            OpenApiParameter("registered_from", OpenApiTypes.DATE, description="Registered on or after"),
            OpenApiParameter("registered_to", OpenApiTypes.DATE, description="Registered on or before"),
            OpenApiParameter("sort", str, enum=list(selectors.APPLICANT_SORTS)),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The list's search conditions; a malformed one is a 400 naming it, not a silent full list."""
        errors = selectors.applicant_search_conditions(request.query_params).errors
        if errors:
            raise serializers.ValidationError({"detail": list(errors)})
        return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page:
            pages.applicants_attach(company=api_company(self.request), applicants=page)
        return page

    def get_object(self) -> Applicant:
        applicant = super().get_object()
        pages.applicants_attach(company=api_company(self.request), applicants=[applicant])
        return applicant

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        posting = data.pop("job_posting")
        try:
            applicant = services.applicant_register_one(
                job_posting=posting,
                data=ApplicantData(email=data["email"], values=data),
                via=Applicant.CreatedVia.API,
            )
        except services.EmailAlreadyRegistered:
            return Response({"email": [EMAIL_TAKEN]}, status=status.HTTP_409_CONFLICT)
        pages.applicants_attach(company=posting.company, applicants=[applicant])
        return Response(self.get_serializer(applicant).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().update(request, *args, **kwargs)
        except services.EmailAlreadyRegistered:
            return Response({"email": [EMAIL_TAKEN]}, status=status.HTTP_409_CONFLICT)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("job_posting", None)
        notify = data.pop("notify", False)
        deadline = data.pop("deadline", None)
        applicant = serializer.instance
        assert isinstance(applicant, Applicant)
        with transaction.atomic():
            if data:
                services.applicant_update(applicant=applicant, data=data)
            if deadline is not None:
                self._extend(applicant, deadline=deadline, notify=notify)

    def _extend(self, applicant: Applicant, *, deadline: Any, notify: bool) -> None:
        try:
            result = services.applicants_deadline_extend(
                company=applicant.company,
                applicant_ids=[applicant.pk],
                deadline=deadline,
                notify=notify,
                by=self.request.user,
            )
        except services.DeadlineRefused as refused:
            raise serializers.ValidationError({"deadline": [str(refused)]}) from None
        if not result.extended:
            reason = next(iter(result.skipped), "")
            raise serializers.ValidationError({"deadline": [EXTENSION_REFUSED.get(reason, "")]})
        applicant.refresh_from_db()
