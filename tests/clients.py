"""Clients as the outside world calls the app."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    """A REST client authenticated with the user's API token, as an ATS integration calls."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client
