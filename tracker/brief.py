"""``tracker brief``: one markdown document an analyst can send, built from the views the commands print.

No Rich: the matrix, the diff and the gap table each come from their own
markdown writer (``formats``, ``gap_view``), so the brief says exactly what
the commands say.
"""

from __future__ import annotations

from collections.abc import Sequence

from .formats import diff_markdown, matrix_markdown, md_text
from .gap import gaps
from .gap_view import gap_markdown
from .model import Codebook
from .timeline import Timeline


def _demoted(markdown: str) -> str:
    """A section's markdown one heading level down, under the brief's own title."""
    return "\n".join(f"#{line}" if line.startswith("#") else line for line in markdown.splitlines()) + "\n"


def brief_markdown(
    timeline: Timeline,
    book: Codebook,
    title: str,
    start: str,
    end: str,
    parties: Sequence[str] = (),
    issues: Sequence[str] = (),
) -> str:
    """The brief from ``start`` to ``end``: title and policy, the matrix at ``end``, the diff, the gaps."""
    policy = timeline.policy
    counted = "reports count as positions" if policy.include_reported else "reports are shown, never positions"
    lines = [
        f"# {md_text(title)}: brief {start} → {end}",
        "",
        f"_Positions are statements graded {policy.min_grade} or better from officials, spokespeople and "
        f"interviews; {counted}; two speakers within {policy.window_days} days with different stances are a "
        "conflict (⚑)._",
    ]
    if timeline.known_at:
        lines.append(f"_As the record stood at {timeline.known_at}._")
    grid = timeline.matrix(end, parties, issues)
    shown_parties = [book.require_party(p) for p in grid.parties]
    shown_issues = [book.require_issue(i) for i in grid.issues]
    sections = [
        matrix_markdown(grid, shown_parties, shown_issues, f"Where they stand on {end}"),
        _demoted(diff_markdown(timeline.diff(start, end, parties, issues), book, title)),
        gap_markdown(gaps(timeline, start, end, issues=issues, parties=parties), book),
    ]
    return "\n".join(lines) + "\n\n" + "\n".join(section.rstrip("\n") + "\n" for section in sections)
