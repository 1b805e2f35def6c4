"""What the ingest commands print, as render.View objects (text only, never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from ..inbox_model import Candidate, CandidateStatus, Feed
from ..render import Block, Plain, View, url_text

if TYPE_CHECKING:  # the pull module brings httpx; listing the inbox must not
    from .pull import PullReport

FEED_COLUMNS = ["id", "name", "url", "last_pulled", "last_status"]
"""The feeds table's columns (text and csv); json shows every field of :meth:`Feed.listing`."""


CANDIDATE_COLUMNS = ["id", "status", "party", "issue", "speaker", "quote", "summary", "stated_on", "channel",
                     "suggested_stance", "cue", "sources", "statement_id"]  # fmt: skip
"""The csv and markdown columns: a candidate's fields, its sources as their URLs (json has every field)."""


def candidates_view(candidates: Sequence[Candidate], title: str = "Inbox") -> View:
    """The candidates as blocks, as the diff prints its changes: the id whole, the words wrapped at
    their indent, each source's URL whole on a line of its own. As table columns at 80 columns the id
    took 31 and left the sentence about 20, and the URL was folded where it could not be copied."""
    shown: list[RenderableType] = [Plain(title, style="bold")]
    for candidate in candidates:
        head = Plain(candidate.id, style="bold")
        head.append(f"  {candidate.party} · {candidate.issue}")
        if candidate.corroboration > 1:
            head.append(f"  {candidate.corroboration} sources", style="dim")
        if candidate.status is not CandidateStatus.NEW:
            head.append(f"  {candidate.status} {candidate.statement_id or ''}".rstrip(), style="italic")
        said: list[Text] = []
        if candidate.quote:
            said.append(Plain(f"“{candidate.quote}”"))
        said.append(Plain(candidate.summary, style="dim" if candidate.quote else ""))
        who = f"— {candidate.speaker or 'no speaker named'} · {candidate.stated_on or 'no date'}"
        said.append(Plain(who + (f" · {candidate.channel}" if candidate.channel else ""), style="dim"))
        suggestion = (
            f"suggested: {candidate.suggested_stance} (“{candidate.cue}”)"
            if candidate.suggested_stance
            else "no stance suggested"
        )
        said.append(Plain(suggestion, style="dim"))
        for source in candidate.sources:
            where = " · ".join(v for v in (source.outlet, source.published) if v)
            if where:
                said.append(Plain(where, style="dim"))
            if source.url:
                said.append(url_text(source.url))
        shown += [Block([head], indent=2), Block(said, indent=6)]
    data = [candidate.as_json() for candidate in candidates]
    rows = [
        [[s["url"] for s in item["sources"]] if name == "sources" else item[name] for name in CANDIDATE_COLUMNS]
        for item in data
    ]
    return View(
        data, list(CANDIDATE_COLUMNS), rows, title, Group(*shown) if candidates else None, empty="No candidates."
    )


def feeds_view(feeds: Sequence[Feed]) -> View:
    """The feeds as blocks: the id and name, the URL whole on a line of its own, when it was last pulled."""
    data = [feed.listing() for feed in feeds]
    shown: list[RenderableType] = [Plain("Feeds", style="bold")]
    for feed in feeds:
        head = Plain(feed.id, style="bold")
        head.append(f"  {feed.name or feed.title or '(no name)'}")
        pulled = f"last pulled {feed.last_pulled} — {feed.last_status}" if feed.last_pulled else "not pulled yet"
        shown += [Block([head], indent=2), Block([url_text(feed.url), Plain(pulled, style="dim")], indent=6)]
    rows = [[d[c] for c in FEED_COLUMNS] for d in data]
    return View(data, list(FEED_COLUMNS), rows, "Feeds", Group(*shown) if data else None, empty="No feeds yet.")


def pull_view(report: PullReport) -> View:
    """The pull summary: feeds ok/unchanged/failed, articles fetched/failed (with why), candidates added,
    and what waits for a later pull (over the entry cap, backed off after a timeout, stopped by the deadline)."""
    feeds = report.feeds
    counts = {s: sum(1 for f in feeds if f.status == s) for s in ("ok", "unchanged", "failed")}
    lines = Text(
        f"Feeds: {counts['ok']} ok, {counts['unchanged']} unchanged, {counts['failed']} failed\n"
        f"Articles: {report.articles} fetched, {len(report.article_errors)} failed\n"
        f"Candidates: {len(report.added)} added to the inbox, {len(report.corroborated)} corroborated by more sources"
    )
    for feed in feeds:
        if feed.error:
            lines.append(f"\nfeed failed: {feed.error}")
    for error in report.article_errors:
        lines.append(f"\narticle failed: {error}")
    lines.append(_waiting_lines(report))
    data = {
        "feeds": [f.as_json() for f in feeds],
        "articles": {
            "fetched": report.articles,
            "failed": list(report.article_errors),
            "backed_off": [{"url": url, "not_before": when} for url, when in report.backed_off],
            "unfinished": list(report.unfinished),
        },
        "candidates_added": len(report.added),
        "candidates": [candidate.as_json() for candidate in report.added],
        "candidates_corroborated": [candidate.as_json() for candidate in report.corroborated],
        "deadline": {"seconds": report.deadline, "reached": report.deadline_reached},
    }
    rows = [[f.id, f.url, f.status, f.error, f.new_entries] for f in feeds]
    return View(data, ["feed", "url", "status", "error", "new_entries"], rows, "Pull", Group(lines))


def _waiting_lines(report: PullReport) -> str:
    """One line for each thing a later pull picks up; nothing when the pull finished everything."""
    lines: list[str] = []
    for feed in report.feeds:
        name = feed.name or feed.url
        if feed.waiting:
            lines.append(
                f"waiting: {feed.waiting} new article(s) of {name} over the cap of {report.max_entries} a pull"
                " (TRACKER_PULL_MAX_ENTRIES): read by the next pulls"
            )
        if feed.backed_off:
            lines.append(
                f"backed off: {feed.backed_off} article(s) of {name} that were too slow before:"
                f" next try after {_when(feed.next_try)}"
            )
    for url, not_before in report.backed_off:
        too_slow = "was too slow (timed out, or still loading at the deadline)"
        lines.append(f"backed off: {url} {too_slow}: next try after {_when(not_before)}")
    if report.unfinished:
        lines.append(
            f"deadline: {len(report.unfinished)} article(s) unfinished at the {report.deadline:g} s deadline"
            " (TRACKER_PULL_DEADLINE): those not yet requested are tried at the next pull"
        )
    return "".join(f"\n{line}" for line in lines)


def _when(instant: str) -> str:
    """A stored instant to the minute, as a summary line says it."""
    return f"{instant[:16].replace('T', ' ')} UTC" if len(instant) >= 16 else "its back-off ends"
