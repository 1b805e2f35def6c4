"""What the commands print: a :class:`View` per command, and ``emit``, one way for every format.

A command builds a :class:`View`: the JSON payload, flat rows for CSV and
Markdown, and optionally its own Rich renderable and Markdown text. ``emit``
writes it in the format asked for: the file formats through ``formats`` (which
needs no Rich), the table through Rich. Stored text is untrusted: it reaches
Rich only as ``Text`` objects, never as markup.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from . import describe
from .evidence import STATED_CHANNELS, Evidence, Policy
from .formats import (
    DIFF_COLUMNS,
    MATRIX_COLUMNS,
    STATEMENT_COLUMNS,
    Format,
    column_text,
    diff_markdown,
    diff_row,
    json_bytes,
    markdown_table,
    matrix_markdown,
    matrix_rows,
    statement_row,
    write_csv,
)
from .model import LONG_TEXT_MAX, Change, ChangeKind, Codebook, Issue, Party, Stance, Statement, without_controls
from .palette import LEGEND, stance_color
from .timeline import Diff, Matrix


class Plain(Text):
    """Rich text that drops control sequences from whatever it is given.

    Stored text is sanitised on the way in, but a hand-edited or merged file
    may still carry an escape; output is the last line of defence.
    """

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(without_controls(text), *args, **kwargs)

    def append(self, text: str | Text, style: str | Style | None = None) -> Plain:
        super().append(without_controls(text) if isinstance(text, str) else text, style)
        return self


@dataclass
class View:
    """One command's output, ready for any format."""

    data: Any
    """The ``--format json`` payload (DESIGN.md shapes), or a function that builds it: a year's diff
    at 100,000 statements takes 0.03 s to build its payload, which a table never shows."""
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    """Flat rows for csv and for the default table and markdown."""
    title: str = ""
    table: RenderableType | None = None
    """A richer rendering than the plain table, where the command has one."""
    markdown: Callable[[], str] | None = None
    """A richer Markdown text than the pipe table, where the command has one."""
    empty: str = ""
    """What the table format says when there are no rows."""


class Block:
    """Lines of text indented as one block: prose wraps inside the indent, a URL never breaks.

    The diff prints one block a change instead of a table row: at 100,000
    statements a year's diff has ~500 changes, and Rich laid out their table in
    0.61 s (it measures every cell for the column widths, then wraps and joins
    them); the same facts as blocks take 0.15 s. A block also reads at 80
    columns, where the table's third column was 30 characters wide and cut
    URLs in the middle, so they could not be copied.
    """

    def __init__(self, lines: Sequence[Text], indent: int = 0) -> None:
        self.lines = lines
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - self.indent, 20)
        pad = " " * self.indent
        newline = Segment.line()
        for text in self.lines:
            # Most lines (a date, an outlet) fit: wrapping them would cost as much as the long ones.
            fits = text.no_wrap or ("\n" not in text.plain and text.cell_len <= width)
            for line in (text,) if fits else _wrapped(text, width, console):
                line.rstrip()  # a wrapped line ends in the space it broke at
                if pad:
                    yield Segment(pad)
                yield from line.render(console)  # segments: a Text would be wrapped a second time
                yield newline


_WORD = re.compile(r"\s*\S+\s*")


def _wrapped(text: Text, width: int, console: Console) -> Lines:
    """``text.wrap(console, width)``, faster for the usual line: one paragraph, one cell a character.

    Rich measures every word's cells (``_wrap.divide_line``): at 100,000 statements a
    year's diff spent 0.2 s there. When the whole line is one cell a character
    (``cell_len == len``), a word's cells are its length, and the same greedy
    breaks come from lengths alone; anything else (a newline, wide characters,
    a word longer than the line) takes Rich's way.
    """
    plain = text.plain
    if "\n" in plain or cell_len(plain) != len(plain):
        return text.wrap(console, width)
    breaks: list[int] = []
    column = 0
    for word in _WORD.finditer(plain):
        start, end = word.span()
        length = len(word.group().rstrip())
        if length > width:
            return text.wrap(console, width)
        if column and column + length > width:
            breaks.append(start)
            column = 0
        column += end - start
    return text.divide(breaks)


