"""Typed shortcuts for the messaging tests."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.urls import clear_url_caches

from applicants.models import Applicant
from tests.factories import ApplicantFactory


def make_applicant(**kwargs: Any) -> Applicant:
    """ApplicantFactory, typed as the model it creates."""
    return cast(Applicant, ApplicantFactory(**kwargs))


def reload_urls() -> None:
    """Build the URL conf again: the ESP webhooks are routed or not when it is imported."""
    import interviewmaker.urls
    import messaging.urls

    importlib.reload(messaging.urls)
    importlib.reload(interviewmaker.urls)
    clear_url_caches()


@contextmanager
def webhooks_routed(settings: Any, secret: str = "hook:s3cret") -> Iterator[None]:
    """The URL conf of a site with ANYMAIL_WEBHOOK_SECRET set; the secretless one again afterwards."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": secret}
    reload_urls()
    try:
        yield
    finally:
        settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}
        reload_urls()
