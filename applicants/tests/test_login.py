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
