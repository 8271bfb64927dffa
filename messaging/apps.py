from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from messaging import checks, pages, signals  # noqa: F401 - registers the checks, connects the receiver

        pages.register()  # its part of the recruiter's applicant page (applicants.pages)
