"""RSS and Atom documents, parsed by feedparser from the bytes we fetched.

feedparser.parse() also accepts URLs and file names and would open them
itself; we always hand it a BytesIO of the body, so it never touches the
network or the disk, and fetching stays in fetch.py under our limits.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

from ..model import sanitise
from .fetch import Fetched, Fetcher


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
