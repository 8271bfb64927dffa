"""REST API of bulk 回答依頼: POST /api/v1/answer-requests/, GET /api/v1/answer-requests/{id}/ and its
recipients, GET /api/v1/answer-requests/{id}/recipients/."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from applicants.models import Applicant, JobPosting
from applicants.permissions import CompanyScopedModelSerializer, CompanyScopedSerializer, api_company
from bulk import selectors, services
from bulk.models import AnswerRequest, AnswerRequestRecipient

MAX_IM_IDS = 100_000
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class AnswerRequestInputSerializer(CompanyScopedSerializer):
    job_posting = serializers.PrimaryKeyRelatedField(queryset=JobPosting.objects.all())  # scoped by the base
    im_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_empty=False,
        max_length=MAX_IM_IDS,
    )
    status = serializers.ChoiceField(choices=Applicant.Status.choices, required=False)
    send_again = serializers.BooleanField(
        default=False,
        help_text="Also send to applicants who got a D04 within the resend window "
        "(ANSWER_REQUEST_RESEND_HOURS, 24 by default); they are left out otherwise.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("im_ids" in attrs) == ("status" in attrs):
            raise ValidationError(
                {"detail": gettext_lazy("Give either im_ids or status, together with job_posting.")}
            )
        return attrs


class AnswerRequestSerializer(CompanyScopedModelSerializer):
    progress = serializers.IntegerField(source="percent", read_only=True)
    selected = serializers.IntegerField(source="selected_count", read_only=True)
    will_send = serializers.IntegerField(source="target_count", read_only=True)
    skipped = serializers.IntegerField(source="skipped_count", read_only=True)
    reminded_recently = serializers.IntegerField(source="recent_count", read_only=True)
    processed = serializers.IntegerField(source="processed_count", read_only=True)
    queued = serializers.IntegerField(source="queued_count", read_only=True)

    class Meta:
        model = AnswerRequest
        fields = [
            "id",
            "job_posting",
            "source",
            "state",
            "progress",
            "selected",
            "will_send",
            "skipped",
            "reminded_recently",
            "send_again",
            "processed",
            "queued",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class RecipientSerializer(CompanyScopedModelSerializer):
    im_id = serializers.IntegerField(source="applicant.im_id", read_only=True)
    email = serializers.EmailField(source="applicant.email", read_only=True)
    message_id = serializers.IntegerField(read_only=True, allow_null=True)
    message_status = serializers.SerializerMethodField(
        help_text="Delivery status of the D04 (messaging), null when none was queued."
    )
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = AnswerRequestRecipient
        fields = ["im_id", "email", "outcome", "reason", "message_id", "message_status", "at"]
        read_only_fields = fields

    def get_message_status(self, recipient: AnswerRequestRecipient) -> str | None:
        return recipient.message.status if recipient.message is not None else None


class AnswerRequestViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk D04 to a job posting's 調整中 applicants, by iM採用IDs or by status; sent in the background."""

    serializer_class = AnswerRequestSerializer
    http_method_names = ["get", "post", "head", "options"]

    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[AnswerRequest]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return AnswerRequest.objects.none()
        return AnswerRequest.objects.filter(company=api_company(self.request))

    @extend_schema(
        request=AnswerRequestInputSerializer,
        responses={201: AnswerRequestSerializer, 200: AnswerRequestSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Repeat a call with the same key to get the first request back; "
                "nothing is sent twice.",
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AnswerRequestInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        company = api_company(request)
        posting: JobPosting = data.validated_data["job_posting"]
        search = {"job_posting": str(posting.pk)}
        im_ids: list[int] = data.validated_data.get("im_ids", [])
        if im_ids:
            known = set(
                Applicant.objects.filter(company=company, job_posting=posting, im_id__in=im_ids).values_list(
                    "im_id", flat=True
                )
            )
            unknown = sorted(set(im_ids) - known)
            if unknown:
                shown = ", ".join(str(i) for i in unknown[:20]) + (" …" if len(unknown) > 20 else "")
                raise ValidationError(
                    {"im_ids": [_("Not applicants of this job posting: %(ids)s") % {"ids": shown}]}
                )
        else:
            search["status"] = data.validated_data["status"]
        answer_request, created = services.answer_request_create(
            company=company,
            selection=services.Selection.of(search=search, im_ids=im_ids),
            idempotency_key=f"api-{self._idempotency_key(request)}",
            by=request.user,
            source=AnswerRequest.Source.API,
            send_again=data.validated_data["send_again"],
        )
        return Response(
            AnswerRequestSerializer(answer_request).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        responses=RecipientSerializer(many=True),
        parameters=[
            OpenApiParameter("outcome", str, enum=AnswerRequestRecipient.Outcome.values),
            OpenApiParameter("reason", str, enum=AnswerRequestRecipient.Reason.values),
        ],
    )
    @action(detail=True, methods=["get"])
    def recipients(self, request: Request, pk: str | None = None) -> Response:
        """Every applicant of the request's selection: sent (with its D04's status) or skipped and why."""
        answer_request = self.get_object()
        outcome = request.query_params.get("outcome", "")
        reason = request.query_params.get("reason", "")
        errors = {}
        if outcome and outcome not in AnswerRequestRecipient.Outcome.values:
            errors["outcome"] = [_("Unknown outcome: %(value)s") % {"value": outcome[:50]}]
        if reason and reason not in AnswerRequestRecipient.Reason.values:
            errors["reason"] = [_("Unknown reason: %(value)s") % {"value": reason[:50]}]
        if errors:
            raise ValidationError(errors)
        rows = selectors.recipient_list(answer_request=answer_request, outcome=outcome, reason=reason)
        page = self.paginate_queryset(rows)
        if page is None:  # pagination switched off in the settings
            return Response(RecipientSerializer(rows, many=True, context={"request": request}).data)
        return self.get_paginated_response(
            RecipientSerializer(page, many=True, context={"request": request}).data
        )

    @staticmethod
    def _idempotency_key(request: Request) -> str:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return uuid.uuid4().hex
        if not IDEMPOTENCY_KEY.match(key):
            raise ValidationError(
                {"detail": _("The Idempotency-Key header must be 1–64 letters, digits or . _ : -")}
            )
        return key
