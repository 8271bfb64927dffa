"""Operators' view of templates, the outbox and the suppression lists."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from messaging.models import Message, MessageTemplate, MessagingSettings, Suppression


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["company", "code", "language", "subject", "updated_at"]
    list_filter = ["code", "language"]
    search_fields = ["company__name", "subject"]
    raw_id_fields = ["company", "updated_by"]


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "d05_enabled", "auto_reminder_enabled"]
    raw_id_fields = ["company"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "company", "template_code", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "template_code"]
    search_fields = ["to", "idempotency_key", "provider_message_id"]
    raw_id_fields = ["company", "applicant", "created_by"]
    # The outbox is the record of what was sent: operators read it and may only re-queue.
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["requeue"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Queue failed messages again"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        from django.utils import timezone

        from messaging.tasks import senders_kick

        count = queryset.filter(status=Message.Status.FAILED).update(
            status=Message.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""
        )
        senders_kick(count=count)
        self.message_user(request, _("%(count)s messages were queued again.") % {"count": count})


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email", "company__name"]
    raw_id_fields = ["company"]
