"""System checks of the messaging settings that only matter in production (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def anymail_webhook_secret_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An ESP backend needs ANYMAIL_WEBHOOK_SECRET: without it its tracking events are not received."""
    if not settings.EMAIL_BACKEND.startswith("anymail.") or settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return []
    return [
        Error(
            "EMAIL_BACKEND is an anymail ESP backend but ANYMAIL_WEBHOOK_SECRET is not set.",
            hint=(
                "Set ANYMAIL_WEBHOOK_SECRET=user:password (a long random password) and give the ESP the "
                "tracking URL with it, https://user:password@host/anymail/<esp>/tracking/. Without it "
                "bounces and complaints are not received (the webhook is not routed)."
            ),
            id="messaging.E001",
        )
    ]
