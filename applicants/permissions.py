"""DRF permissions: a recruiter's token, scoped to its company; feature flags answer 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from applicants.models import Company, Membership


def api_company(request: Request) -> Company:
    membership: Membership = request.user.membership  # type: ignore[union-attr]
    return membership.company


class IsRecruiter(BasePermission):
    message = _("This account does not belong to a company.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and Membership.objects.filter(user=user).exists())


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
