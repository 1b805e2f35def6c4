"""The file formats: json, csv and markdown text, the flat rows they are made of, and the brief.

Nothing here imports Rich, so that import and export, and anything else that
writes files, do not load the terminal side (``render`` builds the Rich views
on top of this). Stored text is untrusted: every writer here strips control
sequences, and the Markdown ones escape what Markdown would read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TextIO

import orjson

from . import describe
from .model import Cell, Change, ChangeKind, Codebook, Issue, Party, Statement, without_controls
from .output_formats import Format as Format  # its home is output_formats; kept here for importers of formats
from .timeline import Diff, Matrix


def json_bytes(data: Any) -> bytes:
    """``data`` as indented JSON with a final newline: what ``--format json`` prints (control-free)."""
    return clean_json(data, orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


# What orjson writes for a character :func:`without_controls` would remove: C0 controls as an
# escape (\u001b, \t, \r...; \n stays, quotes span paragraphs), and DEL, C1 controls, zero-width
# and bidi characters and the BOM as they are, in UTF-8. Each pattern starts with one fixed byte,
# which the regex engine finds at memchr speed: the four scans of a 233 MB export take 0.4 s.
_ESCAPED_CONTROL = re.compile(rb"\\(?:u00[01]|[btfr])")
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_FORMAT_CHARACTER = re.compile(rb"\xe2(?:\x80[\x8b-\x8f\xaa-\xae]|\x81[\xa0-\xa9])")


def json_is_clean(raw: bytes) -> bool:
    """True if JSON that orjson wrote carries no control or bidi character, raw or escaped, in any string.

    A false alarm (an escaped backslash before a ``b``) only costs a second dump.
    """
    if b"\\" in raw and _ESCAPED_CONTROL.search(raw):
        return False
    if b"\x7f" in raw:
        return False
    if raw.isascii():  # the usual case: one C pass, and none of the rest can be there
        return True
    return not (_C1_CONTROL.search(raw) or _FORMAT_CHARACTER.search(raw) or b"\xef\xbb\xbf" in raw)


def without_controls_in(data: Any) -> Any:
    """``data`` (parsed JSON: dicts, lists, text, numbers) with :func:`without_controls` applied to every string."""
    if isinstance(data, str):
        return without_controls(data)
    if isinstance(data, dict):
        return {without_controls_in(key): without_controls_in(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [without_controls_in(value) for value in data]
    return data


def clean_json(data: Any, option: int = 0) -> bytes:
    """``orjson.dumps(data, option=option)``, with no control or bidi character inside its strings.

    Stored text is cleaned on the way in, but a hand edit or another tool may
    have put an escape in the file, and a JSON reader decodes ``\\u001b`` back
    into one. The dump is written first and scanned (:func:`json_is_clean`);
    only a dirty one is written again, from cleaned data.
    """
    raw = orjson.dumps(data, option=option)
    return raw if json_is_clean(raw) else orjson.dumps(without_controls_in(data), option=option)


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


NUMERIC_COLUMNS = frozenset(
    {"rev", "score", "before_score", "after_score", "shift", "version", "new_entries"}
    | {"spread", "spread_since", "gap", "gap_since", "change"}  # tracker gap's rows
)
"""Columns that hold numbers tracker computes, never text from outside: a ``-1`` there stays a number."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
"""What a cell that :func:`neutralised` may change starts with (a formula trigger, or a quote before one)."""
_ARMED = re.compile(r"'*[=+\-@\t\r]")
"""A cell a spreadsheet would run as a formula (OWASP's triggers), or one that looks neutralised already."""
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralised(cell: str) -> str:
    """A text cell a spreadsheet shows as text: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``.

    OWASP's rule for CSV injection: a cell starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR gets a leading ``'``. So does one that starts with quotes
    before such a character, so that :func:`restored` gives back exactly what was
    written: ``'=x`` is written ``''=x``; ``'tis`` is left alone.
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) and _ARMED.match(cell) else cell


def restored(cell: str) -> str:
    """A cell as it was before :func:`neutralised`: one leading ``'`` removed, only before a trigger."""
    return cell[1:] if cell.startswith("'") and _NEUTRALISED.match(cell) else cell


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """A header line and one line per row: ``--format csv`` and ``export --format csv`` alike.

    Every text cell is :func:`neutralised`: the file is meant for spreadsheets,
    and its text comes from analysts, imports and feeds.
    """
    import csv  # here: every listing command imports this module, and only csv output writes with it

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    text = [column not in NUMERIC_COLUMNS for column in columns]
    writer.writerows(_neutralised_row(list(map(csv_cell, row)), text) for row in rows)


