"""REST API of the sharing app: evaluations of an applicant, the share URL CSV, reviewers (面接官) and
their assignments."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.models import Applicant
from applicants.permissions import (
    CompanyScopedModelSerializer,
    CompanyScopedSerializer,
    ShareUrlEnabled,
    api_company,
)
from applicants.selectors import applicant_get, job_posting_get
from interviewmaker import csvfiles
from interviewmaker.numbers import ascii_int
from sharing import selectors, services
from sharing.models import Evaluation, Reviewer, ReviewerAssignment, ShareUrlExport


class EvaluationValueSerializer(CompanyScopedSerializer):
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


class EvaluationSerializer(CompanyScopedModelSerializer):
    im_id = serializers.IntegerField(source="applicant.im_id", read_only=True)
    values = EvaluationValueSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id", "im_id", "reviewer_name", "reviewer_id", "sheet_name", "values", "created_at", "updated_at",
        ]  # fmt: skip


class ApplicantEvaluationList(generics.ListAPIView):
    """Every evaluation of one applicant, oldest first."""

    serializer_class = EvaluationSerializer
    permission_classes = [ShareUrlEnabled]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        company = api_company(self.request)
        applicant = applicant_get(company=company, im_id=self.kwargs["im_id"])
        return selectors.evaluation_list(company=company, applicant=applicant).select_related("applicant")


class ShareUrlCsv(APIView):
    """The share URL CSV for ATS import; the same search parameters as GET /applicants/."""

    permission_classes = [ShareUrlEnabled]

    @extend_schema(
        parameters=[
            OpenApiParameter("job_posting", int),
            OpenApiParameter("status", str),
            OpenApiParameter("q", str),
            OpenApiParameter("encoding", str, enum=list(csvfiles.ENCODINGS), default="cp932"),
            OpenApiParameter(
                "columns",
                str,
                enum=["standard", "labels"],
                default="standard",
                description="labels: the free areas' columns named by the company's labels",
            ),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        encoding = request.query_params.get("encoding") or "cp932"
        if encoding not in csvfiles.ENCODINGS:
            return Response({"encoding": [_("Choose cp932 or utf-8.")]}, status=status.HTTP_400_BAD_REQUEST)
        result = services.share_url_export(
            company=api_company(request),
            user=request.user,
            params=request.query_params,
            encoding=encoding,
            via=ShareUrlExport.Via.API,
        )
        if result.stream is None:
            return Response(
                {
                    "detail": _(
                        "Some applicants have characters that CP932 cannot represent; "
                        "nothing was replaced. Request encoding=utf-8 instead."
                    ),
                    "rows": [
                        {"im_id": p.im_id, "column": p.column, "characters": p.characters}
                        for p in result.problems
                    ],
                    "problem_rows": result.problem_rows,
                },
                status=status.HTTP_409_CONFLICT,
            )
        response = StreamingHttpResponse(result.stream, content_type="text/csv")
        stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
        response["Content-Disposition"] = f'attachment; filename="share_urls_{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


# --- Reviewers and assignments --------------------------------------------------------------------


class ReviewerSerializer(CompanyScopedModelSerializer):
    email = serializers.CharField(max_length=254)
    review_url = serializers.CharField(read_only=True, help_text="Personal review link; empty once revoked")

    class Meta:
        model = Reviewer
        fields = ["id", "name", "email", "review_url", "link_created_at", "link_revoked_at", "created_at"]
        read_only_fields = ["id", "link_created_at", "link_revoked_at", "created_at"]


class ReviewerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The company's reviewers (面接官): name and address, no login; each has a personal review link."""

    serializer_class = ReviewerSerializer
    permission_classes = [ShareUrlEnabled]
    queryset = Reviewer.objects.none()
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Reviewer]:
        return selectors.reviewer_list(company=api_company(self.request))

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)  # type: ignore[arg-type]
        try:
            serializer.instance = services.reviewer_create(
                company=api_company(self.request),
                name=data["name"],
                email=data["email"],
                by=self.request.user,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        reviewer = serializer.instance
        assert isinstance(reviewer, Reviewer)
        data: dict[str, Any] = dict(serializer.validated_data)  # type: ignore[arg-type]
        try:
            services.reviewer_update(
                reviewer=reviewer,
                name=data.get("name", reviewer.name),
                email=data.get("email", reviewer.email),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    def perform_destroy(self, instance: Reviewer) -> None:
        services.reviewer_delete(reviewer=instance)

    @extend_schema(request=None, responses=ReviewerSerializer)
    @action(detail=True, methods=["post"], url_path="regenerate-link")
    def regenerate_link(self, request: Request, pk: str | None = None) -> Response:
        """A new review link (the old one dies at once), mailed to the reviewer with D07."""
        reviewer = services.reviewer_link_regenerate(reviewer=self.get_object(), by=request.user)
        return Response(ReviewerSerializer(reviewer).data)

    @extend_schema(request=None, responses=ReviewerSerializer)
    @action(detail=True, methods=["post"], url_path="revoke-link")
    def revoke_link(self, request: Request, pk: str | None = None) -> Response:
        """The review link stops working at once; regenerate-link issues a new one."""
        reviewer = services.reviewer_link_revoke(reviewer=self.get_object())
        return Response(ReviewerSerializer(reviewer).data)


class AssignmentSerializer(CompanyScopedModelSerializer):
    reviewer = serializers.IntegerField(source="reviewer_id", read_only=True)
    job_posting = serializers.IntegerField(source="job_posting_id", read_only=True, allow_null=True)
    applicant = serializers.IntegerField(source="applicant.im_id", read_only=True, allow_null=True)

    class Meta:
        model = ReviewerAssignment
        fields = ["id", "reviewer", "job_posting", "applicant", "created_at"]
        read_only_fields = fields


class AssignInputSerializer(CompanyScopedSerializer):
    reviewers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=100,
        help_text="Reviewer ids",
    )
    job_posting = serializers.IntegerField(
        required=False, min_value=1, help_text="Assign to every applicant of this posting, present and future"
    )
    applicants = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=10_000,
        help_text="Or to these applicants (iM採用ID)",
    )
    request_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{1,40}$",
        required=False,
        help_text="Sending the same request_id again assigns nothing new and mails no second D07",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("job_posting" in attrs) == ("applicants" in attrs):
            raise serializers.ValidationError(_("Give either job_posting or applicants."))
        return attrs


class ReviewerAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Assignments of reviewers to postings or applicants; `?reviewer=` filters. POST assigns (and mails
    each reviewer D07 once per request); DELETE unassigns."""

    serializer_class = AssignmentSerializer
    permission_classes = [ShareUrlEnabled]
    queryset = ReviewerAssignment.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[ReviewerAssignment]:
        assignments = selectors.assignment_list(company=api_company(self.request))
        reviewer = ascii_int(str(self.request.query_params.get("reviewer", "")))
        return assignments.filter(reviewer_id=reviewer) if reviewer is not None else assignments

    @extend_schema(parameters=[OpenApiParameter("reviewer", int, description="Reviewer id")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AssignInputSerializer, responses={201: AssignmentSerializer(many=True)})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        company = api_company(request)
        data = AssignInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)  # type: ignore[arg-type]
        reviewers = list(selectors.reviewer_list(company=company).filter(pk__in=values["reviewers"]))
        if len(reviewers) != len(set(values["reviewers"])):
            raise serializers.ValidationError({"reviewers": [_("Unknown reviewer.")]})
        key = f"api-{values.get('request_id') or uuid.uuid4().hex}"
        assignments = selectors.assignment_list(company=company).filter(reviewer__in=reviewers)
        if "job_posting" in values:
            posting = job_posting_get(company=company, pk=values["job_posting"])
            services.reviewers_assign_posting(
                job_posting=posting, reviewers=reviewers, key=key, by=request.user
            )
            assignments = assignments.filter(job_posting=posting)
        else:
            applicants = Applicant.objects.filter(company=company, im_id__in=values["applicants"])
            services.reviewers_assign_applicants(
                company=company, reviewers=reviewers, applicants=applicants, key=key, by=request.user
            )
            assignments = assignments.filter(applicant__in=applicants)
        return Response(AssignmentSerializer(assignments, many=True).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ReviewerAssignment) -> None:
        services.assignment_delete(assignment=instance)
