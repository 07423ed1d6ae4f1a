"""Outgoing HTTP to member-supplied URLs: only to public addresses, pinned to the address checked.

A member names a URL and the hub's workers post to it, inside the operator's network. So the
host is resolved once, at connect time; every address it resolves to must be public
(`ipaddress` `is_global` and IANA's special-purpose list: never loopback, private, shared,
link-local, reserved, documentation, multicast or unspecified, also when wrapped in IPv6); and the connection goes to that very address, with the
name kept for the Host header, TLS SNI and certificate check. A name that resolves to a public
address when checked and to an internal one a moment later (DNS rebinding) therefore still
reaches the public one. Plain http.client, no proxy from the environment: a proxy would resolve
the name again. The embedded default (not production) also allows loopback, for local receivers.

Literal spellings such as `127.1`, `2130706433`, `0x7f000001`, `017700000001` or `127.0.0.1.`
are what the resolver makes of them too; `host_literal` reads them the same way so registration
can refuse them early.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that never denote a public host, whatever a resolver says about them.
LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain")
_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IANA's special-purpose ranges that are not globally reachable, written out as well: `is_global`
# differs between Python versions (3.11 still calls 192.0.0.8 global).
_NOT_PUBLIC = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/127",
        "::ffff:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]


class AddressRefused(Exception):
    """The host is, or resolves to, an address the hub does not post to."""


def host_name(host: str) -> str:
    """The host as the resolver sees it: lower case, without the trailing root dot."""
    return host.lower().rstrip(".")


def host_literal(host: str) -> Address | None:
    """The address a literal host denotes in any spelling inet_aton accepts (`127.1`, `0x7f000001`), else None."""
    name = host_name(host).split("%", 1)[0]  # an IPv6 zone does not change the address
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(name):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    return None


def host_is_local_name(host: str) -> bool:
    """localhost, a reserved local suffix, or a single label (a service name on the operator's network)."""
    name = host_name(host)
    return (
        name == "localhost"
        or name.endswith(LOCAL_NAME_SUFFIXES)
        or ("." not in name and host_literal(name) is None)
    )


def address_allowed(address: Address) -> bool:
    """Public (every address it wraps too); loopback as well outside production."""
    wrapped = _wrapped(address)
    if not settings.PRODUCTION and all(a.is_loopback for a in wrapped):
        return True
    return all(_public(a) for a in wrapped)


def _wrapped(address: Address) -> list[Address]:
    """The address and any IPv4 address carried inside it (mapped, NAT64, 6to4, Teredo)."""
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            found.append(address.ipv4_mapped)
        if address.sixtofour:
            found.append(address.sixtofour)
        if address.teredo:
            found.extend(address.teredo)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _public(address: Address) -> bool:
    if any(address in network for network in _NOT_PUBLIC if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


def address_resolve(host: str, port: int) -> str:
    """Resolve the host once; the address to connect to if every address it has is allowed, else AddressRefused."""
    try:
        found = socket.getaddrinfo(host_name(host), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused("unresolvable") from None
    addresses = [info[4][0] for info in found]
    # Every address, not just the first: a name with one public and one internal address is refused.
    if not addresses or not all(address_allowed(ipaddress.ip_address(a.split("%", 1)[0])) for a in addresses):
        raise AddressRefused("address_refused")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address already checked; the Host header stays the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address already checked; TLS verifies the certificate for the name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned_address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post_pinned(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST once to a public address of the URL's host and return the status code; never read the body.

    Raises AddressRefused before connecting, or OSError / http.client.HTTPException from the exchange.
    A redirect is returned as its status: it is never followed.
    """
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = address_resolve(parts.hostname or "", port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
    try:
        path = parts.path or "/"
        connection.request(
            "POST", f"{path}?{parts.query}" if parts.query else path, body=body, headers=headers
        )
        return connection.getresponse().status
    finally:
        connection.close()
