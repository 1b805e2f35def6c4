"""What every command shares: the store lookup and the common options.

Commands elsewhere (ingest) import from here, not from ``cli``, so that the
command modules do not import each other. Each shared option is one decorator,
defined once, so every command spells and explains it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import dates
from .errors import StoreError
from .output_formats import Format

if TYPE_CHECKING:  # every command imports this module, `--help` too: the store loads when a command opens it
    from .evidence import Policy
    from .model import Statement
    from .store import Store

DEFAULT_DB = "positions.json"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """What the top-level options decide for every command (click's ``ctx.obj``)."""

    db: Path | None

    @property
    def path(self) -> Path:
        return self.db or Path(DEFAULT_DB)

    def store(self) -> Store:
        from .store import Store

        if self.db is None and not Path(DEFAULT_DB).exists():
            raise StoreError(
                "no store: pass --db PATH, set TRACKER_DB, or create ./positions.json with "
                "`tracker init` (or `tracker init --demo` for the bundled 2025 record)"
            )
        return Store(self.path)


pass_context = click.make_pass_decorator(Context)
"""Hands a command the :class:`Context` the top-level group made."""


def stacked(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator applying several, listed in the order ``--help`` shows them."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


# -- shared options --------------------------------------------------------------

format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice([f for f in Format if f is not Format.svg], case_sensitive=False),
    default=Format.table,
    show_default=True,
    help="Output: table, json, csv or markdown.",
)
picture_format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(Format, case_sensitive=False),
    default=Format.table,
    show_default=True,
    help="Output: table, json, csv, markdown, or svg (an image of the table for a brief: `> matrix.svg`).",
)
"""``--format`` of the commands whose table is worth a picture (``matrix``, ``gap``)."""
as_of_option = click.option("--as-of", default="today", show_default=True, help=f"The date to look at: {dates.HELP}.")
known_at_option = click.option(
    "--known-at",
    help="Show the record as the file held it then (a date, or an ISO date-time, UTC unless it has an offset).",
)
parties_option = click.option(
    "--party", "-p", multiple=True, help="Only this party: its id, name or an alias, e.g. usa or Kremlin (repeatable)."
)
issues_option = click.option("--issue", "-i", multiple=True, help="Only this issue: its id or name (repeatable).")


quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress display. Without it, long work shows its steps and how far each is, on stderr, "
    "and only when stderr is a terminal (never in a pipe or a file).",
)
"""``--quiet`` of the commands that show progress (``import``, ``export``, ``restore``, ``pull``): what they
print otherwise is the same either way."""


min_grade_option = click.option(
    "--min-grade",
    metavar="XY",
    help="Count as stated only statements graded at least this well (reliability A-F at or above X, "
    "credibility 1-6 at or below Y; default: the store's policy, C3).",
)
include_reported_option = click.option(
    "--include-reported",
    is_flag=True,
    default=None,
    help="Let reports (media reports, leaks, low grades) count as positions too.",
)
evidence_options = stacked(min_grade_option, include_reported_option)
"""What counts as a position, for one run: every reading command takes these."""


by_option = click.option(
    "--by",
    metavar="NAME",
    help="Only revisions recorded by NAME (their recorded_by: $TRACKER_USER, else git's user.name, else the "
    "login name of who wrote them); exact, in any case.",
)


def recorded_by(revisions: Sequence[Statement], name: str | None) -> list[Statement]:
    """The revisions recorded by ``name`` (``--by``: the whole name, in any case); all of them if None."""
    if name is None:
        return list(revisions)
    wanted = name.strip().casefold()
    return [r for r in revisions if r.recorded_by.casefold() == wanted]


def policy_of(store: Store, min_grade: str | None, include_reported: bool | None) -> Policy:
    """The store's policy with this run's ``--min-grade`` / ``--include-reported``."""
    return store.policy.overridden(min_grade=min_grade, include_reported=include_reported)


def iso_date(text: str | None) -> str | None:
    return None if text is None else dates.parse_date(text).isoformat()


def known_at_instant(text: str | None) -> Any:
    return None if text is None else dates.parse_instant(text)


def selection(store: Store, parties: Sequence[str] | None, issues: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The party and issue codes ``--party`` / ``--issue`` name, as typed: a code in any case, a name or an
    alias (``--party Kremlin``); see :meth:`Codebook.resolve_party`."""
    book = store.codebook
    return [book.resolve_party(p).id for p in parties or []], [book.resolve_issue(i).id for i in issues or []]
