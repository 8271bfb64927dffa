"""REST API of the CSV import (docs/product.md §9): upload and validate, look, confirm."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
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
from imports.validation import ERROR, NEW, PREVIEW_ROWS, SKIPPED, UPDATE


class ImportErrorSerializer(CompanyScopedSerializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class CountsSerializer(CompanyScopedSerializer):
    new = serializers.IntegerField()
    update = serializers.IntegerField()  # type: ignore[assignment]
    skipped = serializers.IntegerField()
    error = serializers.IntegerField()


class PreviewRowSerializer(CompanyScopedSerializer):
    row = serializers.IntegerField(
        help_text="Row number in the file as Excel shows it (the header is row 1)."
    )
    kind = serializers.ChoiceField(
        choices=[NEW, UPDATE, SKIPPED, ERROR],
        help_text=(
            "What the import does with the row: `new` (registered, sent D03), `update` (the applicant "
            "`im_id` is updated, no mail), `skipped` (the email is registered already as `im_id`) or "
            "`error` (not imported; with `skip_error_rows` it is left out)."
        ),
    )
    im_id = serializers.IntegerField(
        allow_null=True,
        help_text="The iM採用ID updated or already registered; null for a new applicant (given on import).",
    )
    values = serializers.DictField(
        help_text=(
            "Each column of the file by applicant field name (`last_name`, `last_name_kana`, `email`, "
            "`phone`, `birth_date`, `graduation_year`, `free_area_1` …), normalised as it will be "
            "stored: kana NFKC (ﾔﾏﾀﾞ → ヤマダ), full-width digits ASCII, the email's domain lower-cased, "
            "dates ISO 8601, the year a number. Columns absent from the file are absent here (an update "
            "leaves them alone). For an `error` row, a refused cell is given as written."
        )
    )


class ImportOutputSerializer(CompanyScopedModelSerializer):
    counts = CountsSerializer(read_only=True)
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    ignored_columns = serializers.SerializerMethodField()
    preview_rows = PreviewRowSerializer(
        many=True,
        read_only=True,
        help_text=(
            f"The first {PREVIEW_ROWS} data rows of the file as they will be registered (after the "
            "import, as they were), in file order: what the recruiter checks before confirming."
        ),
    )
    skip_error_rows = serializers.BooleanField(
        read_only=True,
        help_text=(
            "True when the import was confirmed with `skip_error_rows`: only the rows without errors are "
            "imported, the `counts.error` rows listed in `errors` are left out."
        ),
    )

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
            "preview_rows",
            "skip_error_rows",
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


class ImportConfirmInputSerializer(CompanyScopedSerializer):
    skip_error_rows = serializers.BooleanField(
        default=False,
        help_text=(
            "「エラー行を除いて取り込む」: import an upload that has errors without its error rows (they "
            "are left out and stay listed in `errors`). Without it an upload with errors is refused "
            "(409): the import is all or nothing. Refused too when the errors were cut at 10,000 or "
            "no row could be registered."
        ),
    )


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

    @extend_schema(request=ImportConfirmInputSerializer, responses={202: ImportOutputSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Import a validated upload (all or nothing), or with `skip_error_rows` its rows without errors;
        poll until `status` is `done`."""
        applicant_import = self.get_object()
        serializer = ImportConfirmInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            applicant_import = services.applicant_import_confirm(
                applicant_import=applicant_import,
                by=request.user,
                skip_error_rows=serializer.validated_data["skip_error_rows"],
            )
        except services.ImportNotConfirmable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        applicant_import.refresh_from_db()
        return Response(ImportOutputSerializer(applicant_import).data, status=status.HTTP_202_ACCEPTED)
