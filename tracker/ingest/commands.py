"""The ingest commands: ``feeds``, ``pull``, ``fetch`` and ``inbox``.

cli.py imports this module on every start, so the network side (httpx,
feedparser, trafilatura), the inbox's own modules and the Rich views (``render``)
are imported inside the commands that use them, never here: ``tracker matrix``
should not pay for them, nor ``tracker --help`` for Rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .. import dates
from ..options import Context, format_option, iso_date, pass_context, quiet_option
from ..output_formats import Format

if TYPE_CHECKING:
    from .extract import Article

allow_private_option = click.option(
    "--allow-private",
    is_flag=True,
    help="Also read loopback, link-local and private addresses (an intranet feed); or TRACKER_ALLOW_PRIVATE=1.",
)
"""Without it, a host that is or resolves to a non-public address is refused: a feed's links are not
trusted to point where the analyst's machine should go."""


def _allowed(flag: bool) -> bool:
    from .addresses import allowed_by_environment

    return flag or allowed_by_environment()


@click.group(invoke_without_command=True)
@format_option
@pass_context
def feeds(context: Context, fmt: Format) -> None:
    """The RSS/Atom feeds to pull.

    Without a command, lists them (as `feeds list` does).
    """
    if click.get_current_context().invoked_subcommand is None:
        _list_feeds(context, fmt)


@feeds.command("add")
@click.argument("url", metavar="URL")
@click.option("--name", default="", help="A short name; also the outlet of its articles.")
@click.option(
    "--no-check", is_flag=True, help="Follow it without reading it first (offline, or while its server is down)."
)
@allow_private_option
@pass_context
def feeds_add(context: Context, url: str, name: str, no_check: bool, allow_private: bool) -> None:
    """Follow the RSS or Atom feed at URL; prints its id.

    The feed is read once first, as a pull reads it: a web page (a site's
    front page instead of its feed; the feed it names is suggested), a 404 or
    anything else that is no RSS or Atom feed is refused, and nothing is added.
    """
    from . import inbox

    store, allowed = context.store(), _allowed(allow_private)
    checked = inbox.check_feed_url(url, allow_private=allowed)  # the address first: a refusal sends nothing
    title = ""
    if not no_check:
        from .feeds import check_feed

        title = check_feed(checked, allow_private=allowed).title
    feed = inbox.add_feed(store, checked, name, allow_private=allowed, title=title)
    click.echo(feed.id)


@feeds.command("list")
@format_option
@pass_context
def feeds_list(context: Context, fmt: Format) -> None:
    """The feeds followed, with when each was last pulled and how it went."""
    _list_feeds(context, fmt)


def _list_feeds(context: Context, fmt: Format) -> None:
    from ..render import emit
    from . import inbox
    from .views import feeds_view

    emit(feeds_view(inbox.feeds(context.store())), fmt)


@feeds.command("remove")
@click.argument("feed_id", metavar="ID")
@pass_context
def feeds_remove(context: Context, feed_id: str) -> None:
    """Stop following a feed (its candidates stay in the inbox)."""
    from . import inbox

    feed = inbox.remove_feed(context.store(), feed_id)
    click.echo(f"Removed feed {feed.id} ({feed.url}).")


@click.command()
@click.option("--feed", multiple=True, help="Only this feed id (repeatable).")
@allow_private_option
@format_option
@quiet_option
@pass_context
def pull(context: Context, feed: tuple[str, ...], allow_private: bool, fmt: Format, quiet: bool) -> None:
    """Fetch every feed and its new articles; the statements they report go to the inbox.

    Exits 1 when a feed or an article failed (each is a line of the summary),
    so that a cron job notices; what the others brought is saved. A pull stops
    at its deadline (TRACKER_PULL_DEADLINE seconds, 120), saves what it read and
    exits 1; it fetches at most TRACKER_PULL_MAX_ENTRIES (50)
    new articles of a feed, and leaves an article that timed out alone for a
    while (15 minutes, doubling at each timeout in a row).
    """
    from functools import partial

    from ..render import emit
    from . import inbox
    from . import pull as pulling
    from .fetch import Fetcher
    from .views import pull_view

    deadline, max_entries = pulling.pull_deadline(), pulling.pull_max_entries()
    store = context.store()
    chosen = inbox.select_feeds(store, list(feed))
    if not chosen:
        click.echo("No feeds to pull: add one with `tracker feeds add URL`.")
        return
    try:
        with pulling.RichProgress(quiet=quiet) as progress:
            report = pulling.run(
                store,
                chosen,
                fetcher_factory=partial(Fetcher, allow_private=_allowed(allow_private)),
                progress=progress,
                deadline=deadline,
                max_entries=max_entries,
            )
    except KeyboardInterrupt:
        # Everything is saved in one write at the end, so an interrupted pull leaves the store as it was.
        click.echo("Interrupted: nothing was saved.", err=True)
        raise click.exceptions.Exit(130) from None
    emit(pull_view(report), fmt)
    # On stderr in every format: the reasons for the exit status, which a --format json reader sees too.
    failed = [f for f in report.feeds if f.status == "failed"]
    if failed or report.article_errors:
        click.echo(
            f"Failed: {len(failed)} feed(s) and {len(report.article_errors)} article(s), each on its line of the"
            " summary; what the others brought is saved.",
            err=True,
        )
    if report.deadline_reached:
        click.echo(
            f"Deadline reached: the pull stopped after {deadline:g} s (${pulling.DEADLINE_ENV}); what it read is"
            " saved, and what it did not finish waits for the next pull.",
            err=True,
        )
    if failed or report.article_errors or report.deadline_reached:
        raise click.exceptions.Exit(1)  # so that a cron job notices


