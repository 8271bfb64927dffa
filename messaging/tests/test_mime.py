"""The outbox's MIME builder gives exactly the bytes Django's mail API gives."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.message import BadHeaderError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from messaging.mime import mime_bytes

DATE = "Wed, 25 Nov 2026 19:41:20 -0000"
JAPANESE = "録画面接のご案内髙﨑①～ｱｲｳ　株式会社（登録完了）"
text = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(JAPANESE),
        st.sampled_from(" \t\r\n=?:;,<>\"'"),
    ),
    max_size=120,
)
body_text = st.lists(
    st.one_of(text, st.sampled_from(["\r\n", "\n", "\r", "", "x" * 1000, "あ" * 340])), max_size=30
).map("".join)
addresses = st.sampled_from(
    [
        "taro@example.jp",
        "Ta.Ro+x@mail.example.co.jp",
        "山田 <yamada@example.jp>",
        "a@例え.jp",
        "x" * 70 + "@e.jp",
    ]
)
senders = st.sampled_from(
    [
        "interviewmaker <no-reply@example.com>",
        "株式会社ベンチ 採用担当 <saiyo@example.com>",
        "no-reply@example.com",
        '"Recruiting, Team" <r@example.com>',
    ]
)


def both(email: EmailMessage) -> tuple[object, object]:
    """(mime_bytes, Django's bytes), or the exception type each raised."""
    results = []
    with (
        mock.patch("messaging.mime.formatdate", return_value=DATE),
        mock.patch("django.core.mail.message.formatdate", return_value=DATE),
    ):
        for build in (mime_bytes, lambda e: e.message().as_bytes(linesep="\r\n")):
            try:
                results.append(build(email))
            except Exception as exc:  # compared below: both must refuse alike
                results.append(type(exc))
    return results[0], results[1]


def outbox_mail(
    subject: str, body: str, to: str, sender: str, reply_to: str | None = None
) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(
        subject,
        body,
        sender,
        [to],
        headers={"Message-ID": "<im.1.0ce19f057aeb0ba957a86772@example.com>"},
        reply_to=[reply_to] if reply_to else None,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=text, body=body_text, to=addresses, sender=senders, reply_to=st.none() | addresses)
@example(
    subject="録画面接のご案内(登録完了)",
    body="山田 ①太郎 様\n\nURL\n",
    to="t@example.jp",
    sender="a <b@c.jp>",
    reply_to=None,
)
@example(subject="x" * 200, body="", to="t@example.jp", sender="no-reply@example.com", reply_to=None)
@example(subject="Re: line\nbreak", body="b", to="t@example.jp", sender="no-reply@example.com", reply_to=None)
@example(subject="件名", body="本文", to="t@example.jp", sender="a <b@c.jp>", reply_to="採用 <saiyo@例え.jp>")
def test_same_bytes_as_django(subject: str, body: str, to: str, sender: str, reply_to: str | None) -> None:
    fast, django = both(outbox_mail(subject, body, to, sender, reply_to))
    assert fast == django


def test_the_outbox_shape_skips_djangos_builder() -> None:
    email = outbox_mail(
        JAPANESE, "山田 髙 ① 様\n" * 30, "taro@example.jp", "採用 <r@example.com>", "saiyo@example.co.jp"
    )
    with mock.patch.object(EmailMultiAlternatives, "message", side_effect=AssertionError("slow path")):
        data = mime_bytes(email)
    assert b"Content-Transfer-Encoding: 8bit\r\n" in data
    assert data.endswith("髙 ① 様\r\n".encode())


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.attach_alternative("<p>html</p>", "text/html"),
        lambda e: e.extra_headers.update({"X-Campaign": "d03"}),
        lambda e: setattr(e, "cc", ["cc@example.jp"]),
        lambda e: setattr(e, "body", "x" * 1200),  # a line over 998 bytes: quoted-printable
        lambda e: setattr(e, "encoding", "iso-2022-jp"),
    ],
)
def test_other_shapes_are_built_by_django(change) -> None:  # type: ignore[no-untyped-def]
    email = outbox_mail("件名", "本文\n", "taro@example.jp", "no-reply@example.com")
    change(email)
    fast, django = both(email)
    if b"multipart/alternative" in django:  # a random boundary each build: compare the shape
        assert b"multipart/alternative" in fast and fast.count(b"\r\n") == django.count(b"\r\n")
    else:
        assert fast == django


def test_a_line_break_in_a_header_is_refused_as_django_refuses_it() -> None:
    email = outbox_mail("件名\r\nBcc: victim@example.jp", "本文", "taro@example.jp", "no-reply@example.com")
    with pytest.raises(BadHeaderError):
        mime_bytes(email)
