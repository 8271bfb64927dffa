from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    """まとめて処理モード: answer requests (回答依頼), withdrawals and exports of a selection."""

    name = "bulk"
    verbose_name = _("Bulk processing")

    def ready(self) -> None:
        from applicants import selectors
        from bulk.selectors import reminders_sent

        # The list's 「最終回答依頼」 column and its search conditions read who got D04 from which request.
        selectors.reminders_source_register(reminders_sent)
