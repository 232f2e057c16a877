"""Where a webhook may be delivered: never into private networks unless allowed.

The host is resolved on every attempt and the connection goes to the address checked, not
to the name again, so a DNS answer that changes between check and connect (rebinding)
cannot reach a refused address. Loopback, private, link-local, shared, multicast, reserved
and unspecified addresses are refused unless ``WEBHOOK_ALLOW_PRIVATE_DESTINATIONS``
(development and tests).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class DestinationRefusedError(Exception):
    """The URL's host resolves to an address webhooks must not reach, or to none."""


@dataclass(frozen=True)
class Destination:
    host: str
    port: int
    address: str  # the checked IP address to connect to


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def destination_resolve(*, url: str) -> Destination:
    """The address to connect to for ``url``, once checked; raises DestinationRefusedError."""
    parts = urlsplit(url)
    if parts.hostname is None:
        raise DestinationRefusedError("the URL has no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise DestinationRefusedError(f"{parts.hostname} does not resolve") from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS
    # Every answer is checked: a mix of public and private addresses is refused too.
    if not allow_private and any(_refused(address) for address in addresses):
        raise DestinationRefusedError(f"{parts.hostname} resolves to a non-public address")
    return Destination(host=parts.hostname, port=port, address=str(addresses[0]))
