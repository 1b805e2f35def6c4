"""Issue 12, findings 13-14: a hostile feed (SSRF to private addresses) and a slow one (no deadline, no cap).

A real threaded HTTP server on 127.0.0.1 and the real ``tracker``; no network
beyond loopback. Addresses a test cannot serve (169.254.169.254, 10/8, a
public host redirecting to loopback) are tested one level down, through the
Fetcher's transport seam (``httpx.MockTransport``): no socket is opened there.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import TRACKER, child_env, snapshot, tracker
from tests.reliability.hardening import one_error_line

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
ARTICLE = (FIXTURES / "kursk-surrender.html").read_bytes()
REFUSED = re.compile(r"private|loopback|link-local|multicast", re.IGNORECASE)
"""How a refusal of a private address reads: it names the kind of address."""


@pytest.fixture(autouse=True)
def _no_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here inherits an opt-in: each that wants one says so."""
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE", raising=False)
    for name in ("TRACKER_PULL_DEADLINE", "TRACKER_PULL_MAX_ENTRIES"):
        monkeypatch.delenv(name, raising=False)


Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@dataclass
class Server:
    """The loopback server: what it serves by path, and every path it was asked for."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def hits(self, prefix: str) -> int:
        return sum(1 for path in list(self.requests) if path.startswith(prefix))


def page(content_type: str, body: bytes) -> Route:
    def send(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return send


def slow_loris(every: float = 0.5) -> Route:
    """Headers at once, then one byte of body every ``every`` seconds: never silent long enough to time out."""

    def send(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        handler.wfile.write(b"<html><body><p>")
        for _ in range(int(300 / every)):
            if stop.wait(every):
                return
            handler.wfile.write(b"x")

    return send


def silent() -> Route:
    """Headers, then nothing at all: the reader's timeout is what ends it."""

    def send(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        stop.wait(120)

    return send


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Entry {n}</title><link>{link}</link><guid isPermaLink='false'>entry-{n}</guid>"
        "<pubDate>Fri, 14 Mar 2025 18:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile wire</title>{items}'
        "</channel></rss>"
    ).encode()


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            route = served.routes.get(self.path)
            try:
                if route is None:
                    self.send_error(404)
                else:
                    route(self, served.stop)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.stop.set()
        httpd.shutdown()
        httpd.server_close()


def follow(db: Path, url: str) -> None:
    """Follow a feed with the opt-in (an intranet feed the analyst chose), without the read ``feeds add``
    makes first: the requests the server sees are then the pull's."""
    done = tracker("feeds", "add", "--no-check", url, db=db, TRACKER_ALLOW_PRIVATE="1")
    assert done.returncode == 0, done.stderr


# -- finding 13: private addresses ------------------------------------------------------------


PRIVATE_FEEDS = {
    "loopback": "http://127.0.0.1:{port}/feed.xml",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "rfc1918_10": "http://10.1.2.3/feed.xml",
    "rfc1918_192": "http://192.168.0.1/feed.xml",
    "ipv6_loopback": "http://[::1]:{port}/feed.xml",
    "multicast": "http://224.0.0.1/feed.xml",
}


@pytest.mark.parametrize("url", list(PRIVATE_FEEDS.values()), ids=list(PRIVATE_FEEDS))
def test_feeds_add_refuses_a_private_address_without_opt_in(store_path: Path, server: Server, url: str) -> None:
    """Finding 13: ``feeds add`` of a loopback/link-local/private/multicast address: exit 2, one line saying why."""
    before = snapshot(store_path.parent)
    done = tracker("feeds", "add", url.format(port=server.base.rpartition(":")[2]), db=store_path)
    assert done.returncode == 2, f"followed: {done.stdout!r}"
    line = one_error_line(done.stderr)
    assert REFUSED.search(line), line
    assert snapshot(store_path.parent) == before
    assert server.requests == []


