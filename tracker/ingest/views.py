"""What the ingest commands print, as render.View objects (text only, never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..inbox_model import Candidate, CandidateStatus, Feed
from ..render import View

if TYPE_CHECKING:  # the pull module brings httpx; listing the inbox must not
    from .pull import PullReport

FEED_COLUMNS = ["id", "name", "url", "last_pulled", "last_status"]
"""The feeds table's columns (text and csv); json shows every field of :meth:`Feed.listing`."""


CANDIDATE_COLUMNS = ["id", "status", "party", "issue", "speaker", "quote", "summary", "stated_on", "channel",
                     "suggested_stance", "cue", "sources", "statement_id"]  # fmt: skip
"""The csv and markdown columns: a candidate's fields, its sources as their URLs (json has every field)."""


def candidates_view(candidates: Sequence[Candidate], title: str = "Inbox") -> View:
    table = Table(title=Text(title), title_justify="left", show_lines=True)
    for column, options in (("id", {"no_wrap": True}), ("party · issue", {}), ("statement", {"ratio": 1})):
        table.add_column(column, overflow="fold", **options)
    for candidate in candidates:
        said = Text()
        if candidate.quote:
            said.append(f"“{candidate.quote}”\n")
        said.append(candidate.summary, style="dim" if candidate.quote else "")
        said.append(f"\n— {candidate.speaker or 'no speaker named'} · {candidate.stated_on or 'no date'}", style="dim")
        said.append(f" · {candidate.channel}" if candidate.channel else "", style="dim")
        suggestion = (
            f"\nsuggested: {candidate.suggested_stance} (“{candidate.cue}”)"
            if candidate.suggested_stance
            else "\nno stance suggested"
        )
        said.append(suggestion, style="dim")
        count = candidate.corroboration
        said.append(f"\n{count} sources" if count > 1 else "", style="dim")
        for source in candidate.sources:
            said.append("\n" + " · ".join(v for v in (source.outlet, source.published, source.url) if v), style="dim")
        decided = candidate.status is not CandidateStatus.NEW
        state = f"\n{candidate.status} {candidate.statement_id or ''}" if decided else ""
        table.add_row(Text(candidate.id), Text(f"{candidate.party} · {candidate.issue}{state}"), said)
    data = [candidate.as_json() for candidate in candidates]
    rows = [
        [[s["url"] for s in shown["sources"]] if name == "sources" else shown[name] for name in CANDIDATE_COLUMNS]
        for shown in data
    ]
    return View(data, list(CANDIDATE_COLUMNS), rows, title, table if candidates else None, empty="No candidates.")


def feeds_view(feeds: Sequence[Feed]) -> View:
    data = [feed.listing() for feed in feeds]
    table = Table(title=Text("Feeds"), title_justify="left")
    for column in FEED_COLUMNS:
        table.add_column(column, no_wrap=column in ("id", "last_pulled"), overflow="fold")
    for d in data:
        table.add_row(*(Text(str(d[c])) for c in FEED_COLUMNS))
    rows = [[d[c] for c in FEED_COLUMNS] for d in data]
    return View(data, list(FEED_COLUMNS), rows, "Feeds", table if data else None, empty="No feeds yet.")


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
