"""REST API of the CSV import (docs/product.md §9): upload and validate, look, confirm."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from applicants.models import JobPosting
from applicants.permissions import (
    CompanyScopedModelSerializer,
    CompanyScopedSerializer,
    CsvUploadEnabled,
    api_company,
)
from imports import selectors, services
from imports.errors import ignored_columns_message
from imports.forms import ImportUploadForm
from imports.models import ApplicantImport


class ImportErrorSerializer(CompanyScopedSerializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class CountsSerializer(CompanyScopedSerializer):
    new = serializers.IntegerField()
    update = serializers.IntegerField()  # type: ignore[assignment]
    skipped = serializers.IntegerField()
    error = serializers.IntegerField()


class ImportOutputSerializer(CompanyScopedModelSerializer):
    counts = CountsSerializer(read_only=True)
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    ignored_columns = serializers.SerializerMethodField()

    class Meta:
        model = ApplicantImport
        fields = [
            "id",
            "status",
            "progress",
            "counts",
            "errors",
            "errors_truncated",
            "ignored_columns",
            "job_posting",
            "file_name",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema(responses=ImportErrorSerializer(many=True))
    def get_errors(self, obj: ApplicantImport) -> list[dict[str, Any]]:
        return obj.rendered_errors()

    def get_ignored_columns(self, obj: ApplicantImport) -> list[str]:
        return list(obj.ignored_columns)


class ImportInputSerializer(CompanyScopedSerializer):
    file = serializers.FileField()
    job_posting = serializers.PrimaryKeyRelatedField(queryset=JobPosting.objects.all())  # scoped by the base

    def validate_file(self, value: Any) -> Any:
        form = ImportUploadForm(files={"file": value}, company=api_company(self.context["request"]))
        form.fields = {"file": form.fields["file"]}
        if not form.is_valid():
            raise serializers.ValidationError([str(error) for error in form.errors["file"]])
        return value


class ApplicantImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CSV uploads of the token's company; 403 while the company's CSV upload is off."""

    permission_classes = [CsvUploadEnabled]
    serializer_class = ImportOutputSerializer
    parser_classes = [MultiPartParser, FormParser]

    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[ApplicantImport]:
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return ApplicantImport.objects.none()
        return selectors.import_list(company=api_company(self.request))

    @extend_schema(request=ImportInputSerializer, responses={201: ImportOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a CSV for a job posting; it is validated (a dry run) — small files at once, large ones
        in the background (poll until `status` leaves `validating`)."""
        serializer = ImportInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        applicant_import = services.applicant_import_create(
            job_posting=serializer.validated_data["job_posting"],
            file=upload,
            file_name=upload.name,
            by=request.user,
        )
        data = ImportOutputSerializer(applicant_import).data
        if applicant_import.ignored_columns:
            data["detail"] = ignored_columns_message(applicant_import.ignored_columns)
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ImportOutputSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Import a validated upload (all or nothing); poll until `status` is `done`."""
        applicant_import = self.get_object()
        try:
            applicant_import = services.applicant_import_confirm(
                applicant_import=applicant_import, by=request.user
            )
        except services.ImportNotConfirmable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        applicant_import.refresh_from_db()
        return Response(ImportOutputSerializer(applicant_import).data, status=status.HTTP_202_ACCEPTED)
