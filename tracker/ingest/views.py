"""What the ingest commands print, as render.View objects (text only, never markup)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..render import View

if TYPE_CHECKING:  # the pull module brings httpx; listing the inbox must not
    from .pull import PullReport

CANDIDATE_FIELDS = (
    "id", "status", "party", "issue", "sentence", "speaker", "url", "title", "outlet", "published",
    "fetched_at", "statement_id",
)  # fmt: skip
"""The inbox candidate's JSON shape (DESIGN.md)."""

FEED_FIELDS = ("id", "name", "url", "title", "last_pulled", "last_status", "etag", "last_modified")


def candidate_json(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {name: doc.get(name, None if name == "statement_id" else "") for name in CANDIDATE_FIELDS}


def candidates_view(docs: Sequence[Mapping[str, Any]], title: str = "Inbox") -> View:
    table = Table(title=Text(title), title_justify="left", show_lines=True)
    for column, options in (("id", {"no_wrap": True}), ("party · issue", {}), ("said", {"ratio": 1})):
        table.add_column(column, overflow="fold", **options)
    for doc in docs:
        said = Text(str(doc.get("sentence", "")))
        said.append(f"\n— {doc.get('speaker') or 'no speaker named'}", style="dim")
        source = " · ".join(str(doc.get(k)) for k in ("outlet", "published", "url") if doc.get(k))
        said.append(f"\n{source}", style="dim")
        state = "" if doc.get("status") == "new" else f"\n{doc.get('status')} {doc.get('statement_id') or ''}"
        table.add_row(Text(str(doc.get("id", ""))), Text(f"{doc.get('party')} · {doc.get('issue')}{state}"), said)
    return View(
        [candidate_json(doc) for doc in docs],
        list(CANDIDATE_FIELDS),
        [[candidate_json(doc)[name] for name in CANDIDATE_FIELDS] for doc in docs],
        title,
        table if docs else None,
        empty="No candidates.",
    )


def feeds_view(docs: Sequence[Mapping[str, Any]]) -> View:
    data = [{name: doc.get(name, "") for name in FEED_FIELDS} for doc in docs]
    columns = ["id", "name", "url", "last_pulled", "last_status"]
    table = Table(title=Text("Feeds"), title_justify="left")
    for column in columns:
        table.add_column(column, no_wrap=column in ("id", "last_pulled"), overflow="fold")
    for d in data:
        table.add_row(*(Text(str(d[c])) for c in columns))
    rows = [[d[c] for c in columns] for d in data]
    return View(data, columns, rows, "Feeds", table if data else None, empty="No feeds yet.")


def pull_view(report: PullReport) -> View:
    """The pull summary: feeds ok/unchanged/failed, articles fetched/failed (with why), candidates added."""
    feeds = report.feeds
    counts = {s: sum(1 for f in feeds if f.status == s) for s in ("ok", "unchanged", "failed")}
    lines = Text(
        f"Feeds: {counts['ok']} ok, {counts['unchanged']} unchanged, {counts['failed']} failed\n"
        f"Articles: {report.articles} fetched, {len(report.article_errors)} failed\n"
        f"Candidates: {len(report.added)} added to the inbox"
    )
    for feed in feeds:
        if feed.error:
            lines.append(f"\nfeed failed: {feed.error}")
    for error in report.article_errors:
        lines.append(f"\narticle failed: {error}")
    data = {
        "feeds": [f.as_json() for f in feeds],
        "articles": {"fetched": report.articles, "failed": list(report.article_errors)},
        "candidates_added": len(report.added),
        "candidates": [candidate_json(doc) for doc in report.added],
    }
    rows = [[f.id, f.url, f.status, f.error, f.new_entries] for f in feeds]
    return View(data, ["feed", "url", "status", "error", "new_entries"], rows, "Pull", Group(lines))
