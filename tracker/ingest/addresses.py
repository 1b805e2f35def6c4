"""Which hosts tracker may fetch from: public addresses only, unless the analyst allows private ones.

A feed is somebody else's text: its items, or a redirect from its host, can
point at ``127.0.0.1``, the cloud metadata address ``169.254.169.254`` or a
machine on the analyst's own network, and what those answer would become
inbox candidates (server-side request forgery). So a host that is, or
resolves to, a loopback, link-local, private, multicast, unspecified or
reserved address, or any other address that is not globally routable (such as
the shared 100.64/10), is refused, unless the analyst opts in for an intranet
feed: ``--allow-private`` on ``feeds add``, ``pull`` and ``fetch``, or
``TRACKER_ALLOW_PRIVATE=1``.

This module only reads addresses: it needs neither httpx nor a socket (``feeds
add`` checks a literal address without fetching anything). Names are resolved,
and the address connected to is checked, in :mod:`tracker.ingest.fetch`.
"""

from __future__ import annotations

import ipaddress
import os
import re

ALLOW_PRIVATE_ENV = "TRACKER_ALLOW_PRIVATE"
HINT = f"refused (--allow-private, or {ALLOW_PRIVATE_ENV}=1, allows a private network)"
"""What follows the reason of a refusal: what the analyst can do about it."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix: on an IPv6-only network every IPv4 site is reached through it."""
_NUMERIC = re.compile(r"[0-9a-fA-FxX.]*[0-9][0-9a-fA-FxX.]*")
"""What the C resolver may read as an IPv4 address in a short form (``127.1``, ``2130706433``, ``0x7f.1``)."""


def allowed_by_environment() -> bool:
    """True when ``TRACKER_ALLOW_PRIVATE=1`` opts in to private addresses."""
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip() == "1"


def kind(address: IPAddress) -> str:
    """What kind of non-public address ``address`` is (``loopback``, ``private``...), or "" if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one is reached at the IPv4 address: judge that one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return kind(embedded)
    for name, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    ):
        if test:
            return name
    return ""


def literal(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one (however written), else None: a name, to be resolved."""
    bare = host.strip("[]").replace("%25", "%").rstrip(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC.fullmatch(bare):
        # inet_aton is what getaddrinfo uses for these: 127.1 is 127.0.0.1 to it, so it must be to us.
        import socket  # only for such hosts: socket is not loaded for ``feeds add`` of a name

        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def refusal(host: str) -> str:
    """Why ``host`` may not be fetched without the opt-in, judged without DNS; "" if nothing says so yet.

    An IP literal is judged by its address, and ``localhost`` names (RFC 6761:
    always the loopback) by their name; any other name is judged when it is
    resolved, at fetch time.
    """
    address = literal(host)
    if address is not None:
        found = kind(address)
        if not found:
            return ""
        written = host.strip("[]")
        # A short form (127.1) is shown with the address the resolver reads in it.
        shown = written if _standard(written) else f"{written} ({address})"
        return f"{shown} is {_a(found)} address"
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is a loopback name"
    return ""


def resolved_refusal(host: str, address: IPAddress) -> str:
    """Why the name ``host``, resolved to ``address``, may not be fetched without the opt-in; "" if it may."""
    found = kind(address)
    return f"{host} resolves to {address}, {_a(found)} address" if found else ""


def _standard(written: str) -> bool:
    try:
        ipaddress.ip_address(written.replace("%25", "%"))
    except ValueError:
        return False
    return True


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"
