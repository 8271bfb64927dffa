from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    """まとめて処理モード: answer requests (回答依頼), withdrawals and exports of a selection."""

    name = "bulk"
    verbose_name = _("Bulk processing")
