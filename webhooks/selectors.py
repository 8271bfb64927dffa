"""Reads of the webhooks app, always within one company."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from applicants.models import Company
from webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, company: Company) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(company=company).order_by("id")


def endpoint_get(*, company: Company, pk: int | str) -> WebhookEndpoint:
    return get_object_or_404(endpoint_list(company=company), pk=pk)


def delivery_list(*, endpoint: WebhookEndpoint, status: str = "") -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-id")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get(*, company: Company, pk: int | str) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.filter(company=company), pk=pk)
