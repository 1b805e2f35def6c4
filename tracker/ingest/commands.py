"""The ingest commands: ``feeds``, ``pull``, ``fetch`` and ``inbox``.

cli.py imports this module on every start, so the network side (httpx,
feedparser, trafilatura) is imported inside the commands that use it, never
here: ``tracker matrix`` should not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from .. import dates
from ..dates import now_instant
from ..options import FormatOpt, context, iso_date
from ..render import Format, emit, revision_view
from . import inbox
from .views import candidates_view, feeds_view

if TYPE_CHECKING:
    from .extract import Article

Opt = typer.Option


def feeds_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="The RSS or Atom feed's address.")],
    name: Annotated[str, Opt("--name", help="A short name; also the outlet of its articles.")] = "",
) -> None:
    """Follow a feed; prints its id."""
    doc = inbox.add_feed(context(ctx).store(), url, name)
    typer.echo(doc["id"])


def feeds_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The feeds followed, with when each was last pulled and how it went."""
    emit(feeds_view(inbox.feeds(context(ctx).store())), fmt)


def feeds_remove(ctx: typer.Context, feed_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Stop following a feed (its candidates stay in the inbox)."""
    doc = inbox.remove_feed(context(ctx).store(), feed_id)
    typer.echo(f"Removed feed {doc['id']} ({doc['url']}).")


def pull(
    ctx: typer.Context,
    feed: Annotated[list[str] | None, Opt("--feed", help="Only this feed id (repeatable).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fetch every feed and its new articles; matching sentences go to the inbox."""
    from . import pull as pulling

    store = context(ctx).store()
    chosen = inbox.select_feeds(store, feed or [])
    if not chosen:
        typer.echo("No feeds to pull: add one with `tracker feeds add URL`.")
        return
    from .views import pull_view

    try:
        with pulling.RichProgress() as progress:
            report = pulling.run(store, chosen, progress=progress)
    except KeyboardInterrupt:
        # Everything is saved in one write at the end, so an interrupted pull leaves the store as it was.
        typer.echo("Interrupted: nothing was saved.", err=True)
        raise typer.Exit(130) from None
    emit(pull_view(report), fmt)


def fetch(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="An article page.")],
    dry_run: Annotated[bool, Opt("--dry-run", help="Only print the candidates; add nothing.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Read one article page and add its candidate sentences to the inbox."""
    import asyncio

    from .extract import candidate_docs
    from .fetch import Fetcher
    from .pull import fetch_article

    store = context(ctx).store()

    async def read() -> Article:
        async with Fetcher() as fetcher:
            return await fetch_article(fetcher, url)

    article = asyncio.run(read())
    found = candidate_docs(
        article,
        store.codebook,
        fetched_at=now_instant(),
        new_id=(lambda: "") if dry_run else inbox.new_candidate_id,
    )
    if dry_run:
        emit(candidates_view(found, "Candidates (dry run: nothing added)"), fmt)
        return
    added = inbox.save_pull(store, {}, found)
    if len(added) < len(found):
        typer.echo(f"{len(found) - len(added)} candidate(s) already in the inbox.", err=True)
    emit(candidates_view(added, "Added to the inbox"), fmt)


def inbox_list(
    ctx: typer.Context,
    status: Annotated[str, Opt("--status", help="new (default), accepted, rejected or all.")] = "new",
    fmt: FormatOpt = Format.table,
) -> None:
    """Candidates waiting for review (or, with --status, those already decided)."""
    if ctx.invoked_subcommand is None:
        docs = inbox.candidates(context(ctx).store(), status)
        emit(candidates_view(docs, f"Inbox ({status})"), fmt)


def inbox_accept(
    ctx: typer.Context,
    candidate_id: Annotated[str, typer.Argument(metavar="ID", help="The candidate (cand_…).")],
    stance: Annotated[str, Opt("--stance", help="Stance code on the issue's scale (see `tracker issues`).")],
    party: Annotated[str | None, Opt("--party", help="Another party than the one matched.")] = None,
    issue: Annotated[str | None, Opt("--issue", help="Another issue than the one matched.")] = None,
    date: Annotated[str | None, Opt("--date", help=f"When it was stated (default: published): {dates.HELP}.")] = None,
    summary: Annotated[str | None, Opt("--summary", help="One-sentence summary of the position.")] = None,
    speaker: Annotated[str | None, Opt("--speaker", help="Who said it, if not the speaker found.")] = None,
    grade: Annotated[str | None, Opt("--grade", help="Admiralty grade, e.g. B2.")] = None,
    channel: Annotated[str | None, Opt("--channel", help="Default media-report.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a candidate as a statement sourced to its article; prints the statement's id."""
    statement = inbox.accept(
        context(ctx).store(),
        candidate_id,
        stance=stance,
        party=party,
        issue=issue,
        stated_on=iso_date(date),
        summary=summary,
        speaker=speaker,
        grade=grade,
        channel=channel,
    )
    emit(revision_view(statement), fmt)


def inbox_reject(
    ctx: typer.Context, candidate_id: Annotated[str, typer.Argument(metavar="ID", help="The candidate (cand_…).")]
) -> None:
    """Drop a candidate; the same sentence from the same article is not proposed again."""
    inbox.reject(context(ctx).store(), candidate_id)
    typer.echo(f"Rejected {candidate_id}.")


def register(app: typer.Typer) -> None:
    """Add the ingest commands to the ``tracker`` app."""
    feeds_app = typer.Typer(cls=TyperGroup, help="The RSS/Atom feeds to pull.", no_args_is_help=True)
    feeds_app.command("add")(feeds_add)
    feeds_app.command("list")(feeds_list)
    feeds_app.command("remove")(feeds_remove)
    app.add_typer(feeds_app, name="feeds")
    app.command("pull")(pull)
    app.command("fetch")(fetch)
    inbox_app = typer.Typer(cls=TyperGroup, help="Review candidate statements found by pull and fetch.")
    inbox_app.callback(invoke_without_command=True)(inbox_list)
    inbox_app.command("accept")(inbox_accept)
    inbox_app.command("reject")(inbox_reject)
    app.add_typer(inbox_app, name="inbox")
