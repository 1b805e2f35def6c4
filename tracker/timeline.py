"""Pure queries over the record: cells as of a date, the matrix, the diff.

Built once per process from the list of revisions: each statement is resolved
to its latest revision recorded by ``known_at`` (record time), then the
standing statements are indexed per (party, issue) by the date they were
stated (valid time), so a cell as of any date is one bisect.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Cell, Change, Codebook, Stance, Statement

CellKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Every party's position on every issue as of one date."""

    as_of: str
    known_at: str | None
    parties: tuple[str, ...]
    issues: tuple[str, ...]
    cells: dict[CellKey, Cell]
    """Only the cells that have a position; keyed by (party, issue)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "known_at": self.known_at,
            "parties": list(self.parties),
            "issues": list(self.issues),
            "cells": [self.cells[(p, i)].as_json() for p in self.parties for i in self.issues if (p, i) in self.cells],
        }


@dataclass(frozen=True, slots=True)
class Diff:
    """What changed between two dates."""

    start: str
    end: str
    known_at: str | None
    changes: tuple[Change, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "known_at": self.known_at,
            "changes": [c.as_json() for c in self.changes],
        }


def _withdrawn_by(statement: Statement, as_of: str) -> bool:
    return statement.retracted and statement.withdrawn_on <= as_of


def _movement(before: Stance, after: Stance, others: Sequence[Stance]) -> str | None:
    """Whether moving from ``before`` to ``after`` closes the mean distance to ``others``."""
    if not others:
        return None
    gap_before = sum(abs(before.score - o.score) for o in others)
    gap_after = sum(abs(after.score - o.score) for o in others)
    if gap_after < gap_before:
        return "toward"
    if gap_after > gap_before:
        return "away"
    return None


class Timeline:
    """The record resolved at one record time and indexed for as-of queries."""

    def __init__(self, codebook: Codebook, revisions: Iterable[Statement], *, known_at: str | None = None) -> None:
        self.codebook = codebook
        self.known_at = known_at
        latest: dict[str, Statement] = {}
        for revision in revisions:
            if known_at is not None and revision.recorded_at > known_at:
                continue
            current = latest.get(revision.id)
            if current is None or revision.rev > current.rev:
                latest[revision.id] = revision
        self._stances: dict[CellKey, Stance] = {(i.id, s.code): s for i in codebook.issues for s in i.scale}
        by_cell: dict[CellKey, list[Statement]] = defaultdict(list)
        retracted: dict[CellKey, list[Statement]] = defaultdict(list)
        for statement in latest.values():
            key = (statement.party, statement.issue)
            if statement.retracted and not statement.withdrawn_on:
                retracted[key].append(statement)
            else:
                by_cell[key].append(statement)
        self._cells: dict[CellKey, list[Statement]] = {}
        self._dates: dict[CellKey, list[str]] = {}
        self._with_withdrawals: set[CellKey] = set()
        for key, statements in by_cell.items():
            statements.sort(key=lambda s: (s.stated_on, s.id))
            self._cells[key] = statements
            self._dates[key] = [s.stated_on for s in statements]
            if any(s.retracted for s in statements):
                self._with_withdrawals.add(key)
        self._retracted = dict(retracted)

    def stance_of(self, statement: Statement) -> Stance:
        """The statement's stance on its issue's scale."""
        return self._stances[(statement.issue, statement.stance)]

    def cell(self, party: str, issue: str, as_of: str) -> Cell | None:
        """The newest standing statement of ``party`` on ``issue`` stated on or before ``as_of``."""
        key = (party, issue)
        statements = self._cells.get(key)
        if not statements:
            return None
        end = bisect_right(self._dates[key], as_of)
        if key in self._with_withdrawals:
            standing = [s for s in statements[:end] if not _withdrawn_by(s, as_of)]
        else:
            standing = statements[:end] if end else []
        if not standing:
            return None
        statement = standing[-1]
        return Cell(party, issue, self.stance_of(statement), statement, len(standing))

    def matrix(self, as_of: str, parties: Sequence[str] = (), issues: Sequence[str] = ()) -> Matrix:
        """The matrix as of a date, for the given parties and issues (default: all)."""
        party_ids = tuple(parties) or tuple(p.id for p in self.codebook.parties)
        issue_ids = tuple(issues) or tuple(i.id for i in self.codebook.issues)
        cells = {}
        for party in party_ids:
            for issue in issue_ids:
                cell = self.cell(party, issue, as_of)
                if cell is not None:
                    cells[(party, issue)] = cell
        return Matrix(as_of, self.known_at, party_ids, issue_ids, cells)

    def change_dates(self) -> list[str]:
        """Every date on which some cell changed, oldest first."""
        dates = {d for ds in self._dates.values() for d in ds}
        dates.update(s.withdrawn_on for ss in self._cells.values() for s in ss if s.retracted)
        return sorted(dates)

    def statements(self, party: str, issue: str) -> list[Statement]:
        """The cell's statements, newest first, with retracted ones (latest revisions)."""
        key = (party, issue)
        found = self._cells.get(key, []) + self._retracted.get(key, [])
        return sorted(found, key=lambda s: (s.stated_on, s.id), reverse=True)

    def between(self, party: str, issue: str, start: str, end: str) -> tuple[Statement, ...]:
        """Standing statements stated inside (start, end], oldest first: the path between two dates."""
        key = (party, issue)
        dates = self._dates.get(key)
        if not dates:
            return ()
        chosen = self._cells[key][bisect_right(dates, start) : bisect_right(dates, end)]
        return tuple(s for s in chosen if not _withdrawn_by(s, end))

    def diff(
        self,
        start: str,
        end: str,
        parties: Sequence[str] = (),
        issues: Sequence[str] = (),
        *,
        restated: bool = False,
    ) -> Diff:
        """Cell by cell, what moved between ``start`` and ``end`` (both as-of dates)."""
        all_parties = [p.id for p in self.codebook.parties]
        party_ids = list(parties) or all_parties
        changes = []
        for issue in issues or [i.id for i in self.codebook.issues]:
            for party in party_ids:
                before = self.cell(party, issue, start)
                after = self.cell(party, issue, end)
                movement = None
                if before is None and after is None:
                    continue
                if before is None:
                    kind = "new"
                elif after is None:
                    kind = "withdrawn"
                elif before.stance.code != after.stance.code:
                    kind = "changed"
                    others = [self.cell(other, issue, end) for other in all_parties if other != party]
                    movement = _movement(before.stance, after.stance, [o.stance for o in others if o])
                elif before.statement.id != after.statement.id and restated:
                    kind = "restated"
                else:
                    continue
                changes.append(
                    Change(party, issue, kind, before, after, movement, self.between(party, issue, start, end))
                )
        return Diff(start, end, self.known_at, tuple(changes))