_ARMED_IN_ROW = re.compile("\x00'*[=+\\-@\t\r]")
"""A cell that :func:`neutralised` changes, in a row's cells joined by NUL (which no cell holds)."""


def _neutralised_row(cells: list[str], text: Sequence[bool]) -> list[str]:
    """A row's cells, the text ones :func:`neutralised`.

    One search over the joined row finds the rows that need it (few): a call per
    cell cost an export of 100,000 statements 0.35 s, this 0.08 s.
    """
    if _ARMED_IN_ROW.search("\x00" + "\x00".join(cells)) is None:
        return cells
    return [neutralised(cell) if is_text else cell for cell, is_text in zip(cells, text, strict=True)]


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


MATRIX_COLUMNS = [
    "party", "issue", "stance", "label", "score", "stated_on", "version", "grade", "statement_id",
    "evidence", "contested", "conflicts", "reported",
]  # fmt: skip
"""The flat matrix: one row per cell that has a position or reports (``conflicts`` and ``reported``: the
other speakers' and the reports' stance codes; a cell with reports only has no stance)."""


def matrix_rows(matrix: Matrix) -> list[list[Any]]:
    """The cells in the order of :data:`MATRIX_COLUMNS`, party by party, issue by issue."""
    rows: list[list[Any]] = []
    for key in ((p, i) for p in matrix.parties for i in matrix.issues):
        cell = matrix.cells.get(key)
        if cell is not None:
            rows.append([
                cell.party, cell.issue, cell.stance.code, cell.stance.label, cell.stance.score,
                cell.statement.stated_on, cell.version, cell.statement.grade, cell.statement.id,
                cell.evidence.value, cell.contested, [c.stance.code for c in cell.conflicts],
                [r.stance.code for r in cell.reported],
            ])  # fmt: skip
        elif key in matrix.unconfirmed:
            reports = [r.stance.code for r in matrix.unconfirmed[key]]
            rows.append([*key, "", "", "", "", 0, "", "", "", False, [], reports])
    return rows


DIFF_COLUMNS = [
    "from", "to", "party", "issue", "kind",
    "before_stance", "before_label", "before_score", "before_stated_on", "before_statement_id", "before_grade",
    "after_stance", "after_label", "after_score", "after_stated_on", "after_statement_id", "after_grade",
    "shift", "movement", "statements", "speaker", "quote", "summary", "source_url", "path", "reported",
]  # fmt: skip
"""The flat diff: one row per change, both ends spelled out, and the statement that explains it
(:func:`describe.evidence`): its speaker, verbatim quote (empty when the record paraphrases), summary
and source URL, as ``--format json`` carries it whole in ``statement``."""


def _cell_columns(cell: Cell | None) -> list[Any]:
    """One end of a change, as the six before_… or after_… columns (empty when there is no position)."""
    if cell is None:
        return ["", "", "", "", "", ""]
    return [cell.stance.code, cell.stance.label, cell.stance.score, cell.statement.stated_on, cell.statement.id,
            cell.statement.grade]  # fmt: skip


def diff_row(diff: Diff, c: Change) -> list[Any]:
    """One change in the order of :data:`DIFF_COLUMNS`, with the statement that best explains it."""
    evidence = describe.evidence(c)
    return [
        diff.start, diff.end, c.party, c.issue, c.kind, *_cell_columns(c.before), *_cell_columns(c.after),
        c.shift, c.movement, [s.id for s in c.statements], evidence.speaker, evidence.quote, evidence.summary,
        evidence.source.url, " → ".join(step.stance.code for step in c.path), [r.statement.id for r in c.reported],
    ]  # fmt: skip


