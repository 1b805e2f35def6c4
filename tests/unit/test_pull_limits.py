"""What bounds a pull (issue 12, finding 14): the cap on new entries per feed, the back-off of an article
that timed out, and the pull's deadline; against httpx.MockTransport, no socket is opened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tracker.errors import InputError
from tracker.inbox_model import Backoff, Feed, FeedUpdate
from tracker.ingest import pull
from tracker.ingest.fetch import Fetcher, Limits
from tracker.ingest.inbox import add_feed, feeds
from tracker.ingest.pull import PullReport, pull_feeds
from tracker.store import Store

FEED = "http://news.test/feed.xml"
ARTICLE = "http://news.test/a/{n}"
Article = Callable[[httpx.Request], httpx.Response]


class Body(httpx.AsyncByteStream):
    """A streamed body; ``stall`` sends nothing, ever (the pull's deadline is what ends it)."""

    def __init__(self, body: bytes, *, stall: bool = False) -> None:
        self.body, self.stall = body, stall

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.stall:
            await asyncio.sleep(3600)
        if self.body:
            yield self.body


def rss(count: int) -> bytes:
    items = "".join(
        f"<item><title>Entry {n}</title><link>{ARTICLE.format(n=n)}</link>"
        f"<guid isPermaLink='false'>entry-{n}</guid></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def gone(request: httpx.Request) -> httpx.Response:
    """An article that cannot succeed: read once, never again."""
    return httpx.Response(404, stream=Body(b""))


def timing_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("silent", request=request)


class Site:
    """A feed of ``count`` entries (with an ETag) and its articles, answered by ``articles``; records requests."""

    def __init__(self, count: int, articles: dict[int, Article] | None = None) -> None:
        self.count, self.articles = count, articles or {}
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if request.url.path == "/feed.xml":
            body = rss(self.count)
            headers = {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Content-Length": str(len(body))}
            return httpx.Response(200, headers=headers, stream=Body(body))
        n = int(request.url.path.rsplit("/", 1)[1])
        return self.articles.get(n, gone)(request)

    def articles_requested(self) -> list[int]:
        return [int(path.rsplit("/", 1)[1]) for path in self.requests if path.startswith("/a/")]


async def pulled(store: Store, site: Site, limits: Limits | None = None, **options: Any) -> PullReport:
    site.requests.clear()
    transport = httpx.MockTransport(site)
    async with Fetcher(limits or Limits(deadline=10), transport=transport, allow_private=False) as fetcher:
        return await pull_feeds(store, feeds(store), fetcher, **options)


@pytest.fixture
def store(store_path: Path) -> Store:
    opened = Store(store_path)
    add_feed(opened, FEED, "Wire")
    return opened


def the_feed(store: Store) -> Feed:
    (feed,) = Store(store.path).feeds()
    return feed


def around(instant: str, wait: timedelta) -> bool:
    """True if ``instant`` is ``wait`` from now, give or take a minute."""
    when = datetime.fromisoformat(instant.removesuffix("Z")).replace(tzinfo=UTC)
    return abs(when - (datetime.now(UTC) + wait)) < timedelta(minutes=1)


# -- the cap on new entries -----------------------------------------------------------------------


async def test_a_pull_reads_at_most_max_entries_new_articles_and_the_rest_wait_their_turn(store: Store) -> None:
    site = Site(12)
    first = await pulled(store, site, max_entries=5)
    assert site.articles_requested() == [0, 1, 2, 3, 4]
    (result,) = first.feeds
    assert (result.new_entries, result.waiting) == (12, 7)
    feed = the_feed(store)
    assert len(feed.seen) == 5 and feed.etag == "", "validators wait until every new entry is read"
    assert feed.last_status == "ok; 7 article(s) waiting"

    await pulled(store, site, max_entries=5)
    assert site.articles_requested() == [5, 6, 7, 8, 9]
    last = await pulled(store, site, max_entries=5)
    assert site.articles_requested() == [10, 11] and last.feeds[0].waiting == 0
    assert the_feed(store).etag == '"v1"' and the_feed(store).last_status == "ok"


async def test_the_default_cap_is_50(store: Store) -> None:
    site = Site(60)
    report = await pulled(store, site)
    assert len(site.articles_requested()) == pull.MAX_ENTRIES == 50 and report.feeds[0].waiting == 10


# -- the back-off of an article that timed out -------------------------------------------------------


async def test_an_article_that_timed_out_is_backed_off_and_the_wait_doubles(store: Store) -> None:
    site = Site(2, {0: timing_out})
    first = await pulled(store, site)
    assert site.articles_requested() == [0, 1]
    (backoff,) = the_feed(store).backoff
    assert (backoff.key, backoff.failures) == ("entry-0", 1) and around(backoff.not_before, pull.BACKOFF_FIRST)
    assert first.backed_off == [(ARTICLE.format(n=0), backoff.not_before)]
    assert the_feed(store).seen == ("entry-1",)

    second = await pulled(store, site)
    assert site.articles_requested() == [], "the very next pull leaves it alone"
    assert (second.feeds[0].backed_off, second.feeds[0].next_try) == (1, backoff.not_before)
    assert the_feed(store).backoff == (backoff,) and the_feed(store).last_status == "ok; 1 article(s) backed off"

    ran_out(store, backoff)
    await pulled(store, site)
    assert site.articles_requested() == [0]
    (again,) = the_feed(store).backoff
    assert again.failures == 2 and around(again.not_before, 2 * pull.BACKOFF_FIRST)

    ran_out(store, again)
    site.articles[0] = gone
    await pulled(store, site)
    assert site.articles_requested() == [0]
    feed = the_feed(store)
    assert feed.backoff == () and feed.seen == ("entry-0", "entry-1") and feed.etag == '"v1"'
    assert orjson.loads(store.path.read_bytes())["feeds"]["1"]["backoff"] == {}, "cleared in the file too"


def ran_out(store: Store, backoff: Backoff) -> None:
    """As if the back-off's time had passed."""
    past = Backoff(backoff.key, "2000-01-01T00:00:00.000000Z", backoff.failures)
    store.update_feeds({the_feed(store).id: FeedUpdate("2000-01-01T00:00:00.000000Z", "ok", backoff=(past,))})


async def test_the_back_off_stops_doubling_at_a_day(store: Store) -> None:
    site = Site(1, {0: timing_out})
    await pulled(store, site)
    ran_out(store, Backoff("entry-0", "", 40))
    await pulled(store, site)
    (backoff,) = the_feed(store).backoff
    assert backoff.failures == 41 and around(backoff.not_before, pull.BACKOFF_MAX)


async def test_a_failure_that_is_quick_is_retried_at_once_without_a_back_off(store: Store) -> None:
    site = Site(1, {0: lambda request: httpx.Response(503, stream=Body(b""))})
    await pulled(store, site)
    await pulled(store, site)
    assert site.articles_requested() == [0] and the_feed(store).backoff == ()


# -- the deadline -------------------------------------------------------------------------------------


async def test_the_deadline_stops_the_pull_and_saves_what_was_read(store: Store) -> None:
    """One article stalls; the others wait behind it (one request at a time to the host). At the deadline the
    stalled one is backed off, the queued ones are not (they were never asked), and nothing is lost."""

    def stalled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/html"}, stream=Body(b"", stall=True))

    site = Site(3, {0: stalled})
    started = time.monotonic()
    report = await pulled(store, site, Limits(deadline=60, per_host=1), deadline=0.5)
    assert time.monotonic() - started < 5
    assert report.deadline_reached and report.deadline == 0.5
    assert report.unfinished == [ARTICLE.format(n=n) for n in range(3)]
    assert site.articles_requested() == [0]
    feed = the_feed(store)
    assert [b.key for b in feed.backoff] == ["entry-0"] and feed.seen == ()
    assert feed.last_status == "ok; 1 article(s) backed off, 2 article(s) stopped by the deadline"
    assert feed.etag == ""

    await pulled(store, site, Limits(deadline=60, per_host=1), deadline=5)
    assert site.articles_requested() == [1, 2], "the queued ones are read next time, the slow one waits"


async def test_a_feed_still_loading_at_the_deadline_fails_that_feed(store: Store) -> None:
    def stalled_feed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "application/rss+xml"}, stream=Body(b"", stall=True))

    async with Fetcher(Limits(deadline=60), transport=httpx.MockTransport(stalled_feed)) as fetcher:
        report = await pull_feeds(store, feeds(store), fetcher, deadline=0.3)
    (result,) = report.feeds
    assert report.deadline_reached and result.status == "failed"
    assert result.error == f"{FEED}: stopped at the pull's 0.3 s deadline"
    assert the_feed(store).last_status == "failed: stopped at the pull's 0.3 s deadline"


# -- the settings ---------------------------------------------------------------------------------------


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_PULL_DEADLINE", raising=False)
    monkeypatch.delenv("TRACKER_PULL_MAX_ENTRIES", raising=False)
    assert (pull.pull_deadline(), pull.pull_max_entries()) == (120, 50)
    monkeypatch.setenv("TRACKER_PULL_DEADLINE", "2.5")
    monkeypatch.setenv("TRACKER_PULL_MAX_ENTRIES", "7")
    assert (pull.pull_deadline(), pull.pull_max_entries()) == (2.5, 7)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_a_bad_deadline_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRACKER_PULL_DEADLINE", value)
    with pytest.raises(InputError, match=r"\$TRACKER_PULL_DEADLINE must be a number of seconds above 0"):
        pull.pull_deadline()


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "many"])
def test_a_bad_cap_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRACKER_PULL_MAX_ENTRIES", value)
    with pytest.raises(InputError, match=r"\$TRACKER_PULL_MAX_ENTRIES must be a whole number from 1"):
        pull.pull_max_entries()


