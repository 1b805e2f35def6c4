"""Stances and changes in words: the one wording the CLI, the markdown brief and the dashboard share.

Plain strings from the model, nothing else (no Rich, no Textual), so each
caller styles them its own way while the words stay the same. They had been
written four times and had drifted apart ("away the others" on the dashboard).
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Cell, Change, ChangeKind, Codebook, Issue, Statement

NO_POSITION = "no position"
"""A cell without a standing statement, and the earlier end of a new position."""
WITHDRAWN = "withdrawn"
"""The later end of a withdrawn position."""
HIGHER = "▶"
"""Toward the scale's high-score end: rightward, as the dashboard's scale marks run."""
LOWER = "◀"
"""Toward the scale's score-0 end."""


def scale_marks(score: int, steps: int) -> str:
    """A stance's place on its scale (``··●··``), so position reads without colour: the dashboard's cells
    always, the command line's matrix when it prints no colour."""
    return "".join("●" if n == score else "·" for n in range(steps))


def stance_label(cell: Cell | None) -> str:
    """Where a party stands, in words: the stance's label, or "no position"."""
    return cell.stance.label if cell is not None else NO_POSITION


def before_label(change: Change) -> str:
    """The earlier end of a change: its stance's label, or "no position" for a new one."""
    return stance_label(change.before)


def after_label(change: Change) -> str:
    """The later end of a change: its stance's label, or "withdrawn"."""
    return change.after.stance.label if change.after is not None else WITHDRAWN


def shift_arrow(shift: int | None) -> str:
    """Which way along the scale: ▶ up, ◀ down, = for no move (or no scale to move along)."""
    if not shift:
        return "="
    return HIGHER if shift > 0 else LOWER


def shift_words(change: Change, issue: Issue) -> str:
    """How far along the scale and toward which pole: "▶ +2 toward renounce" ("" if it did not move)."""
    shift = change.shift
    if not shift:
        return ""
    pole = issue.scale[-1] if shift > 0 else issue.scale[0]
    return f"{shift_arrow(shift)} {shift:+d} toward {pole.code}"


def movement_words(change: Change) -> str:
    """Whether the change closed the gap to the other parties: "toward the others", "away from the others" or ""."""
    if not change.movement:
        return ""
    return "toward the others" if change.movement == "toward" else "away from the others"


def direction(change: Change, issue: Issue) -> str:
    """Which way a change moved, in words: "▶ +2 toward renounce, toward the others" ("" if neither applies)."""
    return ", ".join(part for part in (shift_words(change, issue), movement_words(change)) if part)


def compact_change(change: Change) -> tuple[str, str]:
    """A change in the few characters a matrix cell has: what happened, and which way relative to the others.

    ``("◀ from Expel by force", "toward")``, ``("× was Lift", "")``, ``("+ new", "")``;
    the legend spells the short forms out.
    """
    if change.kind is ChangeKind.changed and change.before is not None:
        return f"{shift_arrow(change.shift)} from {change.before.stance.label}", change.movement or ""
    if change.kind is ChangeKind.withdrawn and change.before is not None:
        return f"× was {change.before.stance.label}", ""
    return _KIND_MARKS.get(change.kind, change.kind.value), ""


_KIND_MARKS = {ChangeKind.new: "+ new", ChangeKind.withdrawn: "× withdrawn"}
"""A kind's short form where the change has no earlier stance to name."""


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def position_grade(cell: Cell, sep: str = " · ") -> str:
    """Which of its positions the cell holds and the grade of its statement: "4th · A1", or "4th" ungraded.

    Short, as a cell has little room (at 80 columns "4th position · A1" took three lines of each
    cell); the legend says what "4th" counts (:data:`POSITION_KEY`). The dashboard's narrow cells
    join the two with a space instead (``sep=" "``).
    """
    grade = cell.statement.grade
    return ordinal(cell.version) + (f"{sep}{grade}" if grade else "")


POSITION_KEY = "4th: the cell's 4th position"
"""What :func:`position_grade`'s ordinal counts, for the legend under every matrix.

Not "version" or "v4": a statement has *revisions* (``show`` says "revision 2"), a cell has had
positions, and the two must not read alike. The JSON and CSV keep the key ``version``, as scripts read it.
"""


