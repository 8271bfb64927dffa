from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """CSV bulk registration (応募者CSVアップロード): upload, validate, preview, register."""

    name = "imports"
    verbose_name = _("CSV uploads")
