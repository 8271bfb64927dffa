"""The browser's IP address behind TRUSTED_PROXY_COUNT reverse proxies, for login lockout and rate limits."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind N trusted proxies the N-th X-Forwarded-For entry from the right.

    Each proxy appends the address it received the request from, so the right-most N entries were
    written by our own proxies and everything to their left by the client, who may put anything there.
    A request that did not pass through all N proxies (too short a header, a malformed entry) is
    counted under REMOTE_ADDR, the address that actually connected.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
