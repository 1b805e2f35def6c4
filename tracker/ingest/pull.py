"""The pull: every feed at once, each new entry's article, candidates into the inbox.

Network and parsing run concurrently with one :class:`Fetcher`; the store is
written once at the end, under its lock. A feed or article that fails is
reported and skipped; it never stops the others. An article that failed in
a way that may pass (timeout, refused connection, 5xx) is left unseen, and the
feed's validators are not advanced, so the next pull tries it again; one that
cannot succeed (404, not HTML, no text, a private address) is reported once
and not fetched again.

A hostile or slow feed cannot hold a pull: the whole pull has a deadline
(``TRACKER_PULL_DEADLINE``, 120 s), after which what was read is saved and the
rest waits for the next pull (exit 1); a feed gives at most
``TRACKER_PULL_MAX_ENTRIES`` (50) new articles a pull, the rest wait their turn;
and an article that timed out (or was still being read at the deadline) is
backed off in the feed's state, 15 minutes the first time and twice as long at
each timeout in a row, up to a day, so the next pulls do not wait on it again.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from ..dates import format_instant, now_instant, seconds_from_env
from ..errors import InputError
from ..inbox_model import Backoff, Candidate, Feed, FeedUpdate
from ..model import Codebook
from ..store import Store
from . import inbox
from .extract import Article, NoText, find_candidates, read_article
from .feeds import FeedItem, parse_feed
from .fetch import FEED_TYPES, HTML_TYPES, Fetched, Fetcher

DEADLINE_ENV = "TRACKER_PULL_DEADLINE"
DEADLINE = 120.0
"""Seconds a whole pull may take, every feed and article included."""
MAX_ENTRIES_ENV = "TRACKER_PULL_MAX_ENTRIES"
MAX_ENTRIES = 50
"""New entries of one feed fetched by one pull; the rest wait for the next."""
BACKOFF_FIRST = timedelta(minutes=15)
"""How long an article that timed out is left alone; doubled at each further timeout in a row."""
BACKOFF_MAX = timedelta(days=1)


def pull_deadline() -> float:
    """``$TRACKER_PULL_DEADLINE`` seconds, else :data:`DEADLINE`; anything but a positive number is refused."""
    return seconds_from_env(DEADLINE_ENV, DEADLINE, above_zero=True)


def pull_max_entries() -> int:
    """``$TRACKER_PULL_MAX_ENTRIES``, else :data:`MAX_ENTRIES`; anything but a whole number from 1 is refused."""
    raw = os.environ.get(MAX_ENTRIES_ENV, "").strip()
    if not raw:
        return MAX_ENTRIES
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"${MAX_ENTRIES_ENV} must be a whole number from 1, not {raw[:80]!r}")
    return int(raw)


class _Outcome(Enum):
    """How one entry's article went, for what the feed remembers of it."""

    DONE = "done"
    """Read, or failed for good (404, not HTML): seen, never fetched again."""
    RETRY = "retry"
    """Failed quickly in a way that may pass (a 503, a refused connection): the next pull tries again."""
    SLOW = "slow"
    """Timed out, or was still being read at the deadline: backed off."""
    UNSTARTED = "unstarted"
    """Still queued when the deadline came: the next pull tries it, without a back-off."""


