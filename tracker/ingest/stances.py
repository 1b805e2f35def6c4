"""The stance a sentence suggests, from the codebook's cue phrases: a suggestion, never a decision.

Each stance may carry cues ("lay down their arms" for surrender). The stance
suggested is the one whose longest cue found in the sentence is the longest
(the most specific wording wins; a tie goes to the stance with more cues
found, then to the earlier on the scale), and the candidate shows that cue so
the analyst sees why. A cue right after "not", "no" or "never" does not count
("must be tightened, not eased" suggests tighten), unless the negation is the
cue's own ("never join").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .terms import Terms

_NEGATED = re.compile(r"(?i:\b(?:not|no|never|n't)\s+(?:\w+\s+)?)$")
"""A negation in the one or two words before a cue."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The stance suggested and the cue that suggested it (both empty when no cue matched)."""

    stance: str = ""
    cue: str = ""


def suggest(text: str, issue: str, terms: Terms) -> Suggestion:
    """The best-matching stance on ``issue`` for ``text`` (already ``terms.plain``)."""
    scored: dict[str, tuple[int, int, str]] = {}
    order: dict[str, int] = {}
    lowered = text.lower()
    for place, cue in enumerate(terms.cues.get(issue, ())):
        order.setdefault(cue.stance, place)
        if cue.finder.search(text, lowered) is None:
            continue
        for found in cue.finder.pattern.finditer(text):
            if _NEGATED.search(text, max(0, found.start() - 20), found.start()):
                continue
            longest, count, shown = scored.get(cue.stance, (0, 0, ""))
            length = len(cue.text)
            scored[cue.stance] = (max(longest, length), count + 1, cue.text if length > longest else shown)
            break
    if not scored:
        return Suggestion()
    best = max(scored, key=lambda code: (scored[code][0], scored[code][1], -order[code]))
    return Suggestion(best, scored[best][2])
