from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from sharing import pages, retention, signals  # noqa: F401 - connects the receivers

        pages.register()  # its parts of the recruiter's applicant pages (applicants.pages)