def statement_line(statement: Statement, book: Codebook) -> str:
    """A statement in one line, as ``add`` confirms it: "usa · nato · Not now · 2025-04-01"."""
    issue = book.issue(statement.issue)
    stance = issue.stance(statement.stance) if issue else None
    label = stance.label if stance else statement.stance
    return f"{statement.party} · {statement.issue} · {label} · {statement.stated_on}"


def evidence(change: Change) -> Statement:
    """The statement that best explains a change.

    A withdrawal: the withdrawn statement (its retraction gives the reason);
    reports only: the newest report; otherwise the newest statement that counts
    in the window, else the end point.
    """
    if change.kind is ChangeKind.withdrawn and change.before is not None:
        return change.before.statement
    if change.kind is ChangeKind.reported and change.reported:
        return change.reported[0].statement
    if change.statements:
        return change.statements[-1]
    cell = change.after or change.before or (change.reported[0] if change.reported else None)
    assert cell is not None  # a change has an end or a report: Timeline.diff skips cells with neither
    return cell.statement


CONTESTED = "⚑"
"""The mark of a contested cell: two of the party's speakers disagree."""
REPORTED = "?"
"""The mark of a cell with reports newer than its position (or reports only)."""


def short_day(day: str) -> str:
    """A date in few characters for a narrow cell: ``03-17`` (the year is the matrix's)."""
    return day[5:] if len(day) == 10 else day


def report_words(report: Cell) -> str:
    """One report, as a cell's second line says it: "Recognise some · C3 · 03-17"."""
    grade = report.statement.grade or "ungraded"
    return f"{report.stance.label} · {grade} · {short_day(report.statement.stated_on)}"


def reported_line(reports: Sequence[Cell]) -> str:
    """The reports of a cell in one line: "reported: Recognise some · C3 · 03-17 (+1 more)" ("" for none)."""
    if not reports:
        return ""
    more = f" (+{len(reports) - 1} more)" if len(reports) > 1 else ""
    return f"reported: {report_words(reports[0])}{more}"


def _who(cell: Cell) -> str:
    return cell.statement.speaker or "unknown speaker"


def contested_line(cell: Cell) -> str:
    """Both sides of a contested cell: "⚑ contested: Partial only (Putin) vs Conditional (Ushakov)" ("" if not)."""
    if not cell.conflicts:
        return ""
    others = ", ".join(f"{c.stance.label} ({_who(c)})" for c in cell.conflicts)
    return f"{CONTESTED} contested: {cell.stance.label} ({_who(cell)}) vs {others}"


def path_words(change: Change) -> str:
    """The positions a cell went through in the window: "Not now → Unrealistic → Renounce" ("" for one step)."""
    if len(change.path) < 2:
        return ""
    return " → ".join(c.stance.label + (f" {CONTESTED}" if c.contested else "") for c in change.path)


def withdrawal_words(change: Change) -> str:
    """What a withdrawal left: "withdrawn on 2025-05-01; falls back to Not now" (or "; no position left")."""
    if change.kind is not ChangeKind.withdrawn or change.before is None:
        return ""
    day = change.before.statement.withdrawn_on
    on = f"withdrawn on {day}" if day else WITHDRAWN
    left = f"falls back to {change.after.stance.label}" if change.after is not None else "no position left"
    return f"{on}; {left}"


def change_words(change: Change) -> str:
    """A change in one phrase, as the diff and the brief say it, whatever its kind."""
    if change.kind is ChangeKind.withdrawn:
        return f"{before_label(change)}: {withdrawal_words(change)}"
    if change.kind is ChangeKind.contested and change.after is not None:
        return contested_line(change.after)
    if change.kind is ChangeKind.reported:
        return f"reported, not confirmed: {', '.join(report_words(r) for r in change.reported)}"
    path = path_words(change)
    if path:
        return path
    joint = " = " if change.kind is ChangeKind.restated else " → "
    return f"{before_label(change)}{joint}{after_label(change)}"
