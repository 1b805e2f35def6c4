"""What every command shares: the store lookup and the common options.

Commands elsewhere (ingest) import from here, not from ``cli``, so that the
command modules do not import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from . import dates
from .errors import StoreError
from .render import Format
from .store import Store

DEFAULT_DB = "positions.json"


@dataclass
class Context:
    """What the top-level options decide for every command."""

    db: Path | None

    @property
    def path(self) -> Path:
        return self.db or Path(DEFAULT_DB)

    def store(self) -> Store:
        if self.db is None and not Path(DEFAULT_DB).exists():
            raise StoreError(
                "no store: pass --db PATH, set TRACKER_DB, or create ./positions.json with "
                "`tracker init` (or `tracker init --demo` for the bundled 2025 record)"
            )
        return Store(self.path)


def context(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj


# -- shared options --------------------------------------------------------------

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output: table (default), json, csv or markdown.")]
AsOfOpt = Annotated[str, typer.Option("--as-of", help=f"The date to look at: {dates.HELP}.")]
KnownAtOpt = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="Show the record as the file held it then (a date, or an ISO date-time, UTC unless it has an offset).",
    ),
]
PartiesOpt = Annotated[list[str] | None, typer.Option("--party", "-p", help="Only this party (repeatable).")]
IssuesOpt = Annotated[list[str] | None, typer.Option("--issue", "-i", help="Only this issue (repeatable).")]


def iso_date(text: str | None) -> str | None:
    return None if text is None else dates.parse_date(text).isoformat()


def known_at_instant(text: str | None) -> Any:
    return None if text is None else dates.parse_instant(text)


def selection(store: Store, parties: Sequence[str] | None, issues: Sequence[str] | None) -> tuple[list[str], list[str]]:
    book = store.codebook
    return [book.require_party(p).id for p in parties or []], [book.require_issue(i).id for i in issues or []]
