"""Access helpers: fetch a recruiter's company and its objects, or answer 403/404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from applicants.models import Applicant, Company, JobPosting, Membership
from applicants.selectors import applicant_get, job_posting_get


def membership_of(request: HttpRequest) -> Membership | None:
    membership = getattr(request, "membership", None)
    return membership if membership else None


def company_of(request: HttpRequest) -> Company:
    membership = membership_of(request)
    if membership is None:
        raise PermissionDenied(_("This account does not belong to a company."))
    return membership.company


def recruiter_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and a member of a company; otherwise the login page or 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        company_of(request)
        return view(request, *args, **kwargs)

    return wrapped


def company_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Company-level settings: only the company's administrators."""

    @recruiter_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_of(request)
        if membership is None or not membership.is_admin:
            raise PermissionDenied(_("Only company administrators can change this."))
        return view(request, *args, **kwargs)

    return wrapped


def feature_required(flag: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A company feature switched on by operators (csv_upload_enabled, share_url_enabled)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @recruiter_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not getattr(company_of(request), flag):
                raise PermissionDenied(_("This feature is not enabled for your company."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_applicant_for_user(request: HttpRequest, im_id: int | str) -> Applicant:
    return applicant_get(company=company_of(request), im_id=im_id)


def get_job_posting_for_user(request: HttpRequest, pk: int | str) -> JobPosting:
    return job_posting_get(company=company_of(request), pk=pk)
