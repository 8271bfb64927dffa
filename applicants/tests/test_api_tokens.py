"""API tokens: stored as hashes, revocable, with their last use shown on the recruiter's page."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applicants.models import ApiToken, api_token_hash
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/job-postings/"


def _create_on_page(client) -> str:  # type: ignore[no-untyped-def]
    page = client.post(reverse("applicants:api_token")).content.decode()
    return re.search(r"Authorization: Token ([\w-]+)", page).group(1)  # type: ignore[union-attr]


def _call(client, key: str):  # type: ignore[no-untyped-def]
    return client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_database_never_holds_the_raw_key(alice_client, client):
    key = _create_on_page(alice_client)
    assert _call(client, key).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix FROM applicants_apitoken")
        (stored_hash, prefix), *_ = cursor.fetchall()
    assert stored_hash == api_token_hash(key) and key not in stored_hash
    assert len(prefix) < 10 and key.startswith(prefix)


def test_a_token_whose_hash_is_presented_as_key_is_refused(alice_client, client):
    """A leaked database row must not be a working credential."""
    key = _create_on_page(alice_client)
    assert _call(client, api_token_hash(key)).status_code == 401


def test_a_revoked_token_is_refused(alice_client, client):
    key = _create_on_page(alice_client)
    assert _call(client, key).status_code == 200
    response = alice_client.post(reverse("applicants:api_token_revoke"), follow=True)
    assert response.status_code == 200
    assert _call(client, key).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_new_token_replaces_the_old_one(alice_client, client):
    old = _create_on_page(alice_client)
    new = _create_on_page(alice_client)
    assert _call(client, old).status_code == 401
    assert _call(client, new).status_code == 200


def test_a_removed_members_token_stops_working(alice_client, bob, client):
    from tests.clients import api_key_for

    key = api_key_for(bob)
    assert _call(client, key).status_code == 200
    alice_client.post(reverse("applicants:member_remove", args=[bob.membership.pk]))
    assert _call(client, key).status_code == 401
    assert not bob.api_tokens.filter(revoked_at__isnull=True).exists()


def test_last_use_is_recorded_and_shown_on_the_page(alice_client, client, alice):
    key = _create_on_page(alice_client)
    assert 'class="last-used">未使用' in alice_client.get(reverse("applicants:api_token")).content.decode()
    _call(client, key)
    used = ApiToken.objects.get().last_used_at
    assert used is not None
    shown = timezone.localtime(used).strftime("%Y-%m-%d %H:%M")
    assert f'class="last-used">{shown}' in alice_client.get(reverse("applicants:api_token")).content.decode()
    # Within a minute a second call writes nothing; later it moves on.
    _call(client, key)
    assert ApiToken.objects.get().last_used_at == used
    ApiToken.objects.update(last_used_at=used - dt.timedelta(minutes=5))
    _call(client, key)
    assert ApiToken.objects.get().last_used_at > used - dt.timedelta(minutes=5)


def test_existing_drf_tokens_keep_working_hashed_by_the_migration(client):
    """Migration applicants/0009: raw keys of rest_framework.authtoken become hashes, then are deleted."""
    user = MembershipFactory().user
    raw = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's format: 40 hex characters
    migration = importlib.import_module("applicants.migrations.0012_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, user_id integer)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [raw, user.pk])
    with connection.schema_editor() as editor:
        migration.hash_legacy_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    assert ApiToken.objects.get(user=user).key_hash == api_token_hash(raw)
    assert _call(client, raw).status_code == 200