def url_text(url: str, style: str = "dim") -> Text:
    """A URL as one unbroken line, however narrow the terminal: a folded URL cannot be copied."""
    return Plain(url, style=style, overflow="ignore", no_wrap=True)


def console(file: TextIO | None = None) -> Console:
    """A Rich console that never interprets markup or emoji codes in what it prints."""
    return Console(file=file or sys.stdout, markup=False, emoji=False, highlight=False, soft_wrap=False)


def plain_table(view: View) -> Table:
    table = Table(title=Plain(view.title) if view.title else None, title_justify="left")
    for column in view.columns:
        table.add_column(column)
    for row in view.rows:
        table.add_row(*(v if isinstance(v, Text) else Plain(column_text(v)) for v in row))
    return table


def emit(view: View, fmt: Format, out: TextIO | None = None) -> None:
    """Write ``view`` to ``out`` (stdout) in ``fmt``."""
    out = out or sys.stdout
    if fmt is Format.json:
        out.write(json_bytes(view.data() if callable(view.data) else view.data).decode())
    elif fmt is Format.csv:
        write_csv(view.columns, view.rows, out)
    elif fmt is Format.markdown:
        out.write(view.markdown() if view.markdown is not None else markdown_table(view.title, view.columns, view.rows))
    elif not view.rows and view.table is None and view.empty:
        console(out).print(Plain(view.empty))
    else:
        # crop=False: a URL longer than the terminal is printed whole (see Block); everything else fits.
        console(out).print(view.table if view.table is not None else plain_table(view), crop=False)


# -- colours: the palette (palette.py) as Rich text -------------------------


def legend() -> Text:
    """The palette's key, one line: a coloured square and what it means, pole to pole."""
    text = Plain("colour: ")
    for label, color in LEGEND:
        text.append("■ ", style=color)
        text.append(label + "  ")
    return text


def stance_text(stance: Stance, issue: Issue) -> Text:
    """A stance's label in its colour, as the CLI and the dashboard show it."""
    return Plain(stance.label, style=f"bold {stance_color(stance, issue)}")


# -- views ---------------------------------------------------------------------


def matrix_view(matrix: Matrix, book: Codebook, title: str) -> View:
    parties = [book.require_party(p) for p in matrix.parties]
    issues = [book.require_issue(i) for i in matrix.issues]
    heading = f"{title} as of {matrix.as_of}" + (f" (as known at {matrix.known_at})" if matrix.known_at else "")
    table = Table(title=Plain(heading), title_justify="left", show_lines=True)
    table.add_column("party")
    for issue in issues:
        table.add_column(Plain(issue.name))
    for party in parties:
        row: list[RenderableType] = [Plain(party.name, style=f"bold {party.color}" if party.color else "bold")]
        for issue in issues:
            cell = matrix.cells.get((party.id, issue.id))
            reports = cell.reported if cell is not None else matrix.unconfirmed.get((party.id, issue.id), ())
            if cell is None:
                text = Plain(describe.NO_POSITION, style="dim")
            else:
                text = Plain(f"{describe.CONTESTED} " if cell.contested else "", style="bold")
                text.append_text(stance_text(cell.stance, issue))
                text.append(f"\n{cell.statement.stated_on}\n{describe.version_grade(cell)}", style="dim")
                if cell.contested:
                    others = ", ".join(f"{c.stance.label} ({c.statement.speaker or '?'})" for c in cell.conflicts)
                    text.append(f"\nvs {others}", style="bold")
            if reports:
                text.append(f"\n{describe.REPORTED} {describe.reported_line(reports)}", style="italic")
            row.append(text)
        table.add_row(*row)
    markdown = matrix_markdown(matrix, parties, issues, heading)
    rows = matrix_rows(matrix)
    key = Plain(
        f"{describe.CONTESTED} contested: the party's speakers disagree · {describe.REPORTED} reported, not a "
        f"position (policy: stated at {matrix.policy.min_grade} or better"
        + (", reports included" if matrix.policy.include_reported else "")
        + ")",
        style="dim",
    )
    return View(matrix.as_json(), MATRIX_COLUMNS, rows, heading, Group(table, legend(), key), lambda: markdown)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _with_evidence(statement: Statement, policy: Policy | None) -> dict[str, Any]:
    """A statement's JSON, with ``evidence`` (stated or reported) when a policy says how it counts."""
    data = statement.as_json()
    if policy is not None:
        data["evidence"] = policy.classify(statement.channel, statement.grade).value
    return data


