"""RSS and Atom documents, parsed by feedparser from the bytes we fetched.

feedparser.parse() also accepts URLs and file names and would open them
itself; we always hand it a BytesIO of the body, so it never touches the
network or the disk, and fetching stays in fetch.py under our limits.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from ..errors import FetchError, InputError
from ..model import is_web_url, sanitise
from .fetch import FEED_TYPES, HTML_TYPES, Fetched, Fetcher


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a fetched feed document: an article to fetch."""

    key: str
    """What identifies the entry across pulls: its guid/id, else its link."""
    url: str
    title: str
    published: str
    """ISO date, or empty."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A fetched RSS or Atom document, as parsed (the feed followed is :class:`tracker.inbox_model.Feed`)."""

    title: str
    entries: tuple[FeedItem, ...]


def iso_day(parsed: Any) -> str:
    """A feedparser ``*_parsed`` time tuple (UTC) as an ISO date, or empty."""
    if not isinstance(parsed, time.struct_time):
        return ""
    return time.strftime("%Y-%m-%d", parsed)


def parse_feed(fetched: Fetched) -> ParsedFeed:
    """The entries of an RSS/Atom document; a document with none that also fails to parse is an error."""
    import feedparser  # type: ignore[import-untyped]  # no stubs; loaded only when a pull parses

    headers = {
        "content-type": fetched.headers.get("content-type", fetched.content_type or "application/xml"),
        "content-location": fetched.url,  # so relative links resolve against where the feed came from
    }
    try:
        document = feedparser.parse(io.BytesIO(fetched.body), response_headers=headers)
    except Exception as error:  # feedparser is lenient, but one odd feed must not stop a pull
        raise Fetcher.Error(fetched.url, f"could not parse the feed ({type(error).__name__})") from None
    entries = []
    for item in document.get("entries", []):
        link = sanitise(str(item.get("link") or ""))
        if not link.startswith(("http://", "https://")):
            continue
        entries.append(
            FeedItem(
                key=sanitise(str(item.get("id") or link)),
                url=link,
                title=sanitise(str(item.get("title") or "")),
                published=iso_day(item.get("published_parsed") or item.get("updated_parsed")),
            )
        )
    if not entries and (document.get("bozo") or not document.get("version")):
        problem = document.get("bozo_exception")
        detail = f" ({sanitise(str(problem))})" if problem else ""
        raise Fetcher.Error(fetched.url, f"not a readable RSS or Atom feed{detail}")
    return ParsedFeed(title=sanitise(str(document.get("feed", {}).get("title") or "")), entries=tuple(entries))


# -- feeds add: read it once before following it ----------------------------------------

NO_CHECK_HINT = "`feeds add --no-check` follows it without reading it first"


def check_feed(url: str, *, allow_private: bool) -> ParsedFeed:
    """Fetch ``url`` once, as a pull will, and read it as a feed: what ``feeds add`` follows.

    A web page (often the site's front page, pasted instead of its feed) is refused with the
    feed it names in its ``<link rel="alternate">``, if any; so is anything else that is no
    RSS or Atom feed (a 404, an image, XML that does not parse): an :class:`InputError`. A server
    that cannot be reached or fails (a timeout, a refused connection, a 503) is a
    :class:`FetchError` that says how to follow the feed without reading it.
    """

    async def read() -> Fetched:
        async with Fetcher(allow_private=allow_private) as fetcher:
            return await fetcher.get(url, accept=FEED_TYPES | HTML_TYPES)

    try:
        fetched = asyncio.run(read())
        if fetched.content_type in HTML_TYPES:
            named = feed_link(fetched)
            raise InputError(
                f"not a feed: {url} is a web page ({fetched.content_type}), not RSS or Atom"
                + (f"; it names its feed at {named}: follow that" if named else "")
            )
        return parse_feed(fetched)
    except Fetcher.Error as error:
        if error.transient:
            raise FetchError(url, f"could not check it ({error.reason}); nothing was added ({NO_CHECK_HINT})") from None
        raise InputError(f"not a feed: {error}") from None


class _AlternateLinks(HTMLParser):
    """The ``href`` of every ``<link rel="alternate" type="…feed type…">`` of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        given = {name: value or "" for name, value in attrs}
        kind = given.get("type", "").split(";")[0].strip().lower()
        if "alternate" in given.get("rel", "").lower().split() and kind in FEED_TYPES and given.get("href"):
            self.found.append(given["href"])


def feed_link(page: Fetched) -> str:
    """The first feed a web page names as its alternate (an absolute http(s) URL, cleaned), or ""."""
    parser = _AlternateLinks()
    try:
        parser.feed(page.body.decode(page.charset or "utf-8", errors="replace"))
    except LookupError:  # a charset Python does not know
        parser.feed(page.body.decode("utf-8", errors="replace"))
    for href in parser.found:
        link = sanitise(urljoin(page.url, href))
        if is_web_url(link):
            return link
    return ""
