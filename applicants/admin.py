"""Django admin for operators: companies with their feature flags and memberships; the rest read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from applicants.models import Applicant, Company, JobPosting, Membership, Question


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators look, recruiters change: no add/change/delete here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "csv_upload_enabled", "share_url_enabled", "timezone", "last_im_id", "created_at"]
    list_filter = ["csv_upload_enabled", "share_url_enabled"]
    list_editable = ["csv_upload_enabled", "share_url_enabled"]
    search_fields = ["name"]
    readonly_fields = ["last_im_id", "created_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "timezone"]}),
        ("Features", {"fields": ["csv_upload_enabled", "share_url_enabled"]}),
        ("Application settings", {"fields": ["free_area_1_label", "free_area_2_label", "free_area_3_label"]}),
        ("Bookkeeping", {"fields": ["last_im_id", "created_at"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created_at"]
    list_filter = ["role", "company"]
    search_fields = ["user__username", "user__email", "company__name"]
    autocomplete_fields = ["user", "company"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    can_delete = False
    fields = ("position", "text", "preparation_seconds", "answer_seconds", "max_takes")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JobPosting)
class JobPostingAdmin(ReadOnlyAdmin):
    list_display = ["title", "company", "deadline", "is_open", "created_at"]
    list_filter = ["is_open", "company"]
    search_fields = ["title", "company__name"]
    inlines = [QuestionInline]


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = [
        "im_id",
        "company",
        "job_posting",
        "email",
        "last_name",
        "first_name",
        "status",
        "created_via",
        "created_at",
    ]
    list_filter = ["status", "created_via", "company"]
    search_fields = ["=im_id", "email", "last_name", "first_name", "free_area_1"]
    list_select_related = ["company", "job_posting"]
    exclude = ["interview_token"]
    show_full_result_count = False
