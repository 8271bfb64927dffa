from django.contrib import admin

from sharing.models import (
    Evaluation,
    EvaluationItem,
    EvaluationSheet,
    Reviewer,
    ReviewerAssignment,
    ShareLink,
    ShareLinkView,
    ShareUrlExport,
    SharingSettings,
    SubmissionDigest,
)


@admin.register(SharingSettings)
class SharingSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "link_expiry_days", "evaluations_visibility"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["applicant", "company", "created_at", "revoked_at"]
    list_filter = ["company"]
    raw_id_fields = ["applicant", "created_by", "revoked_by"]
    readonly_fields = ["token", "created_at"]


@admin.register(ShareLinkView)
class ShareLinkViewAdmin(admin.ModelAdmin):
    list_display = ["link", "viewed_at", "ip_address"]
    raw_id_fields = ["link"]


class EvaluationItemInline(admin.TabularInline):
    model = EvaluationItem
    extra = 0


@admin.register(EvaluationSheet)
class EvaluationSheetAdmin(admin.ModelAdmin):
    list_display = ["name", "job_posting", "company"]
    inlines = [EvaluationItemInline]
    raw_id_fields = ["job_posting"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["applicant", "reviewer_name", "created_at", "company"]
    list_filter = ["company"]
    raw_id_fields = ["applicant", "link", "reviewer"]


@admin.register(ShareUrlExport)
class ShareUrlExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company", "user", "rows", "encoding", "via"]
    list_filter = ["company", "via"]
    readonly_fields = ["company", "user", "created_at", "search", "encoding", "rows", "via"]


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "company", "link_created_at", "link_revoked_at"]
    list_filter = ["company"]
    search_fields = ["name", "email"]
    raw_id_fields = ["company", "created_by"]
    readonly_fields = ["token", "digest_until"]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "job_posting", "applicant", "company", "created_at"]
    list_filter = ["company"]
    raw_id_fields = ["company", "reviewer", "job_posting", "applicant", "created_by"]


@admin.register(SubmissionDigest)
class SubmissionDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "enabled", "digest_until"]
    raw_id_fields = ["user", "company"]
