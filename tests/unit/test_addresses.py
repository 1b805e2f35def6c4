"""Which addresses tracker fetches from (issue 12, finding 13): the address rules, the add-time check, and
the resolver of the real transport, which connects to the very address it checked (no DNS rebinding).

No socket is opened: ``socket.getaddrinfo`` and httpcore's backend are stood in for.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, ClassVar

import httpcore
import httpx
import pytest

from tracker.errors import InputError
from tracker.ingest import addresses, fetch
from tracker.ingest.fetch import HTML_TYPES, Fetcher, Limits
from tracker.ingest.inbox import add_feed
from tracker.store import Store

REFUSED = {
    "127.0.0.1": "127.0.0.1 is a loopback address",
    "127.1": "127.1 (127.0.0.1) is a loopback address",
    "2130706433": "2130706433 (127.0.0.1) is a loopback address",
    "0x7f.1": "0x7f.1 (127.0.0.1) is a loopback address",
    "[::1]": "::1 is a loopback address",
    "::ffff:127.0.0.1": "::ffff:127.0.0.1 is a loopback address",
    "64:ff9b::7f00:1": "64:ff9b::7f00:1 is a loopback address",
    "169.254.169.254": "169.254.169.254 is a link-local address",
    "fe80::1%25eth0": "fe80::1%25eth0 is a link-local address",
    "10.1.2.3": "10.1.2.3 is a private address",
    "192.168.0.1": "192.168.0.1 is a private address",
    "fc00::1": "fc00::1 is a private address",
    "224.0.0.1": "224.0.0.1 is a multicast address",
    "ff02::1": "ff02::1 is a multicast address",
    "0.0.0.0": "0.0.0.0 is an unspecified address",
    "100.64.0.1": "100.64.0.1 is a non-public address",
    "localhost": "localhost is a loopback name",
    "feeds.localhost.": "feeds.localhost. is a loopback name",
}
ALLOWED = ["93.184.216.34", "::ffff:93.184.216.34", "2606:2800:220:1::1", "example.org", "feeds.test", "cafe"]


@pytest.mark.parametrize(("host", "reason"), list(REFUSED.items()), ids=list(REFUSED))
def test_a_non_public_address_is_refused_by_its_kind(host: str, reason: str) -> None:
    assert addresses.refusal(host) == reason


@pytest.mark.parametrize("host", ALLOWED)
def test_a_public_address_or_a_name_passes_the_check_without_dns(host: str) -> None:
    """A name is judged once resolved (at fetch time); here only what needs no DNS is refused."""
    assert addresses.refusal(host) == ""


@pytest.mark.parametrize(("value", "allowed"), [("1", True), (" 1 ", True), ("0", False), ("", False), ("yes", False)])
def test_the_environment_opt_in_is_exactly_1(monkeypatch: pytest.MonkeyPatch, value: str, allowed: bool) -> None:
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE", value)
    assert addresses.allowed_by_environment() is allowed


def test_feeds_add_refuses_a_private_literal_unless_allowed(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE", raising=False)
    store = Store(store_path)
    with pytest.raises(InputError) as refused:
        add_feed(store, "http://169.254.169.254/latest/meta-data/")
    assert str(refused.value) == (
        "not following http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address,"
        f" {addresses.HINT}"
    )
    assert store.feeds() == []
    assert add_feed(store, "http://10.0.0.1/feed.xml", allow_private=True).url == "http://10.0.0.1/feed.xml"
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE", "1")
    assert add_feed(store, "http://localhost/feed.xml").url == "http://localhost/feed.xml"
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE")
    assert add_feed(store, "https://intranet.example/feed.xml").id, "a name is checked when it is resolved"


# -- the real transport: resolve once, check every answer, connect to the checked address ------------


class Resolver:
    """``socket.getaddrinfo`` answering from a script, one answer per call (a rebinding DNS server)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    def __call__(self, host: str, port: int, *args: Any) -> list[tuple[Any, ...]]:
        self.calls.append(host)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in ip], socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answer]


class Connections(httpcore.AsyncNetworkBackend):
    """httpcore's backend, standing in: records where it was asked to connect, and refuses (no socket)."""

    made: ClassVar[list[str]] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        Connections.made.append(host)
        raise httpcore.ConnectError("stand-in: no socket in unit tests")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE", raising=False)
    Connections.made = []
    monkeypatch.setattr(httpcore, "AnyIOBackend", Connections)
    return Connections.made


async def get(url: str) -> str:
    """The reason the real Fetcher (no mock transport) gives up on ``url``."""
    async with Fetcher(Limits(connect_timeout=1, deadline=5, retries=0)) as fetcher:
        with pytest.raises(Fetcher.Error) as failed:
            await fetcher.get(url, accept=HTML_TYPES)
    return failed.value.reason


async def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch, connections: list[str]
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", Resolver(["10.0.0.5"]))
    reason = await get("http://intranet.example/a")
    assert reason == f"intranet.example resolves to 10.0.0.5, a private address, {addresses.HINT}"
    assert connections == []


async def test_one_private_answer_among_public_ones_refuses_the_name(
    monkeypatch: pytest.MonkeyPatch, connections: list[str]
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", Resolver(["93.184.216.34", "::1"]))
    assert "resolves to ::1, a loopback address" in await get("http://mixed.example/a")
    assert connections == []


async def test_the_connection_goes_to_the_address_checked(
    monkeypatch: pytest.MonkeyPatch, connections: list[str]
) -> None:
    """DNS rebinding: the name answers a public address, then loopback. It is resolved once, by us, and the
    socket is opened to the public address checked; nothing resolves it again to reach 127.0.0.1."""
    resolver = Resolver(["93.184.216.34"], ["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    reason = await get("http://rebind.example/a")
    assert reason.startswith("could not connect"), reason
    assert resolver.calls == ["rebind.example"]
    assert connections == ["93.184.216.34"]


async def test_a_redirect_to_a_name_on_a_private_address_is_refused_at_that_hop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A public host redirects to a name the resolver refuses (as _PublicBackend does): the reason names the hop."""
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE", raising=False)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "public.example":
            return httpx.Response(302, headers={"Location": "http://evil.example/admin"})
        raise fetch._Refused("evil.example resolves to 127.0.0.1, a loopback address")

    async with Fetcher(Limits(deadline=5), transport=httpx.MockTransport(handler)) as fetcher:
        with pytest.raises(Fetcher.Error) as refused:
            await fetcher.get("http://public.example/feed", accept=HTML_TYPES)
    assert refused.value.reason == (
        "redirect to http://evil.example/admin: evil.example resolves to 127.0.0.1, a loopback address,"
        f" {addresses.HINT}"
    )
    assert not refused.value.transient


async def test_allow_private_uses_the_plain_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE", raising=False)
    assert not Fetcher().allow_private and Fetcher(allow_private=True).allow_private
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE", "1")
    assert Fetcher().allow_private and not Fetcher(allow_private=False).allow_private
