"""The trend commands: ``gap`` (are the parties converging?) and ``brief`` (one markdown document to send).

Registered on the CLI group by ``cli``, beside the other commands; they read the
store as ``matrix`` and ``diff`` do, under the same evidence options.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click

from .errors import InputError
from .options import (
    Context,
    evidence_options,
    iso_date,
    issues_option,
    known_at_instant,
    known_at_option,
    parties_option,
    pass_context,
    picture_format_option,
    policy_of,
    selection,
    stacked,
)
from .output_formats import Format

DEFAULT_WINDOW_DAYS = 90
"""``gap`` without ``--since`` looks back this far from ``--until``: a quarter, long enough for a trend."""


def _window(since: str | None, until: str) -> tuple[str, str]:
    last = iso_date(until)
    assert last is not None
    first = iso_date(since) if since else (date.fromisoformat(last) - timedelta(days=DEFAULT_WINDOW_DAYS)).isoformat()
    assert first is not None
    if first > last:
        raise InputError(f"--since {first} is after --until {last}")
    return first, last


def _pairs(context: Context, given: tuple[str, ...]) -> list[tuple[str, str]]:
    """``--pair A,B`` as party ids (each checked against the codebook)."""
    if not given:
        return []
    book = context.store().codebook
    found = []
    for text in given:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 2 or not all(parts):
            raise InputError(f"--pair {text!r}: give two parties separated by a comma, e.g. --pair russia,usa")
        a, b = (book.require_party(p).id for p in parts)
        if a == b:
            raise InputError(f"--pair {text!r}: a pair is two different parties")
        found.append((a, b))
    return found


@click.command()
@stacked(issues_option, parties_option)
@click.option("--pair", multiple=True, metavar="A,B", help="Only this pair of parties (repeatable).")
@click.option(
    "--since", help=f"The window's start (default: {DEFAULT_WINDOW_DAYS} days before --until); a date as below."
)
@click.option("--until", default="today", show_default=True, help="The window's end: YYYY-MM-DD, today, Nd, Nw.")
@stacked(known_at_option, evidence_options, picture_format_option)
@pass_context
def gap(
    context: Context,
    issue: tuple[str, ...],
    party: tuple[str, ...],
    pair: tuple[str, ...],
    since: str | None,
    until: str,
    known_at: str | None,
    min_grade: str | None,
    include_reported: bool | None,
    fmt: Format,
) -> None:
    """Are the parties converging? The gaps between their positions, issue by issue, over a window.

    \b
    The gap between two parties is the distance between their positions on the
    issue's scale over the scale's span: 0 the same stance, 1 opposite poles.
    The spread is the widest gap on the issue. For each issue: the spread at the
    end and at the start of the window, the pair whose gap changed most and who
    moved (toward or away from whom), and the spread's course as a sparkline.
    Positions follow the evidence rules of `tracker matrix`.
    """
    from .gap import gaps
    from .gap_view import gap_view
    from .render import emit

    first, last = _window(since, until)
    store = context.store()
    pairs = _pairs(context, pair)
    parties, issues = selection(store, party, issue)
    timeline = store.timeline(known_at_instant(known_at), policy_of(store, min_grade, include_reported))
    found = gaps(timeline, first, last, issues=issues, parties=parties, pairs=pairs)
    emit(gap_view(found, store.codebook, store.title), fmt)


@click.command()
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="[TO]", required=False, default="today")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the brief here.")
@stacked(parties_option, issues_option, known_at_option, evidence_options)
@pass_context
def brief(
    context: Context,
    start: str,
    end: str,
    output: Path | None,
    party: tuple[str, ...],
    issue: tuple[str, ...],
    known_at: str | None,
    min_grade: str | None,
    include_reported: bool | None,
) -> None:
    """One markdown brief to send: where everyone stands at TO, what changed since FROM, and the gaps.

    \b
    The record's title and the evidence policy head it; then the matrix as of TO,
    the diff from FROM to TO (moves, withdrawals, conflicts, and reports not
    confirmed), and the gap table per issue. Without -o it is printed.
    """
    from .brief import brief_markdown

    first, last = _window(start, end)
    store = context.store()
    parties, issues = selection(store, party, issue)
    timeline = store.timeline(known_at_instant(known_at), policy_of(store, min_grade, include_reported))
    text = brief_markdown(timeline, store.codebook, store.title, first, last, parties, issues)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"Wrote the brief ({first} → {last}) to {output}.", err=True)


def register(group: click.Group) -> None:
    group.add_command(gap)
    group.add_command(brief)