def test_feeds_add_of_a_private_address_works_with_allow_private(store_path: Path, server: Server) -> None:
    """Finding 13: ``--allow-private`` opts in on ``feeds add``, and on the read it makes first."""
    server.routes["/feed.xml"] = page("application/rss+xml", rss([]))
    done = tracker("feeds", "add", "--allow-private", f"{server.base}/feed.xml", db=store_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("fd_")
    assert server.hits("/feed.xml") == 1


def test_feeds_add_of_a_private_address_works_with_the_environment_opt_in(store_path: Path, server: Server) -> None:
    """Finding 13 (guard, holds today): ``TRACKER_ALLOW_PRIVATE=1`` opts in, for the read ``feeds add`` makes too."""
    server.routes["/feed.xml"] = page("application/rss+xml", rss([]))
    done = tracker("feeds", "add", f"{server.base}/feed.xml", db=store_path, TRACKER_ALLOW_PRIVATE="1")
    assert done.returncode == 0, done.stderr
    assert server.hits("/feed.xml") == 1


@pytest.fixture
def loopback_feed(store_path: Path, server: Server) -> Path:
    """A feed on loopback (followed with the opt-in) whose items point at loopback too."""
    server.routes["/feed.xml"] = page(
        "application/rss+xml", rss([f"{server.base}/articles/kursk.html", f"{server.base}/admin/secrets"])
    )
    server.routes["/articles/kursk.html"] = page("text/html; charset=utf-8", ARTICLE)
    server.routes["/admin/secrets"] = page("text/html; charset=utf-8", b"<html><body><p>secret</p></body></html>")
    follow(store_path, f"{server.base}/feed.xml")
    return store_path


def test_pull_without_opt_in_requests_nothing_from_a_private_address(loopback_feed: Path, server: Server) -> None:
    """Finding 13: a pull without the opt-in refuses the first hop (the feed on 127.0.0.1) and fetches no item."""
    done = tracker("pull", db=loopback_feed)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert server.requests == [], f"requested from loopback: {server.requests}"
    assert REFUSED.search(done.stdout + done.stderr), done.stdout + done.stderr


def test_pull_with_allow_private_fetches_the_feed_and_its_items(loopback_feed: Path, server: Server) -> None:
    """Finding 13: ``pull --allow-private`` opts in."""
    done = tracker("pull", "--allow-private", db=loopback_feed)
    assert done.returncode == 0, done.stderr
    assert server.hits("/feed.xml") == 1 and server.hits("/articles/kursk.html") == 1


def test_pull_with_the_environment_opt_in_fetches_the_feed_and_its_items(loopback_feed: Path, server: Server) -> None:
    """Finding 13 (guard, holds today): ``TRACKER_ALLOW_PRIVATE=1`` opts in on ``pull``."""
    done = tracker("pull", db=loopback_feed, TRACKER_ALLOW_PRIVATE="1")
    assert done.returncode == 0, done.stderr
    assert server.hits("/feed.xml") == 1 and server.hits("/articles/kursk.html") == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["literal", "resolved"])
def test_fetch_refuses_a_private_address_without_opt_in(store_path: Path, server: Server, host: str) -> None:
    """Finding 13: ``fetch`` of an article on loopback (an IP, or a name that resolves to one): exit 2, no request."""
    server.routes["/articles/kursk.html"] = page("text/html; charset=utf-8", ARTICLE)
    url = server.base.replace("127.0.0.1", host) + "/articles/kursk.html"
    before = snapshot(store_path.parent)
    done = tracker("fetch", url, db=store_path)
    assert server.requests == [], f"requested from loopback: {server.requests}"
    assert done.returncode == 2, done.stdout
    assert REFUSED.search(one_error_line(done.stderr))
    assert snapshot(store_path.parent) == before


