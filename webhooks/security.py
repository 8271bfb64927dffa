"""Where webhooks may go: https to public addresses, checked again at every delivery after DNS
resolution (a name that resolved to a public address yesterday may resolve to 169.254.169.254 today).

The connection is then made to the very address that was checked, with the URL's host name for TLS
(SNI and certificate check) and the Host header, so a second lookup cannot rebind it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# Cloud metadata services that are not in a private range in every provider's network.
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UrlRefused(ValueError):
    """The URL may not receive webhooks; the message says why, in the user's language."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def allow_private() -> bool:
    """Self-hosted and test setups may deliver to loopback and private addresses over plain http."""
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_URLS)


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip in METADATA
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an acceptable URL; UrlRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UrlRefused(_("Enter an https URL."))
    if parts.scheme != "https" and not allow_private():
        raise UrlRefused(_("Webhook URLs must use https."))
    if parts.username or parts.password:
        raise UrlRefused(_("Put no user name or password in the URL; each delivery is signed instead."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused(_("The URL's port is not valid.")) from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def resolve(url: str) -> Target:
    """The URL's parts and the address to connect to, after checking every address the name has."""
    scheme, host, port, path = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(_("The host name of the URL could not be resolved.")) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UrlRefused(_("The host name of the URL could not be resolved."))
    if not allow_private() and not all(public_address(a) for a in addresses):
        raise UrlRefused(
            _("The URL leads to a private, loopback or metadata address, which may not receive webhooks.")
        )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
