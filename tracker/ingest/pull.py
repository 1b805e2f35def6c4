"""The pull: every feed at once, each new entry's article, candidates into the inbox.

Network and parsing run concurrently with one :class:`Fetcher`; the store is
written once at the end, under its lock. A feed or article that fails is
reported and skipped; it never stops the others. An article that failed in
a way that may pass (timeout, refused connection, 5xx) is left unseen, and the
feed's validators are not advanced, so the next pull tries it again; one that
cannot succeed (404, not HTML, no text) is reported once and not fetched again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..dates import now_instant
from ..inbox_model import Candidate, Feed, FeedUpdate
from ..model import Codebook
from ..store import Store
from . import inbox
from .extract import Article, NoText, find_candidates, read_article
from .feeds import FeedItem, parse_feed
from .fetch import FEED_TYPES, HTML_TYPES, Fetched, Fetcher


@dataclass
class FeedResult:
    """How one feed went: ``ok``, ``unchanged`` (304) or ``failed``."""

    id: str
    url: str
    name: str
    status: str = "ok"
    error: str = ""
    new_entries: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "name": self.name,
            "status": self.status,
            "error": self.error,
            "new_entries": self.new_entries,
        }


@dataclass
class PullReport:
    feeds: list[FeedResult] = field(default_factory=list)
    articles: int = 0
    """Articles fetched and read."""
    article_errors: list[str] = field(default_factory=list)
    """One line per article that failed: the URL and why."""
    found: list[Candidate] = field(default_factory=list)
    """Candidates found, before the inbox drops those it already has."""
    added: list[Candidate] = field(default_factory=list)
    """The candidates the inbox did not have: what the pull added."""
    feed_changes: dict[str, FeedUpdate] = field(default_factory=dict)
    """What the pull learnt of each feed, by feed id."""


class Progress:
    """What the pull tells its display; the default shows nothing."""

    def feeds(self, total: int) -> None: ...
    def feed_done(self) -> None: ...
    def articles(self, more: int) -> None: ...
    def article_done(self) -> None: ...


def decoded(fetched: Fetched) -> bytes | str:
    """An HTML body as text when the server named its charset, else bytes (the extractor sniffs them)."""
    if fetched.charset:
        try:
            return fetched.body.decode(fetched.charset, errors="replace")
        except LookupError:
            pass
    return fetched.body


async def fetch_article(
    fetcher: Fetcher, url: str, *, title: str = "", outlet: str = "", published: str = ""
) -> Article:
    """Fetch one page and read its main text; failures are :class:`Fetcher.Error`."""
    page = await fetcher.get(url, accept=HTML_TYPES)
    try:
        # trafilatura is synchronous and CPU-bound: keep the event loop free for the other downloads.
        return await asyncio.to_thread(
            read_article, decoded(page), url=url, title=title, outlet=outlet, published=published
        )
    except NoText as error:
        raise Fetcher.Error(url, str(error)) from None
    except Exception as error:  # the extractor's own failures on odd pages must not stop the pull
        raise Fetcher.Error(url, f"could not read the page ({type(error).__name__}: {error})") from None


async def _pull_feed(fetcher: Fetcher, feed: Feed, book: Codebook, report: PullReport, progress: Progress) -> None:
    result = FeedResult(feed.id, feed.url, feed.name)
    report.feeds.append(result)
    pulled_at = now_instant()
    try:
        response = await fetcher.get(
            result.url,
            accept=FEED_TYPES,
            etag=feed.etag,
            last_modified=feed.last_modified,
        )
        if response.not_modified:
            result.status = "unchanged"
            report.feed_changes[result.id] = FeedUpdate(pulled_at, "unchanged")
            return
        parsed = parse_feed(response)
    except Fetcher.Error as error:
        result.status, result.error = "failed", str(error)
        report.feed_changes[result.id] = FeedUpdate(pulled_at, f"failed: {error.reason}")
        return
    finally:
        progress.feed_done()

    seen = set(feed.seen)
    fresh = [entry for entry in parsed.entries if entry.key not in seen]
    result.new_entries = len(fresh)
    outlet = result.name or parsed.title
    progress.articles(len(fresh))
    outcomes = await asyncio.gather(*(_pull_entry(fetcher, entry, outlet, book, report, progress) for entry in fresh))
    # An entry is done unless it failed in a way that may pass (a timeout, a 503): those are tried again.
    done = {entry.key for entry, retry in zip(fresh, outcomes, strict=True) if not retry}
    retries = outcomes.count(True)
    report.feed_changes[result.id] = FeedUpdate(
        last_pulled=pulled_at,
        last_status="ok" if not retries else f"ok; {retries} article(s) to retry",
        title=parsed.title,
        # Only entries still in the feed are remembered, so the list stays the feed's size.
        seen=tuple(entry.key for entry in parsed.entries if entry.key in seen or entry.key in done),
        # Advance the validators only when nothing is left to retry: a 304 would hide those entries.
        etag=None if retries else response.etag,
        last_modified=None if retries else response.last_modified,
    )


async def _pull_entry(
    fetcher: Fetcher, entry: FeedItem, outlet: str, book: Codebook, report: PullReport, progress: Progress
) -> bool:
    """Fetch and read one entry's article; True if it failed and is worth another try."""
    try:
        article = await fetch_article(fetcher, entry.url, title=entry.title, outlet=outlet, published=entry.published)
    except Fetcher.Error as error:
        report.article_errors.append(str(error))
        return error.transient
    finally:
        progress.article_done()
    report.articles += 1
    report.found += find_candidates(article, book, fetched_at=now_instant(), new_id=inbox.new_candidate_id)
    return False


async def pull_feeds(
    store: Store, feeds: Sequence[Feed], fetcher: Fetcher, progress: Progress | None = None
) -> PullReport:
    """Pull ``feeds`` with ``fetcher`` (already entered) and save what they bring, in one write."""
    progress = progress or Progress()
    report = PullReport()
    book = store.codebook
    progress.feeds(len(feeds))
    await asyncio.gather(*(_pull_feed(fetcher, feed, book, report, progress) for feed in feeds))
    order = {feed.id: n for n, feed in enumerate(feeds)}
    report.feeds.sort(key=lambda r: order[r.id])
    report.article_errors.sort()
    report.found.sort(key=lambda candidate: candidate.url)  # stable: an article's sentences keep their order
    report.added = inbox.save_pull(store, report.feed_changes, report.found)
    return report


def run(
    store: Store,
    feeds: Sequence[Feed],
    *,
    fetcher_factory: Callable[[], Fetcher] = Fetcher,
    progress: Progress | None = None,
) -> PullReport:
    """:func:`pull_feeds` from synchronous code (the CLI)."""

    async def main() -> PullReport:
        async with fetcher_factory() as fetcher:
            return await pull_feeds(store, feeds, fetcher, progress)

    return asyncio.run(main())


class RichProgress(Progress):
    """A transient Rich progress display on stderr; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as Bars

        console = Console(stderr=True, markup=False, emoji=False, highlight=False)
        self._bars = Bars(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._feeds = self._bars.add_task("feeds", total=0)
        self._articles = self._bars.add_task("articles", total=0)

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    def feeds(self, total: int) -> None:
        self._bars.update(self._feeds, total=total)

    def feed_done(self) -> None:
        self._bars.advance(self._feeds)

    def articles(self, more: int) -> None:
        task = self._bars.tasks[self._articles]
        self._bars.update(self._articles, total=(task.total or 0) + more)

    def article_done(self) -> None:
        self._bars.advance(self._articles)
