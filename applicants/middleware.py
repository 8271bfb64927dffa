"""Attach the recruiter's membership and company to each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from applicants.models import Membership


def _membership(request: HttpRequest) -> Membership | None:
    user = request.user
    if not user.is_authenticated:
        return None
    try:
        return Membership.objects.select_related("company").get(user=user)
    except Membership.DoesNotExist:
        return None


class CompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: _membership(request))  # type: ignore[attr-defined]
        return self.get_response(request)
