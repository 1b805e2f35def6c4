"""What counts as a party's position: what it *says*, not what is reported about it.

A statement is **stated** when it reached the record through the party's own
channel (``official``, ``spokesperson``, ``interview``) and its Admiralty grade
meets the store's threshold; anything else (``media-report``, ``leak``, a lower
grade, no grade) is **reported**: shown beside the cell, never as the position.
The threshold and the conflict window are the store's policy (``meta.policy``);
every reading command may override them for one run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import InputError

STATED_CHANNELS = frozenset({"official", "spokesperson", "interview"})
"""Channels through which the party itself speaks."""
DEFAULT_MIN_GRADE = "C3"
DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 3660
"""Ten years: a longer window would call every change of mind in the record a conflict."""
_GRADE = re.compile(r"^[A-F][1-6]$")
UNGRADED = "Z9"
"""Sorts after every real grade: an ungraded statement is the weakest evidence."""


class Evidence(StrEnum):
    """How a statement bears on a party's position."""

    stated = "stated"
    """The party said it, through its own channel, and the grade meets the threshold."""
    reported = "reported"
    """Reported about the party (the press, a leak) or graded below the threshold."""


def grade_key(grade: str) -> str:
    """A sort key for grades, best first (``A1`` < ``B2`` < ungraded)."""
    return grade if _GRADE.match(grade) else UNGRADED


def meets(grade: str, threshold: str) -> bool:
    """Whether ``grade`` is at least as good as ``threshold`` on both axes (reliability A best, credibility 1 best)."""
    if not _GRADE.match(grade):
        return False
    return grade[0] <= threshold[0] and grade[1] <= threshold[1]


def parse_grade(text: str) -> str:
    """A threshold as typed (``c3`` is ``C3``); an InputError names the field."""
    grade = text.strip().upper()
    if not _GRADE.match(grade):
        raise InputError(f"min grade {text!r} is not an Admiralty code like C3 (A-F, 1-6)", field="min_grade")
    return grade


@dataclass(frozen=True, slots=True)
class Policy:
    """The rules that decide which statements are positions and when two are in conflict."""

    min_grade: str = DEFAULT_MIN_GRADE
    """The weakest grade a stated statement may have (reliability at or above, credibility at or below)."""
    window_days: int = DEFAULT_WINDOW_DAYS
    """Stated statements of different speakers this close together, with different stances, conflict."""
    include_reported: bool = False
    """Reports count as positions too (the behaviour before evidence classes)."""

    def classify(self, channel: str, grade: str) -> Evidence:
        """The evidence class of a statement with this channel and grade."""
        if channel in STATED_CHANNELS and meets(grade, self.min_grade):
            return Evidence.stated
        return Evidence.reported

    def counts(self, evidence: Evidence) -> bool:
        """Whether a statement of this class can be the cell's position."""
        return self.include_reported or evidence is Evidence.stated

    def overridden(self, *, min_grade: str | None = None, include_reported: bool | None = None) -> Policy:
        """This policy with one run's overrides (``--min-grade``, ``--include-reported``)."""
        changed = self
        if min_grade is not None:
            changed = replace(changed, min_grade=parse_grade(min_grade))
        if include_reported is not None:
            changed = replace(changed, include_reported=include_reported)
        return changed

    @classmethod
    def from_json(cls, data: object) -> Policy:
        """The policy kept in ``meta.policy`` (absent: the defaults); a bad one is an InputError."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InputError("policy must be an object with min_grade and window_days")
        grade = data.get("min_grade", DEFAULT_MIN_GRADE)
        window = data.get("window_days", DEFAULT_WINDOW_DAYS)
        if not isinstance(grade, str) or not _GRADE.match(grade):
            raise InputError(f"policy min_grade {grade!r} is not an Admiralty code like C3", field="min_grade")
        if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= MAX_WINDOW_DAYS:
            raise InputError(
                f"policy window_days {window!r} must be a whole number of days from 0 to {MAX_WINDOW_DAYS}",
                field="window_days",
            )
        return cls(grade, window)

    def as_json(self) -> dict[str, Any]:
        """What ``meta.policy`` stores (the override is a run's, not the store's)."""
        return {"min_grade": self.min_grade, "window_days": self.window_days}

    def shown(self) -> dict[str, Any]:
        """The policy a reading command applied, as ``--format json`` reports it."""
        return {**self.as_json(), "include_reported": self.include_reported}