def test_fetch_with_allow_private_reads_the_article(store_path: Path, server: Server) -> None:
    """Finding 13: ``fetch --allow-private`` opts in."""
    server.routes["/articles/kursk.html"] = page("text/html; charset=utf-8", ARTICLE)
    done = tracker("fetch", "--allow-private", "--dry-run", f"{server.base}/articles/kursk.html", db=store_path)
    assert done.returncode == 0, done.stderr
    assert server.hits("/articles/kursk.html") == 1


# Through the Fetcher's transport seam: addresses and hops the loopback server cannot stand in for.
# These assume the address check is made by the Fetcher on each URL and each redirect hop, before the
# transport is asked (so it holds with any transport); IP literals need no DNS.

PUBLIC = "http://93.184.216.34"
"""A public address: allowed. Only ever answered by the mock transport."""
PRIVATE_TARGETS = [
    "http://127.0.0.1:8080/admin",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://10.0.0.1/internal",
    "http://[::1]/",
    "http://224.0.0.1/",
]


class Body(httpx.AsyncByteStream):
    """A response body as a real transport streams it (the Fetcher reads the raw stream itself)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.body:
            yield self.body


def reply(status: int, headers: dict[str, str], body: bytes = b"") -> httpx.Response:
    return httpx.Response(status, headers={**headers, "Content-Length": str(len(body))}, stream=Body(body))


def mock_fetcher(handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    from tracker.ingest.fetch import Fetcher, Limits

    limits = Limits(connect_timeout=1, read_timeout=1, deadline=5, retry_backoff=0)
    return Fetcher(limits, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
async def test_the_fetcher_refuses_a_private_address_before_any_request(target: str) -> None:
    """Finding 13: a private address is refused before the transport sees a request."""
    from tracker.ingest.fetch import HTML_TYPES, Fetcher

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return reply(200, {"Content-Type": "text/html"}, b"<p>secret</p>")

    async with mock_fetcher(handler) as fetcher:
        with pytest.raises(Fetcher.Error) as refused:
            await fetcher.get(target, accept=HTML_TYPES)
    assert seen == []
    assert REFUSED.search(refused.value.reason), refused.value.reason


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
async def test_a_redirect_from_a_public_host_to_a_private_address_is_refused_at_the_hop(target: str) -> None:
    """Finding 13: the feed's (public) host redirects to a private address: refused at that hop, never requested."""
    from tracker.ingest.fetch import FEED_TYPES, Fetcher

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "93.184.216.34":
            return reply(302, {"Location": target})
        return reply(200, {"Content-Type": "application/rss+xml"}, rss([]))

    async with mock_fetcher(handler) as fetcher:
        with pytest.raises(Fetcher.Error) as refused:
            await fetcher.get(f"{PUBLIC}/feed.xml", accept=FEED_TYPES)
    assert seen == [f"{PUBLIC}/feed.xml"], f"followed the redirect: {seen}"
    assert REFUSED.search(refused.value.reason), refused.value.reason


async def test_a_pull_does_not_fetch_items_at_private_addresses(store_path: Path) -> None:
    """Finding 13: a public feed with items at loopback, 169.254.169.254, 10/8...: only the public one is read."""
    from tracker.ingest.inbox import add_feed, feeds
    from tracker.ingest.pull import pull_feeds
    from tracker.store import Store

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/feed.xml":
            links = [*PRIVATE_TARGETS, f"{PUBLIC}/articles/kursk.html"]
            return reply(200, {"Content-Type": "application/rss+xml"}, rss(links))
        return reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE)

    store = Store(store_path)
    add_feed(store, f"{PUBLIC}/feed.xml")
    async with mock_fetcher(handler) as fetcher:
        report = await pull_feeds(store, feeds(store), fetcher)
    assert seen == [f"{PUBLIC}/feed.xml", f"{PUBLIC}/articles/kursk.html"], f"requested: {seen}"
    assert report.articles == 1
    assert len(report.article_errors) == len(PRIVATE_TARGETS)
    assert all(REFUSED.search(error) for error in report.article_errors), report.article_errors