@dataclass
class FeedResult:
    """How one feed went: ``ok``, ``unchanged`` (304) or ``failed``."""

    id: str
    url: str
    name: str
    status: str = "ok"
    error: str = ""
    new_entries: int = 0
    waiting: int = 0
    """New entries over the cap of one pull: fetched by a later pull."""
    backed_off: int = 0
    """New entries left alone because they timed out before and their back-off has not run out."""
    next_try: str = ""
    """When the first of those may be tried again."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "name": self.name,
            "status": self.status,
            "error": self.error,
            "new_entries": self.new_entries,
            "waiting": self.waiting,
            "backed_off": self.backed_off,
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
    corroborated: list[Candidate] = field(default_factory=list)
    """Candidates waiting for review that the pull found in more outlets (with every source now)."""
    feed_changes: dict[str, FeedUpdate] = field(default_factory=dict)
    """What the pull learnt of each feed, by feed id."""
    deadline: float = DEADLINE
    max_entries: int = MAX_ENTRIES
    deadline_reached: bool = False
    """The pull stopped at its deadline: some feeds or articles were not finished."""
    unfinished: list[str] = field(default_factory=list)
    """The articles the deadline stopped (URLs): the next pull tries them."""
    backed_off: list[tuple[str, str]] = field(default_factory=list)
    """(URL, not before) for each article backed off by this pull: it timed out, or was being read at the
    deadline."""


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
    fetcher: Fetcher,
    url: str,
    *,
    title: str = "",
    outlet: str = "",
    published: str = "",
    on_request: Callable[[], None] | None = None,
) -> Article:
    """Fetch one page and read its main text; failures are :class:`Fetcher.Error`."""
    page = await fetcher.get(url, accept=HTML_TYPES, on_request=on_request)
    try:
        # trafilatura is synchronous and CPU-bound: keep the event loop free for the other downloads.
        return await asyncio.to_thread(
            read_article, decoded(page), url=url, title=title, outlet=outlet, published=published
        )
    except NoText as error:
        raise Fetcher.Error(url, str(error)) from None
    except Exception as error:  # the extractor's own failures on odd pages must not stop the pull
        raise Fetcher.Error(url, f"could not read the page ({type(error).__name__}: {error})") from None


@dataclass(frozen=True, slots=True)
class _Pull:
    """What every feed of one pull shares."""

    fetcher: Fetcher
    book: Codebook
    report: PullReport
    progress: Progress
    deadline_at: float
    """The event loop's clock at the pull's deadline."""
    now: datetime


async def _pull_feed(pull: _Pull, feed: Feed) -> None:
    report = pull.report
    result = FeedResult(feed.id, feed.url, feed.name)
    report.feeds.append(result)
    pulled_at = now_instant()
    try:
        async with asyncio.timeout_at(pull.deadline_at):
            response = await pull.fetcher.get(
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
    except TimeoutError:
        report.deadline_reached = True
        why = f"stopped at the pull's {report.deadline:g} s deadline"
        result.status, result.error = "failed", f"{feed.url}: {why}"
        report.feed_changes[result.id] = FeedUpdate(pulled_at, f"failed: {why}")
        return
    except Fetcher.Error as error:
        result.status, result.error = "failed", str(error)
        report.feed_changes[result.id] = FeedUpdate(pulled_at, f"failed: {error.reason}")
        return
    finally:
        pull.progress.feed_done()

    seen = set(feed.seen)
    held = {entry.key: entry for entry in feed.backoff}
    fresh = [entry for entry in parsed.entries if entry.key not in seen]
    resting = {entry.key for entry in fresh if _waiting(held.get(entry.key), pull.now)}
    due = [entry for entry in fresh if entry.key not in resting]
    chosen = due[: report.max_entries]
    result.new_entries = len(fresh)
    result.waiting = len(due) - len(chosen)
    result.backed_off = len(fresh) - len(due)
    result.next_try = min((held[key].not_before for key in resting), default="")
    outlet = result.name or parsed.title
    pull.progress.articles(len(chosen))
    outcomes = await asyncio.gather(*(_pull_entry(pull, entry, outlet) for entry in chosen))
    by_key = {entry.key: outcome for entry, outcome in zip(chosen, outcomes, strict=True)}
    # An entry is done unless it failed in a way that may pass (a timeout, a 503): those are tried again.
    done = {key for key, outcome in by_key.items() if outcome is _Outcome.DONE}
    slow = [entry for entry in chosen if by_key[entry.key] is _Outcome.SLOW]
    backoff = _backoff(held, {entry.key for entry in fresh}, done, [entry.key for entry in slow], pull.now)
    for entry in slow:
        report.backed_off.append((entry.url, backoff[entry.key].not_before))
    left = {
        "to retry": sum(1 for outcome in outcomes if outcome is _Outcome.RETRY),
        "backed off": len(slow) + result.backed_off,
        "waiting": result.waiting,
        "stopped by the deadline": sum(1 for outcome in outcomes if outcome is _Outcome.UNSTARTED),
    }
    pending = ", ".join(f"{count} article(s) {what}" for what, count in left.items() if count)
    report.feed_changes[result.id] = FeedUpdate(
        last_pulled=pulled_at,
        last_status=f"ok; {pending}" if pending else "ok",
        title=parsed.title,
        # Only entries still in the feed are remembered, so the list stays the feed's size.
        seen=tuple(entry.key for entry in parsed.entries if entry.key in seen or entry.key in done),
        # Advance the validators only when nothing new is left: a 304 would hide those entries.
        etag=None if pending else response.etag,
        last_modified=None if pending else response.last_modified,
        backoff=tuple(backoff.values()) if backoff or held else None,
    )


async def _pull_entry(pull: _Pull, entry: FeedItem, outlet: str) -> _Outcome:
    """Fetch and read one entry's article; how it went decides what the feed remembers of it."""
    report = pull.report
    started = False

    def on_request() -> None:
        nonlocal started
        started = True

    try:
        async with asyncio.timeout_at(pull.deadline_at):
            article = await fetch_article(
                pull.fetcher,
                entry.url,
                title=entry.title,
                outlet=outlet,
                published=entry.published,
                on_request=on_request,
            )
    except TimeoutError:  # the pull's deadline (the fetcher's own timeouts are Fetcher.Error)
        report.deadline_reached = True
        report.unfinished.append(entry.url)
        # One still being fetched or read is a slow one; one still queued behind the others is not.
        return _Outcome.SLOW if started else _Outcome.UNSTARTED
    except Fetcher.Error as error:
        report.article_errors.append(str(error))
        if error.timed_out:
            return _Outcome.SLOW
        return _Outcome.RETRY if error.transient else _Outcome.DONE
    finally:
        pull.progress.article_done()
    report.articles += 1
    report.found += find_candidates(article, pull.book, fetched_at=now_instant(), new_id=inbox.new_candidate_id)
    return _Outcome.DONE


