from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Outgoing webhooks to the company's ATS, signed per Standard Webhooks (docs/webhooks.md)."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from webhooks import retention, signals  # noqa: F401  (receivers of applicants.signals)
