"""`/api/v1/webhook-endpoints/`: endpoints (company administrators), their deliveries, redelivery."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from applicants.permissions import CompanyScopedModelSerializer, WritesNeedAdmin, api_company
from interviewmaker.numbers import ascii_int
from webhooks import security, selectors, services
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint


class EndpointSerializer(CompanyScopedModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), allow_empty=False, help_text="Events to receive"
    )
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (whsec_…): only in the response that creates the endpoint or rotates it"
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "enabled", "disabled_reason", "created_at", "secret"]
        read_only_fields = ["id", "disabled_reason", "created_at"]

    def get_secret(self, obj: WebhookEndpoint) -> str | None:
        return obj.secret if self.context.get("show_secret") else None

    def validate_url(self, value: str) -> str:
        try:
            security.check_url(value)
        except security.UrlRefused as refused:
            raise serializers.ValidationError(str(refused)) from None
        return value


class DeliverySerializer(CompanyScopedModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "next_attempt_at", "last_attempt_at",
            "last_status_code", "last_response", "last_error", "created_at", "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields


class EndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook endpoints of the company; changing them needs an administrator's token."""

    serializer_class = EndpointSerializer
    permission_classes = [WritesNeedAdmin]
    queryset = WebhookEndpoint.objects.none()
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.endpoint_list(company=api_company(self.request))

    def _save(
        self, serializer: serializers.BaseSerializer, endpoint: WebhookEndpoint | None
    ) -> WebhookEndpoint:
        data: dict[str, Any] = dict(serializer.validated_data)  # type: ignore[arg-type]
        current = endpoint
        return services.endpoint_save(
            company=api_company(self.request),
            endpoint=endpoint,
            url=data.get("url", current.url if current else ""),
            events=data.get("events", current.events if current else []),
            enabled=data.get("enabled", current.enabled if current else True),
            description=data.get("description", current.description if current else ""),
            by=self.request.user,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = self._save(serializer, None)
        data = EndpointSerializer(
            endpoint, context={**self.get_serializer_context(), "show_secret": True}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        assert isinstance(serializer.instance, WebhookEndpoint)
        serializer.instance = self._save(serializer, serializer.instance)

    @extend_schema(request=None, responses=EndpointSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """A new secret; the old one keeps signing beside it for WEBHOOK_SECRET_OVERLAP_HOURS."""
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(
            EndpointSerializer(endpoint, context={**self.get_serializer_context(), "show_secret": True}).data
        )

    @extend_schema(
        responses=DeliverySerializer(many=True),
        parameters=[OpenApiParameter("status", str, enum=WebhookDelivery.Status.values)],
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The endpoint's delivery log, newest first."""
        status_filter = str(request.query_params.get("status", ""))
        deliveries = selectors.delivery_list(endpoint=self.get_object(), status=status_filter)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deliveries of every endpoint of the company, newest first (`?endpoint=` and `?status=` filter)."""

    serializer_class = DeliverySerializer
    permission_classes = [WritesNeedAdmin]
    queryset = WebhookDelivery.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        deliveries = WebhookDelivery.objects.filter(company=api_company(self.request)).order_by("-id")
        endpoint = ascii_int(str(self.request.query_params.get("endpoint", "")))
        if endpoint is not None:
            deliveries = deliveries.filter(endpoint_id=endpoint)
        status_filter = self.request.query_params.get("status")
        if status_filter in WebhookDelivery.Status.values:
            deliveries = deliveries.filter(status=status_filter)
        return deliveries

    @extend_schema(
        parameters=[
            OpenApiParameter("endpoint", int, description="Webhook endpoint id"),
            OpenApiParameter("status", str, enum=WebhookDelivery.Status.values),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        """Send a delivered or failed delivery again: a new delivery with the same body, queued last."""
        again = services.delivery_redeliver(delivery=self.get_object())
        return Response(DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