def _waiting(backoff: Backoff | None, now: datetime) -> bool:
    """True while ``backoff`` says not to fetch its entry yet (an unreadable time has run out)."""
    if backoff is None:
        return False
    try:
        not_before = datetime.fromisoformat(backoff.not_before.removesuffix("Z")).replace(tzinfo=UTC)
    except ValueError:
        return False
    return now < not_before


def _backoff(
    held: Mapping[str, Backoff], fresh: set[str], done: set[str], slow: Iterable[str], now: datetime
) -> dict[str, Backoff]:
    """The feed's back-offs after a pull: the old ones of entries still new and not done, and one per slow entry.

    An entry read (or failed for good) drops its back-off; one that timed out
    again waits twice as long as the last time, up to :data:`BACKOFF_MAX`.
    """
    kept = {key: entry for key, entry in held.items() if key in fresh and key not in done}
    for key in slow:
        failures = held[key].failures + 1 if key in held else 1
        wait = min(BACKOFF_FIRST * 2 ** min(failures - 1, 16), BACKOFF_MAX)
        kept[key] = Backoff(key, format_instant(now + wait), failures)
    return kept


async def pull_feeds(
    store: Store,
    feeds: Sequence[Feed],
    fetcher: Fetcher,
    progress: Progress | None = None,
    *,
    deadline: float = DEADLINE,
    max_entries: int = MAX_ENTRIES,
) -> PullReport:
    """Pull ``feeds`` with ``fetcher`` (already entered) and save what they bring, in one write.

    At ``deadline`` seconds whatever is still running is stopped, and what was
    read by then is saved; ``max_entries`` new entries of a feed at most are fetched.
    """
    report = PullReport(deadline=deadline, max_entries=max_entries)
    pull = _Pull(
        fetcher,
        store.codebook,
        report,
        progress or Progress(),
        asyncio.get_running_loop().time() + deadline,
        datetime.now(UTC),
    )
    pull.progress.feeds(len(feeds))
    await asyncio.gather(*(_pull_feed(pull, feed) for feed in feeds))
    order = {feed.id: n for n, feed in enumerate(feeds)}
    report.feeds.sort(key=lambda r: order[r.id])
    report.article_errors.sort()
    report.unfinished.sort()
    report.backed_off.sort()
    report.found.sort(key=lambda candidate: candidate.source.url)  # stable: an article's statements keep their order
    saved = inbox.save_pull(store, report.feed_changes, report.found)
    report.added, report.corroborated = list(saved.added), list(saved.corroborated)
    return report


def run(
    store: Store,
    feeds: Sequence[Feed],
    *,
    fetcher_factory: Callable[[], Fetcher] = Fetcher,
    progress: Progress | None = None,
    deadline: float = DEADLINE,
    max_entries: int = MAX_ENTRIES,
) -> PullReport:
    """:func:`pull_feeds` from synchronous code (the CLI)."""

    async def main() -> PullReport:
        async with fetcher_factory() as fetcher:
            return await pull_feeds(store, feeds, fetcher, progress, deadline=deadline, max_entries=max_entries)

    return asyncio.run(main())


class RichProgress(Progress):
    """A transient Rich progress display on stderr (``tracker.progress.bars``, as every command's);
    silent with ``quiet`` (``pull --quiet``) and when stderr is not a terminal."""

    def __init__(self, *, quiet: bool = False) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

        from ..progress import bars

        self._bars = bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), quiet=quiet)
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
