"""The fetcher's limits, against httpx.MockTransport: no socket is opened."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from tracker.ingest.fetch import FEED_TYPES, HTML_TYPES, USER_AGENT, Fetched, Fetcher, Limits
from tracker.ingest.inbox import add_feed, feeds
from tracker.ingest.pull import pull_feeds
from tracker.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = Limits(connect_timeout=1, read_timeout=1, deadline=0.5, max_bytes=50_000, max_decoded=200_000, retry_backoff=0)

Handler = Callable[[httpx.Request], httpx.Response]


class Chunks(httpx.AsyncByteStream):
    """A body sent in chunks without a Content-Length; ``stall`` hangs after the first chunk."""

    def __init__(self, chunks: list[bytes], *, stall: bool = False) -> None:
        self.chunks, self.stall, self.sent = chunks, stall, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += len(chunk)
            yield chunk
            if self.stall:
                await asyncio.sleep(3600)


def reply(status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"") -> httpx.Response:
    """A streamed response, as a real transport gives: httpx would read an in-memory body (and inflate it) itself."""
    headers = {**(headers or {}), "Content-Length": str(len(body))} if body else headers or {}
    return httpx.Response(status, headers=headers, stream=Chunks([body] if body else []))


def fetcher(handler: Handler, limits: Limits = FAST) -> Fetcher:
    return Fetcher(limits, transport=httpx.MockTransport(handler))


async def get(handler: Handler, url: str = "http://feeds.test/feed", limits: Limits = FAST) -> Fetched:
    async with fetcher(handler, limits) as f:
        return await f.get(url, accept=FEED_TYPES)


async def fails(handler: Handler, url: str = "http://feeds.test/feed", limits: Limits = FAST) -> str:
    with pytest.raises(Fetcher.Error) as caught:
        await get(handler, url, limits)
    assert caught.value.url == url
    message = str(caught.value)
    assert message.startswith(f"{url}: ") and "\n" not in message
    return caught.value.reason


async def test_sends_user_agent_and_conditional_headers_and_handles_304() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"v1"':
            return reply(304, {"ETag": '"v1"'})
        return reply(200, {**RSS, "ETag": '"v1"'}, b"<rss/>")

    async with fetcher(handler) as f:
        first = await f.get("http://feeds.test/feed", accept=FEED_TYPES)
        second = await f.get(
            "http://feeds.test/feed", accept=FEED_TYPES, etag='"v1"', last_modified="Fri, 14 Mar 2025 18:00:00 GMT"
        )
    assert (first.status, first.body, first.etag, first.not_modified) == (200, b"<rss/>", '"v1"', False)
    assert second.not_modified and second.body == b""
    assert seen[0].headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("tracker/")
    assert "If-None-Match" not in seen[0].headers
    assert seen[1].headers["If-Modified-Since"] == "Fri, 14 Mar 2025 18:00:00 GMT"


def redirecting(hops: int, final: bytes = b"<rss/>") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        step = int(request.url.params.get("hop", "0"))
        if step < hops:
            return reply(302, {"Location": f"/feed?hop={step + 1}"})
        return reply(200, RSS, final)

    return handler


async def test_follows_redirects_up_to_the_limit() -> None:
    async with fetcher(redirecting(5)) as f:
        fetched = await f.get("http://feeds.test/feed", accept=FEED_TYPES)
    assert fetched.url == "http://feeds.test/feed?hop=5" and fetched.body == b"<rss/>"


async def test_redirects_past_the_limit_fail() -> None:
    assert await fails(redirecting(6)) == "more than 5 redirects"


async def test_redirect_to_another_scheme_is_refused() -> None:
    reason = await fails(lambda request: reply(301, {"Location": "file:///etc/passwd"}))
    assert "file:///etc/passwd" in reason and "http/https only" in reason


async def test_only_http_urls_are_fetched() -> None:
    reason = await fails(lambda request: httpx.Response(200), url="ftp://feeds.test/feed")
    assert "http" in reason


async def test_wrong_content_type_fails() -> None:
    reason = await fails(lambda request: reply(200, {"Content-Type": "image/png"}, b"\x89PNG"))
    assert "'image/png'" in reason


async def test_html_is_not_a_feed_but_is_an_article() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return reply(200, HTML, b"<html></html>")

    assert "text/html" in await fails(handler)
    async with fetcher(handler) as f:
        page = await f.get("http://news.test/a", accept=HTML_TYPES)
    assert page.content_type == "text/html" and page.charset == "utf-8"


async def test_http_error_status_fails_with_the_status() -> None:
    assert await fails(lambda request: reply(500)) == "HTTP 500 Internal Server Error"


async def test_declared_body_over_the_cap_fails_before_reading() -> None:
    reason = await fails(lambda request: reply(200, RSS, b"x" * 60_000))
    assert "60,000 bytes" in reason and "50,000-byte cap" in reason


async def test_streamed_body_over_the_cap_stops_at_the_cap() -> None:
    stream = Chunks([b"x" * 10_000] * 100)
    reason = await fails(lambda request: httpx.Response(200, headers=RSS, stream=stream))
    assert reason == "body over the 50,000-byte cap"
    assert stream.sent <= 60_000  # it stopped reading, rather than reading 1 MB and then complaining


async def test_gzip_body_is_inflated() -> None:
    body = (FIXTURES / "feed.xml").read_bytes()
    headers = {**RSS, "Content-Encoding": "gzip"}
    fetched = await get(lambda request: reply(200, headers, gzip.compress(body)))
    assert fetched.body == body


async def test_gzip_bomb_stops_at_the_decompressed_cap() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)  # ~20 kB that inflate to 20 MB
    assert len(bomb) < FAST.max_bytes
    headers = {**RSS, "Content-Encoding": "gzip"}
    reason = await fails(lambda request: reply(200, headers, bomb))
    assert "inflates past the 200,000-byte cap" in reason


async def test_unsupported_content_encoding_fails() -> None:
    headers = {**RSS, "Content-Encoding": "br"}
    assert "unsupported content encoding 'br'" in await fails(lambda r: reply(200, headers, b"x"))


async def test_a_server_that_stalls_mid_body_is_cut_off_by_the_deadline() -> None:
    stream = Chunks([b"<rss>", b"</rss>"], stall=True)
    started = time.monotonic()
    reason = await fails(lambda request: httpx.Response(200, headers=RSS, stream=stream))
    assert reason == "gave up after 0.5 s (deadline)"
    assert time.monotonic() - started < 2


async def test_connect_errors_are_retried_then_reported() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return reply(200, RSS, b"<rss/>")

    fetched = await get(flaky)
    assert fetched.status == 200 and len(calls) == 2

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert await fails(down) == "could not connect (connection refused)"


async def test_one_host_gets_at_most_two_requests_at_once() -> None:
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}

    async def slow(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        most[host] = max(most.get(host, 0), in_flight[host])
        await asyncio.sleep(0.02)
        in_flight[host] -= 1
        return reply(200, HTML, b"<html></html>")

    async with Fetcher(FAST, transport=httpx.MockTransport(slow)) as f:
        urls = [f"http://{host}.test/{n}" for host in ("a", "b") for n in range(6)]
        await asyncio.gather(*(f.get(url, accept=HTML_TYPES) for url in urls))
    assert most == {"a.test": 2, "b.test": 2}


# -- a pull over several feeds, one of them failing ------------------------------------------------


def site(failing: set[str]) -> Handler:
    """Two RSS feeds and one Atom feed on a fake host; paths in ``failing`` answer 500."""
    pages = {
        "/feed.xml": ("application/rss+xml", "feed.xml"),
        "/atom.xml": ("application/atom+xml", "atom.xml"),
        "/broken.xml": ("application/rss+xml", None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in failing:
            return reply(500)
        if path == "/broken.xml":
            return reply(200, {"Content-Type": "text/xml"}, b"<rss><channel><item><title>x")
        if path in pages:
            kind, name = pages[path]
            body = (FIXTURES / str(name)).read_text().replace("{base}", "http://news.test")
            return reply(200, {"Content-Type": kind}, body.encode())
        if path.startswith("/articles/"):
            return reply(200, HTML, (FIXTURES / path.rsplit("/", 1)[1]).read_bytes())
        return reply(404)

    return handler


async def test_a_failing_feed_does_not_stop_the_others(store_path: Path) -> None:
    store = Store(store_path)
    for path in ("/feed.xml", "/atom.xml", "/down.xml"):
        add_feed(store, f"http://news.test{path}")
    async with fetcher(site({"/down.xml"}), Limits(deadline=10)) as f:
        report = await pull_feeds(store, feeds(store), f)
    assert [(r.status, r.error) for r in report.feeds] == [
        ("ok", ""),
        ("ok", ""),
        ("failed", "http://news.test/down.xml: HTTP 500 Internal Server Error"),
    ]
    assert report.articles == 3 and not report.article_errors
    assert {(c.party, c.issue) for c in report.added} >= {("russia", "kursk"), ("usa", "nato")}
    assert Store(store.path).candidates() == report.added  # written


async def test_malformed_xml_fails_that_feed_only(store_path: Path) -> None:
    store = Store(store_path)
    add_feed(store, "http://news.test/broken.xml")
    add_feed(store, "http://news.test/atom.xml")
    async with fetcher(site(set()), Limits(deadline=10)) as f:
        report = await pull_feeds(store, feeds(store), f)
    broken, atom = report.feeds
    assert broken.status == "failed" and "not a readable RSS or Atom feed" in broken.error
    assert atom.status == "ok" and report.added


async def test_a_failing_article_is_reported_and_retried_next_pull(store_path: Path) -> None:
    store = Store(store_path)
    add_feed(store, "http://news.test/feed.xml")
    async with fetcher(site({"/articles/kursk-surrender.html"}), Limits(deadline=10)) as f:
        report = await pull_feeds(store, feeds(store), f)
    assert report.article_errors == ["http://news.test/articles/kursk-surrender.html: HTTP 500 Internal Server Error"]
    assert report.articles == 1
    (feed,) = feeds(store)
    assert feed.seen == ("wire-ceasefire-masks",)  # the failed one is tried again next time
    async with fetcher(site(set()), Limits(deadline=10)) as f:
        again = await pull_feeds(store, feeds(store), f)
    assert again.articles == 1 and not again.article_errors
    assert {c.source.url for c in again.added} == {"http://news.test/articles/kursk-surrender.html"}


async def test_an_article_that_cannot_succeed_is_reported_once(store_path: Path) -> None:
    store = Store(store_path)
    add_feed(store, "http://news.test/feed.xml")
    handler = site(set())

    def gone(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/articles/kursk-surrender.html":
            return reply(404)
        response = handler(request)
        if request.url.path == "/feed.xml":
            response.headers["ETag"] = '"feed-v1"'
        return response

    async with fetcher(gone, Limits(deadline=10)) as f:
        report = await pull_feeds(store, feeds(store), f)
    assert report.article_errors == ["http://news.test/articles/kursk-surrender.html: HTTP 404 Not Found"]
    (feed,) = feeds(store)
    assert feed.seen == ("wire-kursk-surrender", "wire-ceasefire-masks")
    assert feed.etag == '"feed-v1"' and feed.last_status == "ok"