def test_pull_with_a_bad_setting_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, invoke: Any, store_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_PULL_DEADLINE", "soon")
    before = store_path.read_bytes()
    result = invoke("pull", db=store_path)
    assert result.exit_code == 2
    assert result.stderr == "tracker: error: $TRACKER_PULL_DEADLINE must be a number of seconds above 0, not 'soon'\n"
    assert store_path.read_bytes() == before


# -- the stored state ------------------------------------------------------------------------------------


def test_a_feed_without_back_offs_is_stored_as_before_and_junk_reads_as_none() -> None:
    document = {"id": "fd_1", "url": FEED, "seen": []}
    assert Feed.from_json(document).backoff == () and "backoff" not in Feed.from_json(document).as_json()
    held = {"entry-0": {"not_before": "2025-04-02T10:00:00.000000Z", "failures": 3}}
    feed = Feed.from_json({**document, "backoff": held})
    assert feed.backoff == (Backoff("entry-0", "2025-04-02T10:00:00.000000Z", 3),)
    assert feed.as_json()["backoff"] == held
    junk = {"a": "soon", "b": {"not_before": 5, "failures": "many"}, "c": {"failures": True}}
    assert Feed.from_json({**document, "backoff": junk}).backoff == (Backoff("b", "5", 1), Backoff("c", "", 1))
    assert Feed.from_json({**document, "backoff": ["entry-0"]}).backoff == ()
