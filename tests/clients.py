"""Clients as the outside world calls the app."""

from __future__ import annotations

import secrets

from rest_framework.test import APIClient

from applicants.models import ApiToken, api_token_hash


def api_key_for(user) -> str:  # type: ignore[no-untyped-def]
    """The key of a new API token of the user, next to any other it has (clients of one user coexist)."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=api_token_hash(key), prefix=key[:6])
    return key


def api_client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    """A REST client authenticated with an API token of the user, as an ATS integration calls."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client
