"""REST API of the sharing app: evaluations of an applicant and the share URL CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.permissions import (
    CompanyScopedModelSerializer,
    CompanyScopedSerializer,
    ShareUrlEnabled,
    api_company,
)
from applicants.selectors import applicant_get
from interviewmaker import csvfiles
from sharing import selectors, services
from sharing.models import Evaluation, ShareUrlExport


class EvaluationValueSerializer(CompanyScopedSerializer):
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


class EvaluationSerializer(CompanyScopedModelSerializer):
    im_id = serializers.IntegerField(source="applicant.im_id", read_only=True)
    values = EvaluationValueSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "im_id", "reviewer_name", "sheet_name", "values", "created_at", "updated_at"]


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
