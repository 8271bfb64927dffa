from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = _("Interviews")

    def ready(self) -> None:
        from interviews import pages, retention  # noqa: F401 - connects the receivers

        pages.register()  # its parts of the recruiter's applicant pages (applicants.pages)