def log_view(
    statements: Sequence[Statement], book: Codebook, *, title: str = "Statements", policy: Policy | None = None
) -> View:
    table = Table(title=Plain(title), title_justify="left", show_lines=True)
    table.add_column("date", no_wrap=True)
    table.add_column("party · issue")
    table.add_column("stance")
    table.add_column("grade", no_wrap=True)
    table.add_column("said", ratio=1, overflow="fold")
    for s in statements:
        issue = book.issue(s.issue)
        stance = issue.stance(s.stance) if issue else None
        label = stance_text(stance, issue) if stance and issue else Plain(s.stance)
        if s.retracted:
            label = Plain(f"{s.stance} (retracted)", style="strike dim")
        said = Plain(_short((s.quote and f"“{s.quote}”") or s.summary, 160))
        said.append(f"\n— {s.speaker or 'unknown speaker'} · {s.id}" + (f" r{s.rev}" if s.rev > 1 else ""), style="dim")
        graded = Plain(s.grade or "ungraded")
        if policy is not None and policy.classify(s.channel, s.grade) is Evidence.reported:
            graded.append("\nreported", style="italic")
        table.add_row(Plain(s.stated_on), Plain(f"{s.party} · {s.issue}"), label, graded, said)
    return View(
        [_with_evidence(s, policy) for s in statements],
        STATEMENT_COLUMNS,
        [statement_row(s) for s in statements],
        title,
        table if statements else None,
        empty="No statements match.",
    )


def _at_most(text: str, limit: int = LONG_TEXT_MAX) -> str:
    """``text`` for a table cell, cut at the longest a field may hold (``model.LONG_TEXT_MAX``).

    Only a hand edit puts longer text in a store, and Rich lays out a cell in time
    that grows with the square of its length (it splits its lines off the front of
    one string: a 1 MB quote took 2.4 s, 4 MB 29 s). The json and csv formats
    carry the whole text.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (cut: {len(text):,} characters in all; --format json shows them)"


def statement_details(s: Statement, policy: Policy | None = None) -> Table:
    """Every field of one revision, as a two-column grid."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    others = s.corroborated_by  # the other reports of a statement the inbox found in several outlets
    fields: list[tuple[str, str]] = [
        ("statement", f"{s.id} (revision {s.rev})"),
        ("party / issue", f"{s.party} / {s.issue}"),
        ("stance", s.stance + ("  [RETRACTED]" if s.retracted else "")),
        ("stated on", s.stated_on),
        ("speaker", s.speaker),
        ("channel", s.channel),
        ("grade", s.grade),
        ("evidence", _evidence_words(s, policy)),
        ("summary", s.summary),
        ("quote", s.quote and f"“{s.quote}”"),
        ("conditions", "; ".join(s.conditions)),
        ("source", " — ".join(v for v in (s.source.title, s.source.outlet, s.source.published) if v)),
        ("url", s.source.url),
        ("corroborated by", "\n".join(" — ".join(filter(None, (o.outlet, o.published, o.url))) for o in others)),
        ("tags", ", ".join(s.tags)),
        ("note", s.note),
        ("recorded", f"{s.recorded_at} by {s.recorded_by}"),
        ("reason", s.reason),
        ("withdrawn on", s.withdrawn_on),
    ]
    for name, value in fields:
        if value:
            grid.add_row(Plain(name), Plain(_at_most(value)))
    return grid


def _evidence_words(s: Statement, policy: Policy | None) -> str:
    """Whether a statement counts as the party's position, and why not when it does not."""
    if policy is None:
        return ""
    if policy.classify(s.channel, s.grade) is Evidence.stated:
        return "stated: can be the party's position"
    why = f"channel {s.channel}" if s.channel not in STATED_CHANNELS else f"grade {s.grade or 'none'}"
    return f"reported ({why}; the threshold is {policy.min_grade}): shown beside the position, never as it"