def diff_json(diff: Diff) -> dict[str, Any]:
    """``diff --format json``: DESIGN's shape, each change with ``statement``, the statement that explains
    it (:func:`describe.evidence`) as ``log`` shows one: who said what, the summary, the source."""
    data = diff.as_json()
    for change, shown in zip(diff.changes, data["changes"], strict=True):
        shown["statement"] = describe.evidence(change).as_json()
    return data


# -- markdown documents --------------------------------------------------------


def matrix_markdown(matrix: Matrix, parties: Sequence[Party], issues: Sequence[Issue], heading: str) -> str:
    """The matrix as a pipe table of stance labels: a row per party, a column per issue, "—" for no position.

    A contested cell is marked ⚑ with the other stances; reports follow as "(reported: …)".
    """

    def shown(party: Party, issue: Issue) -> str:
        cell = matrix.cells.get((party.id, issue.id))
        reports = cell.reported if cell is not None else matrix.unconfirmed.get((party.id, issue.id), ())
        text = "—" if cell is None else cell.stance.label
        if cell is not None and cell.contested:
            text = f"{describe.CONTESTED} {text} vs " + ", ".join(c.stance.label for c in cell.conflicts)
        return text + (f" ({describe.reported_line(reports)})" if reports else "")

    rows = [[p.name] + [shown(p, i) for i in issues] for p in parties]
    return f"## {md_text(heading)}\n\n" + pipe_table(["party"] + [i.name for i in issues], rows)


def _md_statement(statement: Statement, book: Codebook) -> str:
    """One statement as the brief cites it: date, speaker (grade), stance: the summary “the words” — the source."""
    issue = book.require_issue(statement.issue)
    stance = issue.stance(statement.stance)
    who = md_text(statement.speaker or "unknown speaker")
    grade = f" ({statement.grade})" if statement.grade else ""
    words = " ".join(filter(None, (md_text(statement.summary), statement.quote and f"“{md_text(statement.quote)}”")))
    source = statement.source
    where = md_link(source.title or source.outlet, source.url) if (source.title or source.url) else ""
    label = md_text(stance.label if stance else statement.stance)
    return f"{statement.stated_on}, {who}{grade}, {label}: {words}" + (f" — {where}" if where else "")


def diff_markdown(diff: Diff, book: Codebook, title: str) -> str:
    """The morning brief: a title with the dates, a section per issue, a bullet per change, then the reports
    that moved no position ("reported, not confirmed")."""
    lines = [f"# {md_text(title)}: what changed {diff.start} → {diff.end}", ""]
    if diff.known_at:
        lines += [f"_As the record stood at {diff.known_at}._", ""]
    if not diff.changes:
        return "\n".join([*lines, "No changes.", ""])
    moves = [c for c in diff.changes if c.kind is not ChangeKind.reported]
    for issue in book.issues:
        changes = [c for c in moves if c.issue == issue.id]
        if not changes:
            continue
        lines += [f"## {md_text(issue.name)}", ""]
        for change in changes:
            party = book.party(change.party)
            moved = describe.direction(change, issue) if change.kind is ChangeKind.changed else ""
            head = f"- **{md_text(party.name if party else change.party)}**: {md_text(describe.change_words(change))}"
            head += f" ({moved})" if moved else ""
            lines.append(f"{head}. {_md_statement(describe.evidence(change), book)}")
            lines += [f"  - earlier: {_md_statement(s, book)}" for s in change.statements[:-1]]
            lines += [f"  - reported: {_md_statement(r.statement, book)}" for r in change.reported]
        lines.append("")
    reports = [(c, r) for c in diff.changes if c.kind is ChangeKind.reported for r in c.reported]
    if reports:
        lines += ["## Reported, not confirmed", ""]
        for change, report in reports:
            party = book.party(change.party)
            issue_name = book.require_issue(change.issue).name
            who = md_text(f"{party.name if party else change.party} · {issue_name}")
            lines.append(f"- **{who}**: {_md_statement(report.statement, book)}")
        lines.append("")
    return "\n".join(lines)
