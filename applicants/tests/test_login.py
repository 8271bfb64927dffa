import re

import pytest
from django.urls import reverse


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_login_and_logout(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "password-123-xyz"})
    assert response.status_code == 302
    assert client.get(reverse("applicants:dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("applicants:dashboard")).status_code == 302


def test_wrong_password_shows_a_clear_message(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()


def test_repeated_failures_lock_the_account(client, alice, lockout):
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "password-123-xyz"})
    assert response.status_code == 429
    assert "ロック" in response.content.decode()


def _locked_page(client, settings, hours: float) -> str:
    settings.AXES_COOLOFF_TIME = hours
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    return response.content.decode()


@pytest.mark.parametrize(
    ("hours", "japanese", "english"), [(0.5, "30分", "30 minutes"), (2, "2時間", "2 hours")]
)
def test_the_lockout_page_says_how_long_the_lock_lasts(
    client, alice, lockout, settings, hours, japanese, english
):
    assert japanese in _locked_page(client, settings, hours)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        f"locked for {english}"
        in client.post(reverse("login"), {"username": "alice", "password": "wrong"}).content.decode()
    )


def _reset_link(body: str) -> str:
    match = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "subject", "text"),
    [("ja", "パスワード", "新しいパスワード"), ("en", "reset your password", "set a new password")],
)
def test_a_recruiter_resets_a_forgotten_password_by_mail(
    client, alice, settings, mailoutbox, language, subject, text
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert "/password-reset/" in client.get(reverse("login")).content.decode()

    response = client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.com"] and subject in mail.subject
    html = mail.alternatives[0][0]
    assert text in mail.body and text in html
    link = _reset_link(mail.body)
    assert link in html

    form_page = client.get(link, follow=True)  # Django swaps the token into the session and redirects
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "fresh-pass-2026", "new_password2": "fresh-pass-2026"},
    )
    assert done.url == reverse("password_reset_complete")
    assert client.get(link, follow=True).context["validlink"] is False  # used once only

    client.cookies.pop("sessionid", None)
    assert (
        client.post(reverse("login"), {"username": "alice", "password": "fresh-pass-2026"}).status_code == 302
    )


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, alice, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    page = client.get(reverse("password_reset_done")).content.decode()
    assert "nobody@example.com" not in page
