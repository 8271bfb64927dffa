"""No page writes while it renders: templates and template tags only format what views gathered.

Every recruiter, applicant and reviewer page the URL walk can open (tests/urlwalk.py, as the tenancy
matrix and the parameter fuzzer use it) is requested with a database execute-wrapper that records any
INSERT, UPDATE, DELETE or COPY issued while a template renders. Writes a view makes on purpose (the
share link of the applicant page, the reviewer page's view log) happen before rendering.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.template import base

from applicants.models import Applicant
from sharing.models import ShareLink
from tests.test_fuzz_pages import _get, answered, targets  # noqa: F401 - the fuzzer's fixtures

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "MERGE", "TRUNCATE")
_rendering = threading.local()


@pytest.fixture
def writes_while_rendering(monkeypatch) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    render = base.Template.render

    def tracked(self: base.Template, context: Any) -> Any:
        _rendering.depth = getattr(_rendering, "depth", 0) + 1
        try:
            return render(self, context)
        finally:
            _rendering.depth -= 1

    monkeypatch.setattr(base.Template, "render", tracked)
    found: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if getattr(_rendering, "depth", 0) and sql.lstrip().split(None, 1)[0].upper() in WRITES:
            found.append(sql[:200])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield found


def test_no_page_writes_while_it_renders(targets, writes_while_rendering):  # noqa: F811
    opened = {url.split("/")[1] for url, _client in targets}
    assert {"applicants", "messages", "sharing", "imports", "i", "s"} <= opened, opened
    for url, client in targets:
        assert _get(client, url).status_code < 400, url
    assert writes_while_rendering == []


def test_the_applicant_page_creates_the_share_link_before_rendering(
    answered,  # noqa: F811 - the fuzzer's fixture
    alice_client,
    writes_while_rendering,
):
    """An applicant without a share link gets one when a recruiter opens their page: by the view."""
    applicant = Applicant.objects.filter(company=answered.company, share_links__isnull=True).first()
    assert applicant is not None
    page = alice_client.get(f"/applicants/{applicant.im_id}/")
    assert page.status_code == 200
    link = ShareLink.objects.get(applicant=applicant)
    assert link.token in page.content.decode()
    assert writes_while_rendering == []