@click.command()
@click.argument("url", metavar="URL")
@click.option("--dry-run", is_flag=True, help="Only print the candidates; add nothing.")
@allow_private_option
@format_option
@pass_context
def fetch(context: Context, url: str, dry_run: bool, allow_private: bool, fmt: Format) -> None:
    """Read the article page at URL and add the statements it reports to the inbox.

    A statement the inbox already holds from another outlet gains this article
    as one more source instead.
    """
    import asyncio

    from ..render import emit
    from . import inbox
    from .extract import find_candidates
    from .fetch import Fetcher
    from .pull import fetch_article
    from .views import candidates_view

    store = context.store()

    async def read() -> Article:
        async with Fetcher(allow_private=_allowed(allow_private)) as fetcher:
            return await fetch_article(fetcher, url)

    article = asyncio.run(read())
    found = find_candidates(
        article,
        store.codebook,
        fetched_at=dates.now_instant(),
        new_id=(lambda: "") if dry_run else inbox.new_candidate_id,
    )
    if dry_run:
        emit(candidates_view(found, "Candidates (dry run: nothing added)"), fmt)
        return
    result = inbox.save_pull(store, {}, found)
    if result.corroborated:
        click.echo(f"{len(result.corroborated)} candidate(s) in the inbox gained this article as a source.", err=True)
    if result.known:
        click.echo(f"{result.known} candidate(s) already in the inbox.", err=True)
    emit(candidates_view(list(result.added), "Added to the inbox"), fmt)


@click.group("inbox", invoke_without_command=True)
@click.option("--status", default="new", show_default=True, help="new, accepted, rejected or all.")
@format_option
@pass_context
def inbox_list(context: Context, status: str, fmt: Format) -> None:
    """Review candidate statements found by pull and fetch.

    Without a command, lists the candidates waiting for review (or, with
    --status, those already decided): party and issue, speaker, quote, the
    reporter's sentence, the suggested stance and its cue, and every source.
    """
    if click.get_current_context().invoked_subcommand is None:
        from ..render import emit
        from . import inbox
        from .views import candidates_view

        found = inbox.candidates(context.store(), status)
        emit(candidates_view(found, f"Inbox ({status})"), fmt)


@inbox_list.command("accept")
@click.argument("candidate_id", metavar="ID")
@click.option(
    "--stance",
    help='Stance on the issue\'s scale: its code or label, e.g. surrender or "Not now" (default: the suggested one).',
)
@click.option("--party", help="Another party than the speaker's: its id, name or an alias.")
@click.option("--issue", help="Another issue than the one found: its id or name.")
@click.option("--date", help=f"When it was stated (default: the candidate's date): {dates.HELP}.")
@click.option("--speaker", help="Who said it, if not the speaker found.")
@click.option("--quote", help="The speaker's words, if not the quotation found.")
@click.option("--summary", help="The position in a sentence (default: the reporter's sentence).")
@click.option("--grade", help="Admiralty grade, e.g. B2 (or b2).")
@click.option("--channel", help="How it was said (default: the one the sentence implies, else media-report).")
@format_option
@pass_context
def inbox_accept(
    context: Context,
    candidate_id: str,
    stance: str | None,
    party: str | None,
    issue: str | None,
    date: str | None,
    speaker: str | None,
    quote: str | None,
    summary: str | None,
    grade: str | None,
    channel: str | None,
    fmt: Format,
) -> None:
    """Record candidate ID (cand_…) as a statement; prints its id.

    Its source is the first report, the others are kept as corroborated_by.
    Every option replaces what the candidate proposes; the statement is checked
    as `tracker add` checks it.
    """
    from ..render import emit, revision_view
    from . import inbox

    statement = inbox.accept(
        context.store(),
        candidate_id,
        stance=stance,
        party=party,
        issue=issue,
        date=iso_date(date),
        speaker=speaker,
        quote=quote,
        summary=summary,
        grade=grade,
        channel=channel,
    )
    emit(revision_view(statement), fmt)


@inbox_list.command("reject")
@click.argument("candidate_id", metavar="ID")
@pass_context
def inbox_reject(context: Context, candidate_id: str) -> None:
    """Drop candidate ID (cand_…): it is not proposed again (`inbox restore ID` brings it back)."""
    from . import inbox

    inbox.reject(context.store(), candidate_id)
    click.echo(f"Rejected {candidate_id} (`tracker inbox restore {candidate_id}` undoes it).")


@inbox_list.command("restore")
@click.argument("candidate_id", metavar="ID")
@pass_context
def inbox_restore(context: Context, candidate_id: str) -> None:
    """Bring rejected candidate ID (cand_…) back for review."""
    from . import inbox

    inbox.restore(context.store(), candidate_id)
    click.echo(f"Restored {candidate_id}: it waits for review again.")


def register(app: click.Group) -> None:
    """Add the ingest commands to the ``tracker`` app."""
    for command in (feeds, pull, fetch, inbox_list):
        app.add_command(command)
