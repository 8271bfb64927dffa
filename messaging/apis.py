"""REST API: the message log and the message templates, scoped to the token's company."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applicants.permissions import (
    CompanyScopedModelSerializer,
    CompanyScopedSerializer,
    WritesNeedAdmin,
    api_company,
)
from messaging import selectors, services
from messaging.models import Language, Message


class MessageOutputSerializer(CompanyScopedModelSerializer):
    # None for mail to a reviewer or a recruiter (D07, D08).
    applicant = serializers.IntegerField(source="applicant.im_id", allow_null=True)
    template = serializers.CharField(source="template_code")

    class Meta:
        model = Message
        fields = [
            "id",
            "applicant",
            "template",
            "to",
            "subject",
            "body",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "event_at",
        ]


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`GET /messages/?applicant=<iM採用ID>&template=D03&status=&date_from=&date_to=`"""

    serializer_class = MessageOutputSerializer
    queryset = Message.objects.none()  # for the schema; get_queryset scopes to the company
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.message_search(company=api_company(self.request), params=self.request.query_params)


class TemplateSerializer(CompanyScopedSerializer):
    code = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.JA)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    html_body = serializers.CharField(max_length=50000, required=False, allow_blank=True, default="")
    is_default = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    def get_is_default(self, obj: Any) -> bool:
        return obj.pk is None


class MessageTemplateView(APIView):
    """`GET/PUT /message-templates/{code}/`: PUT refuses unknown or malformed placeholders by name."""

    serializer_class = TemplateSerializer
    permission_classes = [WritesNeedAdmin]

    def get(self, request: Request, code: str) -> Response:
        template = selectors.template_get(company=api_company(request), code=code)
        return Response(TemplateSerializer(template).data)

    def put(self, request: Request, code: str) -> Response:
        company = api_company(request)
        selectors.template_get(company=company, code=code)
        serializer = TemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            template = services.template_save(
                company=company, code=code, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(TemplateSerializer(template).data)