# -- finding 14: an overall deadline, a cap on entries, a back-off ---------------------------------------


def pull(db: Path, timeout: float, **env: str) -> tuple[subprocess.CompletedProcess[str] | None, float]:
    """``tracker pull`` with the opt-in (the test server is on loopback); None if still running at ``timeout``."""
    started = time.monotonic()
    try:
        done = tracker("pull", db=db, timeout=timeout, TRACKER_ALLOW_PRIVATE="1", **env)
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - started
    return done, time.monotonic() - started


@pytest.fixture
def crowded_feed(store_path: Path, server: Server) -> Path:
    """A feed with 200 new entries (their articles are 404s, so each costs one quick request)."""
    server.routes["/feed.xml"] = page("application/rss+xml", rss([f"{server.base}/a/{n}.html" for n in range(200)]))
    follow(store_path, f"{server.base}/feed.xml")
    return store_path


def test_a_pull_fetches_at_most_50_new_entries_of_a_feed(crowded_feed: Path, server: Server) -> None:
    """Finding 14: the default cap on new entries per feed per pull is 50."""
    done, _ = pull(crowded_feed, 60)
    assert done is not None and "Traceback" not in done.stderr
    assert 0 < server.hits("/a/") <= 50, f"{server.hits('/a/')} article requests"


def test_the_entry_cap_is_set_by_the_environment(crowded_feed: Path, server: Server) -> None:
    """Finding 14: ``TRACKER_PULL_MAX_ENTRIES`` sets the cap."""
    done, _ = pull(crowded_feed, 60, TRACKER_PULL_MAX_ENTRIES="5")
    assert done is not None and "Traceback" not in done.stderr
    assert 0 < server.hits("/a/") <= 5, f"{server.hits('/a/')} article requests"


def test_a_pull_of_slow_loris_entries_ends_at_its_deadline(store_path: Path, server: Server) -> None:
    """Finding 14: six entries sending a byte every 0.5 s; TRACKER_PULL_DEADLINE=5 ends the pull by ~15 s, exit 1."""
    server.routes["/feed.xml"] = page("application/rss+xml", rss([f"{server.base}/slow/{n}" for n in range(6)]))
    for n in range(6):
        server.routes[f"/slow/{n}"] = slow_loris(0.5)
    follow(store_path, f"{server.base}/feed.xml")

    done, took = pull(store_path, 20, TRACKER_PULL_DEADLINE="5")

    assert done is not None, f"pull still running after {took:.0f} s (no overall deadline)"
    assert took < 15, f"took {took:.1f} s"
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deadline" in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_an_entry_that_timed_out_is_not_fetched_again_at_once(store_path: Path, server: Server) -> None:
    """Finding 14: an article that timed out (its server went silent) is backed off: the next pull skips it."""
    server.routes["/feed.xml"] = page("application/rss+xml", rss([f"{server.base}/silent/{n}" for n in range(2)]))
    for n in range(2):
        server.routes[f"/silent/{n}"] = silent()
    follow(store_path, f"{server.base}/feed.xml")

    first, took = pull(store_path, 60)
    assert first is not None, f"first pull still running after {took:.0f} s"
    tried = server.hits("/silent/")
    assert tried == 2, server.requests

    second = subprocess.Popen(
        [str(TRACKER), "--db", str(store_path), "pull"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(TRACKER_ALLOW_PRIVATE="1"),
    )
    try:
        deadline = time.monotonic() + 30
        while second.poll() is None and time.monotonic() < deadline and server.hits("/silent/") == tried:
            time.sleep(0.1)
        assert server.hits("/silent/") == tried, "the timed-out entries were requested again by the very next pull"
        assert second.poll() is not None, "the second pull is still waiting after 30 s"
    finally:
        if second.poll() is None:
            second.kill()
        second.communicate(timeout=10)
