"""The file formats: json, csv and markdown text, and the flat rows they are made of.

Nothing here imports Rich, so that import and export, and anything else that
writes files, do not load the terminal side (``render`` builds the Rich views
on top of this). Stored text is untrusted: every writer here strips control
sequences, and the Markdown ones escape what Markdown would read as markup.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TextIO

import orjson

from .model import Statement, without_controls


class Format(StrEnum):
    """Output formats every listing command offers."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def json_bytes(data: Any) -> bytes:
    """``data`` as indented JSON with a final newline: what ``--format json`` prints."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def column_text(value: Any) -> str:
    """A row's value as plain text, for csv, markdown and plain table columns.

    None is empty, True is "yes" (False empty), a list is its items joined by
    ``; ``; newlines stay (CSV quotes them, :func:`md_text` folds them).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (list, tuple)):
        return "; ".join(column_text(v) for v in value)
    return without_controls(str(value))


# -- csv -----------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """A value for a CSV cell; list items are joined by ``;`` with any ``;`` inside them escaped."""
    if isinstance(value, (list, tuple)):
        return "; ".join(column_text(v).replace("\\", "\\\\").replace(";", "\\;") for v in value)
    return column_text(value)


def csv_list(cell: str) -> list[str]:
    """The items of a list cell written by :func:`csv_cell` (or typed by hand, ``a; b``).

    Only ``\\;`` and ``\\\\`` are escapes, so a hand-typed backslash survives.
    """
    items: list[str] = []
    current: list[str] = []
    at = 0
    while at < len(cell):
        char, following = cell[at], cell[at + 1 : at + 2]
        if char == "\\" and following in (";", "\\"):
            current.append(following)
            at += 2
            continue
        if char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        at += 1
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """A header line and one line per row: ``--format csv`` and ``export --format csv`` alike."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(v) for v in row] for row in rows)


# -- markdown ------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>#|"})


def md_text(value: str) -> str:
    """Untrusted text as literal Markdown: specials escaped, one line."""
    return " ".join(without_controls(value).translate(_MD_SPECIAL).split())


def md_link(title: str, url: str) -> str:
    """A Markdown link only for http(s) URLs; anything else stays plain text."""
    label = md_text(title or url)
    if not url.lower().startswith(("http://", "https://")):
        return label
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{label}]({safe})"


def pipe_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown pipe table; the column names are the program's own, the values are escaped."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_text(column_text(v)) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The default ``--format markdown``: the title as a heading (if any), then the pipe table."""
    return (f"## {md_text(title)}\n\n" if title else "") + pipe_table(columns, rows)


# -- rows ----------------------------------------------------------------------

STATEMENT_COLUMNS = [
    "id", "rev", "stated_on", "party", "issue", "stance", "speaker", "channel", "grade",
    "summary", "quote", "conditions", "source_url", "source_title", "source_outlet",
    "source_published", "tags", "note", "recorded_at", "recorded_by", "retracted", "reason", "withdrawn_on",
]  # fmt: skip
"""The flat statement shape, shared by log/show csv output and by export/import csv."""


def statement_row(s: Statement) -> list[Any]:
    """One revision in the order of :data:`STATEMENT_COLUMNS`."""
    return [
        s.id, s.rev, s.stated_on, s.party, s.issue, s.stance, s.speaker, s.channel, s.grade,
        s.summary, s.quote, list(s.conditions), s.source.url, s.source.title, s.source.outlet,
        s.source.published, list(s.tags), s.note, s.recorded_at, s.recorded_by, s.retracted, s.reason, s.withdrawn_on,
    ]  # fmt: skip
