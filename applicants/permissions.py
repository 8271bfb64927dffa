"""DRF permissions: a recruiter's token, scoped to its company; feature flags answer 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from applicants.models import Company, Membership


def api_company(request: Request) -> Company:
    membership: Membership = request.user.membership  # type: ignore[union-attr]
    return membership.company


def _request_company(request: Request | None) -> Company | None:
    if request is None or not request.user.is_authenticated:
        return None
    try:
        return api_company(request)
    except Membership.DoesNotExist:  # an operator without a company
        return None


def company_rows(queryset: QuerySet[Any], company: Company | None) -> QuerySet[Any]:
    """The rows of `queryset` that belong to `company` (none without one)."""
    model = queryset.model
    if company is None:
        return queryset.none()
    if model is Company:
        return queryset.filter(pk=company.pk)
    if model is get_user_model():
        return queryset.filter(membership__company=company)
    if any(field.name == "company" for field in model._meta.get_fields()):
        return queryset.filter(company=company)
    raise ImproperlyConfigured(f"{model.__name__} has no company: scope its API field by hand")


class CompanyScopedSerializer(serializers.Serializer):
    """Every related field offers and accepts only the requesting company's rows.

    The browsable API renders a related field's queryset as the choices of a <select>, and a write
    validates against it: unscoped, both would reach every company's rows (another company's posting
    titles in the HTML form). Use it for every API serializer, with ModelSerializer when needed.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        company = _request_company(self.context.get("request"))
        for field in fields.values():
            relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            queryset = getattr(relation, "queryset", None)
            if isinstance(relation, serializers.RelatedField) and isinstance(queryset, QuerySet):
                relation.queryset = company_rows(queryset, company)  # type: ignore[arg-type]  # stubs
        return fields


class CompanyScopedModelSerializer(CompanyScopedSerializer, serializers.ModelSerializer):
    """CompanyScopedSerializer for a model."""


class IsRecruiter(BasePermission):
    message = _("This account does not belong to a company.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and Membership.objects.filter(user=user).exists())


class WritesNeedAdmin(IsRecruiter):
    """Any recruiter of the company reads; only its administrators change (settings-like resources)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or request.user.membership.is_admin:  # type: ignore[union-attr]
            return True
        self.message = _("Only company administrators can change this.")
        return False


class FeatureEnabled(IsRecruiter):
    """Subclass with `flag` set to a Company feature field."""

    flag = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if not getattr(api_company(request), self.flag):
            self.message = _("This feature is not enabled for your company.")
            return False
        return True


class CsvUploadEnabled(FeatureEnabled):
    flag = "csv_upload_enabled"


class ShareUrlEnabled(FeatureEnabled):
    flag = "share_url_enabled"
