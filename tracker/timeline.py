"""Pure queries over the record: cells as of a date, the matrix, the diff.

Built once per process from the list of revisions: each statement is resolved
to its latest revision recorded by ``known_at`` (record time), then the
standing statements are indexed per (party, issue) by the date they were
stated (valid time), so a cell as of any date is one bisect.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from .model import Cell, Change, ChangeKind, Codebook, Stance, Statement, from_stored

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


Record = Statement | Mapping[str, Any]
"""A revision: a Statement, or its document exactly as stored (see ``model.is_stored``)."""

_Entry = tuple[str, str, bool, str, Record]
"""One standing or retracted statement in a cell: (stated_on, id, retracted, withdrawn_on, record)."""

_ROW = itemgetter("id", "rev", "recorded_at", "party", "issue", "stated_on", "retracted", "withdrawn_on")
"""What the index needs of a stored document, read in one go (each document is touched once)."""


def _row(s: Statement) -> tuple[Any, ...]:
    return (s.id, s.rev, s.recorded_at, s.party, s.issue, s.stated_on, s.retracted, s.withdrawn_on)


_ORDER = itemgetter(0, 1)
"""Entries sort by (stated_on, id), as statements always have."""


def _withdrawn_by(entry: _Entry, as_of: str) -> bool:
    return entry[2] and entry[3] <= as_of


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
    """The record resolved at one record time and indexed for as-of queries.

    The index holds, per (party, issue), the dates and a reference to each
    statement; a query builds a :class:`Statement` only for what it returns
    (:meth:`from_documents` takes the stored documents, so that a matrix of a
    hundred thousand statements builds a few hundred of them).
    """

    def __init__(self, codebook: Codebook, revisions: Iterable[Statement], *, known_at: str | None = None) -> None:
        self._build(codebook, revisions, known_at, by_record_time=False)

    @classmethod
    def from_documents(cls, codebook: Codebook, records: Iterable[Record], *, known_at: str | None = None) -> Timeline:
        """The timeline of stored documents (or Statements), in any order.

        A document must have the exact stored shape (``model.is_stored``); the
        caller checks that (``Store`` does), anything else is passed as a
        Statement. Where two revisions of a statement carry the same number,
        the one recorded first counts, as in :meth:`__init__` over revisions in
        the order recorded.
        """
        timeline = cls.__new__(cls)
        timeline._build(codebook, records, known_at, by_record_time=True)
        return timeline

    def _build(
        self, codebook: Codebook, records: Iterable[Record], known_at: str | None, *, by_record_time: bool
    ) -> None:
        self.codebook = codebook
        self.known_at = known_at
        latest: dict[str, tuple[Any, ...]] = {}
        for record in records:  # one read of each document: (id, rev, recorded_at, party, ...)
            row = _row(record) if isinstance(record, Statement) else _ROW(record)
            if known_at is not None and row[2] > known_at:
                continue
            current = latest.get(row[0])
            if (
                current is None
                or row[1] > current[1]
                or (by_record_time and row[1] == current[1] and row[2] < current[2])
            ):
                latest[row[0]] = (*row, record)
        self._stances: dict[CellKey, Stance] = {(i.id, s.code): s for i in codebook.issues for s in i.scale}
        by_cell: dict[CellKey, list[_Entry]] = defaultdict(list)
        retracted: dict[CellKey, list[_Entry]] = defaultdict(list)
        for statement_id, _, _, party, issue, stated_on, withdrawn, withdrawn_on, record in latest.values():
            entry = (stated_on, statement_id, withdrawn, withdrawn_on, record)
            if withdrawn and not withdrawn_on:
                retracted[(party, issue)].append(entry)
            else:
                by_cell[(party, issue)].append(entry)
        self._cells: dict[CellKey, list[_Entry]] = {}
        self._dates: dict[CellKey, list[str]] = {}
        self._withdrawals: dict[CellKey, list[tuple[int, str]]] = {}
        """Per cell, (place in the cell, withdrawn_on) of each statement withdrawn on a date: a few."""
        for key, entries in by_cell.items():
            entries.sort(key=_ORDER)
            self._cells[key] = entries
            self._dates[key] = [e[0] for e in entries]
            withdrawals = [(n, e[3]) for n, e in enumerate(entries) if e[2]]
            if withdrawals:
                self._withdrawals[key] = withdrawals
        self._retracted = dict(retracted)
        self._built: dict[str, Statement] = {}

    def _statement(self, entry: _Entry) -> Statement:
        """The entry's statement, built from its document the first time it is asked for."""
        record = entry[4]
        if isinstance(record, Statement):
            return record
        statement = self._built.get(entry[1])
        if statement is None:
            statement = self._built[entry[1]] = from_stored(record)
        return statement

    def stance_of(self, statement: Statement) -> Stance:
        """The statement's stance on its issue's scale."""
        return self._stances[(statement.issue, statement.stance)]

    def cell(self, party: str, issue: str, as_of: str) -> Cell | None:
        """The newest standing statement of ``party`` on ``issue`` stated on or before ``as_of``."""
        key = (party, issue)
        entries = self._cells.get(key)
        if not entries:
            return None
        end = bisect_right(self._dates[key], as_of)
        count, last = end, end - 1
        withdrawals = self._withdrawals.get(key)
        if withdrawals:  # skip those stated by as_of and withdrawn by then: O(withdrawals), not O(statements)
            gone = {n for n, day in withdrawals if n < end and day <= as_of}
            count -= len(gone)
            while last in gone:
                last -= 1
        if last < 0:
            return None
        statement = self._statement(entries[last])
        return Cell(party, issue, self.stance_of(statement), statement, count)

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
        dates.update(e[3] for es in self._cells.values() for e in es if e[2])
        return sorted(dates)

    def statements(self, party: str, issue: str) -> list[Statement]:
        """The cell's statements, newest first, with retracted ones (latest revisions)."""
        key = (party, issue)
        found = self._cells.get(key, []) + self._retracted.get(key, [])
        return [self._statement(e) for e in sorted(found, key=_ORDER, reverse=True)]

    def between(self, party: str, issue: str, start: str, end: str) -> tuple[Statement, ...]:
        """Standing statements stated inside (start, end], oldest first: the path between two dates."""
        key = (party, issue)
        dates = self._dates.get(key)
        if not dates:
            return ()
        chosen = self._cells[key][bisect_right(dates, start) : bisect_right(dates, end)]
        return tuple(self._statement(e) for e in chosen if not _withdrawn_by(e, end))

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
                    kind = ChangeKind.new
                elif after is None:
                    kind = ChangeKind.withdrawn
                elif before.stance.code != after.stance.code:
                    kind = ChangeKind.changed
                    others = [self.cell(other, issue, end) for other in all_parties if other != party]
                    movement = _movement(before.stance, after.stance, [o.stance for o in others if o])
                elif before.statement.id != after.statement.id and restated:
                    kind = ChangeKind.restated
                else:
                    continue
                changes.append(
                    Change(party, issue, kind, before, after, movement, self.between(party, issue, start, end))
                )
        return Diff(start, end, self.known_at, tuple(changes))
