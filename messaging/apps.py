from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from messaging import checks, pages, retention, signals  # noqa: F401 - checks and receivers

        pages.register()  # its part of the recruiter's applicant page (applicants.pages)