def show_view(revisions: Sequence[Statement], policy: Policy | None = None) -> View:
    latest = revisions[-1]
    data = {**_with_evidence(latest, policy), "revisions": [_with_evidence(r, policy) for r in revisions]}
    history = Table(title=Plain("Revisions"), title_justify="left")
    for column in ("rev", "recorded_at", "by", "stance", "stated_on", "change"):
        history.add_column(column)
    for r in revisions:
        what = "retracted" if r.retracted else ("first recorded" if r.rev == 1 else "corrected")
        what += f": {r.reason}" if r.reason else ""
        cells = (r.rev, r.recorded_at, r.recorded_by, r.stance, r.stated_on, what)
        history.add_row(*(Plain(_at_most(str(v))) for v in cells))
    return View(
        data,
        STATEMENT_COLUMNS,
        [statement_row(r) for r in revisions],
        latest.id,
        Group(statement_details(latest, policy), history),
    )


def revision_view(statement: Statement, policy: Policy | None = None) -> View:
    """What add / correct / retract print: the id (table) or the new revision (json, with its evidence)."""
    data = _with_evidence(statement, policy)
    return View(data, STATEMENT_COLUMNS, [statement_row(statement)], table=Plain(statement.id))


def parties_view(parties: Sequence[Party]) -> View:
    rows = [[p.id, p.name, list(p.aliases), p.color] for p in parties]
    return View([p.as_json() for p in parties], ["id", "name", "aliases", "color"], rows, "Parties")


def issues_view(issues: Sequence[Issue]) -> View:
    table = Table(title=Plain("Issues"), title_justify="left", show_lines=True)
    for column in ("id", "name", "question", "scale (score: code — label)", "keywords"):
        table.add_column(column, overflow="fold")
    for issue in issues:
        scale = Plain()
        for stance in issue.scale:
            scale.append(f"{stance.score}: {stance.code} — {stance.label}\n", style=stance_color(stance, issue))
        scale.rstrip()
        table.add_row(
            Plain(issue.id), Plain(issue.name), Plain(issue.question), scale, Plain(", ".join(issue.keywords))
        )
    rows = [[i.id, i.name, i.question, [s.code for s in i.scale], list(i.keywords)] for i in issues]
    return View([i.as_json() for i in issues], ["id", "name", "question", "scale", "keywords"], rows, "Issues", table)


def policy_view(policy: Policy) -> View:
    """What counts as a position: the threshold and the conflict window."""
    rows: list[list[Any]] = [
        ["min_grade", policy.min_grade, "stated: official, spokesperson or interview, graded at least this well"],
        ["window_days", policy.window_days, "two speakers' different stances this close together conflict"],
    ]
    return View(policy.as_json(), ["setting", "value", "meaning"], rows, "Policy")


def problems_view(problems: Sequence[str], summary: str, warnings: Sequence[str] = ()) -> View:
    rows = [[p] for p in problems] + [[f"warning: {w}"] for w in warnings]
    table: RenderableType | None = None
    if not problems:
        table = Group(Plain(summary), *(Plain(f"warning: {w}", style="yellow") for w in warnings))
    return View(
        {"ok": not problems, "problems": list(problems), "warnings": list(warnings), "summary": summary},
        ["problem"],
        rows,
        f"{len(problems)} problem(s)" + (f", {len(warnings)} warning(s)" if warnings else ""),
        table,
    )


# -- diff ----------------------------------------------------------------------


