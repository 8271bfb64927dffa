"""The JavaScript catalogue of the applicant's pages: one URL per language and release, kept a year."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.test import Client

from interviews import jscatalog

pytestmark = pytest.mark.django_db

# The msgstr of "The upload was refused.", as the catalogue writes it (JSON, non-ASCII escaped).
JAPANESE = json.dumps("アップロードが受け付けられませんでした。")


def catalogue_url(body: str) -> str:
    (url,) = re.findall(r'<script src="(/i/jsi18n/[^"]+)"', body)
    return url


@pytest.mark.parametrize("page", ["check", "practice", "record"])
def test_pages_link_the_catalogue_of_their_language_kept_for_a_year(applicant, page):
    applicant.job_posting.practice_question = "練習の質問"
    applicant.job_posting.save(update_fields=["practice_question"])
    client = Client()
    url = catalogue_url(client.get(f"/i/{applicant.interview_token}/{page}/").content.decode())
    assert url == f"/i/jsi18n/ja/{jscatalog.digest()}.js"
    response = Client().get(url)  # a fresh browser: no language cookie
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert JAPANESE in response.content.decode()
    assert response["Content-Language"] == "ja"
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {"public", "max-age=31536000", "immutable"}


def test_english_pages_link_the_english_catalogue_whatever_the_cookie_of_who_fetches_it(applicant):
    client = Client()
    client.cookies["django_language"] = "en"
    url = catalogue_url(client.get(f"/i/{applicant.interview_token}/record/").content.decode())
    assert url == f"/i/jsi18n/en/{jscatalog.digest()}.js"
    japanese_browser = Client()
    japanese_browser.cookies["django_language"] = "ja"
    response = japanese_browser.get(url)
    assert response.status_code == 200
    assert JAPANESE not in response.content.decode()
    assert response["Content-Language"] == "en"


def test_an_unknown_language_is_a_404_and_another_releases_digest_is_not_kept(applicant):
    assert Client().get(f"/i/jsi18n/xx/{jscatalog.digest()}.js").status_code == 404
    response = Client().get("/i/jsi18n/ja/0123456789abcdef.js")
    assert response.status_code == 200 and JAPANESE in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "immutable" not in response["Cache-Control"]
    assert Client().post(f"/i/jsi18n/ja/{jscatalog.digest()}.js").status_code == 405


def test_the_digest_changes_with_any_compiled_catalogue(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(jscatalog.LOCALE, locale)
    monkeypatch.setattr(jscatalog, "LOCALE", locale)
    jscatalog.digest.cache_clear()
    try:
        before = jscatalog.digest()
        assert before == jscatalog.digest()
        catalogue = locale / "en" / "LC_MESSAGES" / "djangojs.mo"
        catalogue.write_bytes(catalogue.read_bytes() + b"\0")
        jscatalog.digest.cache_clear()
        assert jscatalog.digest() != before
    finally:
        jscatalog.digest.cache_clear()
