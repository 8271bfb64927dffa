"""Operators' view of takes and answers (read-mostly: the applicant's browser creates them)."""

from __future__ import annotations

from django.contrib import admin

from applicants.models import Question
from interviews.models import Answer, Take


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "job_posting", "position", "preparation_seconds", "answer_seconds", "max_takes"]
    list_select_related = ["job_posting"]
    search_fields = ["text", "job_posting__title"]


@admin.register(Take)
class TakeAdmin(admin.ModelAdmin):
    list_display = ["key", "applicant", "question", "state", "container", "size", "created_at"]
    list_filter = ["state", "container"]
    list_select_related = ["applicant", "question"]
    readonly_fields = [f.name for f in Take._meta.fields]
    search_fields = ["applicant__email", "key"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["applicant", "question", "processing", "duration", "kept_at"]
    list_filter = ["processing"]
    list_select_related = ["applicant", "question"]
    readonly_fields = ["applicant", "question", "take", "kept_at", "processed_at", "processing_error"]
    search_fields = ["applicant__email"]
