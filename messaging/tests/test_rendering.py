"""Whitelist rendering: placeholders, refusal of unknown or malformed ones, deadline formats."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

from messaging.rendering import TemplateSyntaxError, compile_template, format_deadline, template_errors

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_known_placeholders_are_accepted_with_or_without_inner_spaces():
    assert template_errors("{{氏名}} 様 {{ 録画面接URL }} {{iM採用ID}} {{フリーエリア3}}") == []


def test_unknown_placeholder_is_refused_by_name():
    (error,) = template_errors("こんにちは {{未知}} さん")
    assert "{{未知}}" in error


@pytest.mark.parametrize("text", ["{{氏名", "{{}} です", "氏名}} です", "{{氏{名}}"])
def test_malformed_placeholder_is_refused(text):
    assert template_errors(text)


def test_a_template_language_is_not_executed():
    compiled = compile_template("{{氏名}} {% if x %}")
    # A value that looks like a placeholder stays text; template tags stay text.
    assert compiled.render({"氏名": "{{会社名}}"}) == "{{会社名}} {% if x %}"
    with pytest.raises(TemplateSyntaxError, match=re.escape("{{氏名|upper}}")):
        compile_template("{{氏名|upper}}")


def test_deadline_is_written_the_japanese_way_in_the_company_time_zone():
    deadline = dt.datetime(2026, 12, 10, 14, 59, tzinfo=dt.UTC)
    assert format_deadline(deadline, tz=TOKYO, language="ja") == "2026年12月10日(木) 23:59"


def test_deadline_is_written_the_english_way_for_english_recipients():
    deadline = dt.datetime(2026, 12, 10, 14, 59, tzinfo=dt.UTC)
    assert format_deadline(deadline, tz=TOKYO, language="en") == "Thu, December 10, 2026, 23:59 JST"


def test_deadline_follows_another_company_time_zone():
    deadline = dt.datetime(2026, 12, 10, 14, 59, tzinfo=dt.UTC)
    text = format_deadline(deadline, tz=zoneinfo.ZoneInfo("America/New_York"), language="ja")
    assert text == "2026年12月10日(木) 09:59"


def test_renderer_escapes_values_in_html_and_keeps_subject_on_one_line(job_posting):
    from applicants.models import Applicant
    from messaging.rendering import Renderer

    applicant = Applicant(
        company=job_posting.company,
        job_posting=job_posting,
        im_id=7,
        email="a@example.jp",
        last_name="<b>髙橋</b>",
        first_name="①\n子",
        interview_token="tok",
    )
    renderer = Renderer(
        company=job_posting.company,
        subject="{{氏名}} 様",
        body="{{氏名}}\n{{録画面接URL}}",
        html_body="<p>{{氏名}}</p>",
        language="ja",
    )
    subject, body, html_body = renderer.render(applicant, job_posting)
    assert subject == "<b>髙橋</b> ① 子 様"
    assert body == "<b>髙橋</b> ①\n子\nhttp://testserver/i/tok/"
    assert html_body == "<p>&lt;b&gt;髙橋&lt;/b&gt; ①\n子</p>"