def _change_summary(change: Change, book: Codebook) -> Text:
    issue = book.require_issue(change.issue)
    text = Plain()
    if change.kind is ChangeKind.withdrawn:
        if change.before is not None:
            text.append_text(stance_text(change.before.stance, issue))
        text.append(f"\n{describe.withdrawal_words(change)}", style="italic")
        return text
    if change.kind is ChangeKind.contested and change.after is not None:
        text.append(describe.contested_line(change.after), style="bold")
        return text
    if len(change.path) > 1:
        for n, step in enumerate(change.path):
            text.append(" → " if n else "")
            text.append_text(stance_text(step.stance, issue))
    else:
        if change.before is not None:
            text.append_text(stance_text(change.before.stance, issue))
        else:
            text.append(describe.NO_POSITION, style="dim")
        text.append(" → " if change.kind is not ChangeKind.restated else " = ")
        if change.after is not None:
            text.append_text(stance_text(change.after.stance, issue))
        else:
            text.append(describe.WITHDRAWN, style="dim")
    moved = describe.direction(change, issue)
    if moved:
        text.append(f"\n{moved}", style="italic")
    return text


def _quoted(statement: Statement) -> str:
    return f"“{statement.quote}”" if statement.quote else statement.summary


def _said(statement: Statement) -> list[Text]:
    """Who said what, graded, and where: the evidence lines under a change."""
    said = Plain(f"{statement.stated_on} · {statement.speaker or 'unknown speaker'}", style="bold")
    said.append(f" · {statement.grade}" if statement.grade else "")
    lines: list[Text] = [said]
    if words := _quoted(statement):
        lines.append(Plain(_short(words, 200)))
    where = statement.source.outlet or statement.source.title
    if where:
        lines.append(Plain(where, style="dim"))
    if statement.source.url:
        lines.append(url_text(statement.source.url))
    return lines


def _party_name(book: Codebook, party_id: str) -> Plain:
    party = book.party(party_id)
    name = party.name if party else party_id
    return Plain(name, style=f"bold {party.color}" if party and party.color else "bold")


def diff_view(diff: Diff, book: Codebook, title: str) -> View:
    heading = f"What changed: {diff.start} → {diff.end}" + (f" (as known at {diff.known_at})" if diff.known_at else "")
    empty = f"No changes between {diff.start} and {diff.end}."
    tables: list[RenderableType] = [Plain(f"{title}: {heading}", style="bold")]
    moves = [c for c in diff.changes if c.kind is not ChangeKind.reported]
    for issue in book.issues:
        changes = [c for c in moves if c.issue == issue.id]
        if not changes:
            continue
        tables.append(Plain(f"\n{issue.name} — {issue.question}", style="bold underline"))
        for change in changes:
            head = _party_name(book, change.party)
            head.append(": ")
            head.append_text(_change_summary(change, book))
            said = _said(describe.evidence(change))
            if len(change.statements) > 1:
                said.append(Plain(f"({len(change.statements)} statements in the window: tracker log)", style="dim"))
            if change.reported:
                said.append(Plain(f"{describe.REPORTED} {describe.reported_line(change.reported)}", style="italic"))
            tables.append(Block([head], indent=2))
            tables.append(Block(said, indent=6))
    reports = [(c, r) for c in diff.changes for r in c.reported if c.kind is ChangeKind.reported]
    if reports:
        # One line a report, not a table: at 100,000 statements a year brings hundreds of them, and Rich
        # measures and wraps every table cell (about 0.25 ms each); a line of text costs a fraction of that.
        tables.append(Plain("\nReported, not confirmed", style="bold underline"))
        for change, report in reports:
            issue = book.require_issue(change.issue)
            report_of = report.statement
            head = _party_name(book, change.party)
            head.append(f" · {issue.name}: ")
            head.append_text(stance_text(report.stance, issue))
            head.append(
                f" · {report_of.grade or 'ungraded'} · {report_of.stated_on} · {report_of.speaker or 'unknown speaker'}"
            )
            where = report_of.source.outlet or report_of.source.title
            head.append(f" ({report_of.channel}{', ' + where if where else ''})", style="dim")
            tables.append(Block([head], indent=2))
            if words := _quoted(report_of):
                tables.append(Block([Plain(_short(words, 200), style="italic")], indent=6))
    rendered: RenderableType = Group(*tables, legend()) if diff.changes else Plain(empty)
    brief = partial(diff_markdown, diff, book, title)  # built only for --format markdown
    rows = [diff_row(diff, change) for change in diff.changes]
    return View(diff.as_json, DIFF_COLUMNS, rows, heading, rendered, brief, empty)
