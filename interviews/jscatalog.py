"""The JavaScript catalogue of the applicant's pages (gettext for interview.js), cacheable for a year.

Its URL names the language and a digest of the compiled catalogues it is made from, so the response
is a function of the URL alone: a phone fetches it once and then reuses it on every page of the
interview, and a new release that changes a translation changes the URL. Django's JavaScriptCatalog
view alone is neither: it answers by the language cookie, with no validator and no lifetime, so the
browser fetched it again on every check, practice and record page.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

PACKAGES = ["interviews"]
LOCALE = Path(__file__).resolve().parent / "locale"
YEAR = 365 * 24 * 3600

_catalog = JavaScriptCatalog.as_view(packages=PACKAGES)


@functools.cache
def digest() -> str:
    """A digest of every compiled JavaScript catalogue of this app (what the view serves)."""
    sha = hashlib.sha256()
    for path in sorted(LOCALE.glob("*/LC_MESSAGES/djangojs.mo")):
        sha.update(path.relative_to(LOCALE).as_posix().encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def url() -> str:
    """The catalogue's URL for the active language."""
    return reverse("interviews:jsi18n", args=[translation.get_language(), digest()])


@require_safe
def view(request: HttpRequest, language: str, version: str) -> HttpResponseBase:
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = _catalog(request)
    response.headers["Content-Language"] = language
    if version == digest():
        patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    else:
        # A page of another release (during a rolling deploy): this release's catalogue, not kept.
        patch_cache_control(response, no_cache=True)
    return response
