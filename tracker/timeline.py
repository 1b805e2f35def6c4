"""Pure queries over the record: cells as of a date, the matrix, the diff.

Built once per process from the list of revisions: each statement is resolved
to its latest revision recorded by ``known_at`` (record time), then the
standing statements are indexed per (party, issue) by the date they were
stated (valid time), so a cell as of any date is one bisect.
"""

from __future__ import annotations

import marshal
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter, itemgetter
from sys import intern
from typing import Any, NamedTuple, TypeVar, overload

from .evidence import Evidence, Policy, grade_key
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
    policy: Policy = field(default_factory=Policy)
    """The evidence rules the positions were chosen by."""
    unconfirmed: dict[CellKey, Sequence[Cell]] = field(default_factory=dict)
    """Cells with no position but reports about one: the reports, newest first."""

    def as_json(self) -> dict[str, Any]:
        keys = [(p, i) for p in self.parties for i in self.issues]
        return {
            "as_of": self.as_of,
            "known_at": self.known_at,
            "policy": self.policy.shown(),
            "parties": list(self.parties),
            "issues": list(self.issues),
            "cells": [self.cells[key].as_json() for key in keys if key in self.cells],
            "unconfirmed": [
                {"party": key[0], "issue": key[1], "reported": [r.as_json() for r in self.unconfirmed[key]]}
                for key in keys
                if key in self.unconfirmed
            ],
        }


@dataclass(frozen=True, slots=True)
class Diff:
    """What changed between two dates."""

    start: str
    end: str
    known_at: str | None
    changes: tuple[Change, ...]
    policy: Policy = field(default_factory=Policy)

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "known_at": self.known_at,
            "policy": self.policy.shown(),
            "changes": [c.as_json() for c in self.changes],
        }


Record = Statement | Mapping[str, Any]
"""A revision: a Statement, or its document exactly as stored (see ``model.is_stored``)."""


class _Indexed(NamedTuple):
    """One standing or withdrawn statement in a cell's index: what a query compares without building it."""

    stated_on: str
    id: str
    retracted: bool
    withdrawn_on: str
    record: Any
    """The revision (a Statement or its stored document), or the reference the timeline's loader reads."""
    evidence: Evidence
    speaker: str
    stance: str
    grade: str
    """The grade's sort key (``evidence.grade_key``): best first, ungraded last."""
    recorded_at: str
    rev: int


ROW = itemgetter(
    "id", "rev", "recorded_at", "party", "issue", "stated_on", "retracted", "withdrawn_on",
    "channel", "grade", "speaker", "stance",
)  # fmt: skip
"""What the index needs of a stored document, read in one go (each document is touched once); also
what the store's index cache keeps of each revision (``storage.index_cache``)."""

Loader = Callable[[Any], Record]
"""Turns a row's reference into its revision (:meth:`Timeline.from_rows`): the store reads it from the
file by offset; the timeline knows nothing of files."""


def row_of(s: Statement) -> tuple[Any, ...]:
    """A Statement's :data:`ROW` fields."""
    return (s.id, s.rev, s.recorded_at, s.party, s.issue, s.stated_on, s.retracted, s.withdrawn_on,
            s.channel, s.grade, s.speaker, s.stance)  # fmt: skip


class _Choice(NamedTuple):
    """What a cell's position is made of as of a date (:meth:`Timeline._chosen`)."""

    entry: _Indexed
    others: list[_Indexed]
    """The conflicting speakers' statements (none: not contested)."""
    version: int
    """The position's place among the cell's standing statements ("the 2nd position")."""


STATE_FORMAT = 2
"""Of :meth:`Timeline.state`: bumped when the index's layout changes, so that an old state is rebuilt."""


def _policy_key(policy: Policy) -> tuple[Any, ...]:
    """What a kept state must have been built under to answer for ``policy``."""
    return (policy.min_grade, policy.window_days, policy.include_reported)


_ORDER = itemgetter(0, 1)
"""Entries sort by (stated_on, id), as statements always have."""


def _withdrawn_by(entry: _Indexed, as_of: str) -> bool:
    return entry.retracted and entry.withdrawn_on <= as_of


def _speaker_key(entry: _Indexed) -> str:
    """Who spoke, for telling a change of mind (one speaker) from a conflict (two)."""
    return " ".join(entry.speaker.casefold().split())


@lru_cache(maxsize=4096)
def _days_before(day: str, days: int) -> str:
    """The ISO date ``days`` before ``day`` (the start of a conflict window). Kept: a year's diff asks it
    3,000 times, of a few hundred days."""
    try:
        return (date.fromisoformat(day) - timedelta(days=days)).isoformat()
    except (ValueError, OverflowError):
        return "0000-00-00"


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


def _latest(entries: Iterable[_Indexed]) -> _Indexed:
    """What a speaker said last: the later date, then (the same day) the better grade, then the later record."""
    ordered = sorted(entries, key=attrgetter("recorded_at"), reverse=True)
    ordered.sort(key=attrgetter("grade"))
    ordered.sort(key=attrgetter("stated_on"), reverse=True)  # stable: each sort keeps the order of the last
    return ordered[0]


def _best(entries: Iterable[_Indexed]) -> _Indexed:
    """The strongest evidence: the better grade, then the later date, then the later record."""
    ordered = sorted(entries, key=attrgetter("stated_on", "recorded_at"), reverse=True)
    ordered.sort(key=attrgetter("grade"))  # stable: among equal grades the newest stays first
    return ordered[0]


_T = TypeVar("_T")


class _Built(Sequence[_T]):
    """What index entries stand for (their statements, their cells), each built when it is read, and kept.

    A year's diff at 100,000 statements keeps, per change, the statements of its window and the reports
    in it (~5,700 and ~10,000 in all), of which the table shows the number and the newest; building
    every one was a third of the command. Compares equal to the tuple of the same items."""

    __slots__ = ("_build", "_entries", "_made")

    def __init__(self, entries: Sequence[_Indexed], build: Callable[[_Indexed], _T]) -> None:
        self._entries = entries
        self._build = build
        self._made: dict[int, _T] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, at: int) -> _T: ...
    @overload
    def __getitem__(self, at: slice) -> tuple[_T, ...]: ...
    def __getitem__(self, at: int | slice) -> _T | tuple[_T, ...]:
        if isinstance(at, slice):
            return tuple(self[n] for n in range(*at.indices(len(self))))
        if at < 0:
            at += len(self._entries)
        made = self._made.get(at)
        if made is None:
            made = self._made[at] = self._build(self._entries[at])
        return made

    def __iter__(self) -> Iterator[_T]:
        return (self[n] for n in range(len(self._entries)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class _Picked(Sequence[_Indexed]):
    """Some of a track's entries, by their places: each made when it is read."""

    __slots__ = ("_entries", "_places")

    def __init__(self, entries: Sequence[_Indexed], places: Sequence[int]) -> None:
        self._entries = entries
        self._places = places

    def __len__(self) -> int:
        return len(self._places)

    @overload
    def __getitem__(self, at: int) -> _Indexed: ...
    @overload
    def __getitem__(self, at: slice) -> list[_Indexed]: ...
    def __getitem__(self, at: int | slice) -> _Indexed | list[_Indexed]:
        if isinstance(at, slice):
            return [self._entries[n] for n in self._places[at]]
        return self._entries[self._places[at]]


class _Columns(Sequence[_Indexed]):
    """A track's entries as the index cache keeps them: the dates, and the other fields in pieces of
    :data:`_PIECE` entries, each piece decoded the first time a query reads an entry of it. A year's diff
    at 100,000 statements reads the newest report of 330 cells, not the 84,000 reports behind them:
    decoding every field of every entry was 0.1 s of it, the pieces it reads 0.02 s."""

    __slots__ = ("_dates", "_decoded", "_pieces")

    def __init__(self, dates: Sequence[str], pieces: Sequence[bytes]) -> None:
        self._dates = dates
        self._pieces = pieces
        """Each piece: the marshalled fields of :class:`_Indexed` after the date (the evidence by its
        value), one list a field, for the piece's entries in the track's order."""
        self._decoded: list[list[list[Any]] | None] = [None] * len(pieces)

    def __len__(self) -> int:
        return len(self._dates)

    def _fields(self, piece: int) -> list[list[Any]]:
        fields = self._decoded[piece]
        if fields is None:
            fields = self._decoded[piece] = marshal.loads(self._pieces[piece])
        return fields

    @overload
    def __getitem__(self, at: int) -> _Indexed: ...
    @overload
    def __getitem__(self, at: slice) -> list[_Indexed]: ...
    def __getitem__(self, at: int | slice) -> _Indexed | list[_Indexed]:
        if isinstance(at, slice):
            return [self[n] for n in range(*at.indices(len(self)))]
        if at < 0:
            at += len(self._dates)
        if not 0 <= at < len(self._dates):
            raise IndexError(at)
        c, n = self._fields(at // _PIECE), at % _PIECE
        return tuple.__new__(_Indexed, (self._dates[at], c[0][n], c[1][n], c[2][n], c[3][n], _EVIDENCE[c[4][n]],
                                        c[5][n], c[6][n], c[7][n], c[8][n], c[9][n]))  # fmt: skip

    def __iter__(self) -> Iterator[_Indexed]:
        return (self[n] for n in range(len(self)))


_PIECE = 16
"""Entries in a piece of :class:`_Columns`: a cell's newest statements are in one piece, and a few hundred
of a piece's objects are made for each piece read."""

_STATE_KEY = (STATE_FORMAT, _PIECE)
"""What a kept state is read by: its layout, and the size of its pieces (a state cut in pieces of another
size would be misread)."""

_EVIDENCE = {e.value: e for e in Evidence}
_EVIDENCE_VALUE = {e: e.value for e in Evidence}


def _columns_of(entries: Sequence[_Indexed]) -> tuple[list[str], list[bytes]]:
    """The entries as :class:`_Columns` keeps them: the dates, and the pieces, in which a repeated value (a
    date, a speaker, a stance) is one object, which marshal writes once and reads back once."""
    if isinstance(entries, _Columns):
        return list(entries._dates), list(entries._pieces)
    columns = [list(column) for column in zip(*entries, strict=True)] or [[] for _ in _Indexed._fields]
    for n in _REPEATED:
        columns[n] = list(map(intern, columns[n]))
    columns[5] = list(map(_EVIDENCE_VALUE.__getitem__, columns[5]))  # an enum's .value is a descriptor: 0.05 s
    fields = columns[1:]
    pieces = [
        marshal.dumps([field[start : start + _PIECE] for field in fields])
        for start in range(0, len(columns[0]), _PIECE)
    ]
    return columns[0], pieces


_REPEATED = (0, 3, 6, 7, 8)
"""The columns whose values repeat (the date, withdrawn_on, speaker, stance, grade)."""


@dataclass(slots=True)
class _Track:
    """The statements of one class in one cell, by date: what an as-of query bisects."""

    entries: Sequence[_Indexed]
    dates: list[str]
    withdrawals: list[tuple[int, str]]
    """(place in the track, withdrawn_on) of each statement withdrawn on a date: a few."""

    @classmethod
    def of(cls, entries: list[_Indexed]) -> _Track:
        entries.sort(key=_ORDER)
        withdrawals = [(n, e.withdrawn_on) for n, e in enumerate(entries) if e.retracted]
        return cls(entries, [e.stated_on for e in entries], withdrawals)

    def state(self) -> tuple[list[str], list[bytes], list[tuple[int, str]]]:
        return (*_columns_of(self.entries), self.withdrawals)

    @classmethod
    def from_state(cls, dates: list[str], pieces: list[bytes], withdrawals: list[tuple[int, str]]) -> _Track:
        return cls(_Columns(dates, pieces), dates, withdrawals)

    def gone(self, end: int, as_of: str) -> set[int]:
        """Places before ``end`` of statements withdrawn by ``as_of``: O(withdrawals), not O(statements)."""
        return {n for n, day in self.withdrawals if n < end and day <= as_of}

    def standing(self, after: str | None, as_of: str) -> Sequence[_Indexed]:
        """Statements stated in (after, as_of] and not withdrawn by as_of, newest first; each entry made when
        it is read (a year's diff at 100,000 statements stands 7,500 reports, and shows 330)."""
        end = bisect_right(self.dates, as_of)
        begin = 0 if after is None else bisect_right(self.dates, after)
        gone = self.gone(end, as_of)
        places = range(end - 1, begin - 1, -1)
        return _Picked(self.entries, [n for n in places if n not in gone] if gone else places)


class Timeline:
    """The record resolved at one record time and indexed for as-of queries.

    The index holds, per (party, issue), the dates and a reference to each
    statement, in two tracks: the statements that can be a position under the
    policy, and the reports. A query builds a :class:`Statement` only for what
    it returns (:meth:`from_documents` takes the stored documents, so that a
    matrix of a hundred thousand statements builds a few hundred of them).
    """

    def __init__(
        self,
        codebook: Codebook,
        revisions: Iterable[Statement],
        *,
        known_at: str | None = None,
        policy: Policy | None = None,
    ) -> None:
        self._build(codebook, ((*row_of(s), s) for s in revisions), known_at, policy or Policy(), by_record_time=False)

    @classmethod
    def from_documents(
        cls,
        codebook: Codebook,
        records: Iterable[Record],
        *,
        known_at: str | None = None,
        policy: Policy | None = None,
    ) -> Timeline:
        """The timeline of stored documents (or Statements), in any order.

        A document must have the exact stored shape (``model.is_stored``); the
        caller checks that (``Store`` does), anything else is passed as a
        Statement. Where two revisions of a statement carry the same number,
        the one recorded first counts, as in :meth:`__init__` over revisions in
        the order recorded.
        """
        rows = ((*(row_of(r) if isinstance(r, Statement) else ROW(r)), r) for r in records)
        timeline = cls.__new__(cls)
        timeline._build(codebook, rows, known_at, policy or Policy(), by_record_time=True)
        return timeline

    @classmethod
    def from_rows(
        cls,
        codebook: Codebook,
        rows: Iterable[Sequence[Any]],
        load: Loader,
        *,
        known_at: str | None = None,
        policy: Policy | None = None,
    ) -> Timeline:
        """The timeline of revisions given as rows: the :data:`ROW` fields, then a reference that ``load``
        turns into the revision (a stored document or a Statement) when a query returns it. What the
        store gives from its index cache, so a matrix reads a few hundred documents of the file."""
        timeline = cls.__new__(cls)
        timeline._build(codebook, rows, known_at, policy or Policy(), by_record_time=True, load=load)
        return timeline

    def _build(
        self,
        codebook: Codebook,
        rows: Iterable[Sequence[Any]],
        known_at: str | None,
        policy: Policy,
        *,
        by_record_time: bool,
        load: Loader | None = None,
    ) -> None:
        """Index ``rows``: each the :data:`ROW` fields of a revision, then the revision (or, with ``load``,
        a reference to it)."""
        self._setup(codebook, known_at, policy, load)
        latest: dict[str, Sequence[Any]] = {}
        for row in rows:  # (id, rev, recorded_at, party, ..., record)
            if known_at is not None and row[2] > known_at:
                continue
            current = latest.get(row[0])
            if (
                current is None
                or row[1] > current[1]
                or (by_record_time and row[1] == current[1] and row[2] < current[2])
            ):
                latest[row[0]] = row
        positions: dict[CellKey, list[_Indexed]] = defaultdict(list)
        reports: dict[CellKey, list[_Indexed]] = defaultdict(list)
        retracted: dict[CellKey, list[_Indexed]] = defaultdict(list)
        # A store has a few dozen (channel, grade) pairs: classify each once, not once a statement
        # (at 100,000 statements the calls were 0.3 s of a 0.6 s index build).
        judged: dict[tuple[str, str], tuple[Evidence, str, bool]] = {}
        make = tuple.__new__  # a NamedTuple's own constructor is a Python-level call: 0.1 s at 100,000
        for (statement_id, rev, recorded_at, party, issue, stated_on, withdrawn, withdrawn_on,
             channel, grade, speaker, stance, record) in latest.values():  # fmt: skip
            verdict = judged.get((channel, grade))
            if verdict is None:
                evidence = policy.classify(channel, grade)
                verdict = judged[(channel, grade)] = (evidence, grade_key(grade), policy.counts(evidence))
            entry = make(_Indexed, (stated_on, statement_id, withdrawn, withdrawn_on, record, verdict[0], speaker,
                                    stance, verdict[1], recorded_at, rev))  # fmt: skip
            if withdrawn and not withdrawn_on:
                retracted[(party, issue)].append(entry)
            elif verdict[2]:
                positions[(party, issue)].append(entry)
            else:
                reports[(party, issue)].append(entry)
        self._positions = {key: _Track.of(entries) for key, entries in positions.items()}
        self._reports = {key: _Track.of(entries) for key, entries in reports.items()}
        self._retracted: dict[CellKey, Sequence[_Indexed]] = dict(retracted)

    def _setup(self, codebook: Codebook, known_at: str | None, policy: Policy, load: Loader | None) -> None:
        self.codebook = codebook
        self.known_at = known_at
        self.policy = policy
        self._load = load
        self._stances: dict[CellKey, Stance] = {(i.id, s.code): s for i in codebook.issues for s in i.scale}
        self._built: dict[str, Statement] = {}

    def state(self) -> tuple[Any, ...]:
        """The built index as plain data (lists, strings, numbers: what marshal keeps), which
        :meth:`from_state` makes into the same timeline without the rows: what the store's index cache
        holds, so that a warm read skips building the index (0.3 s at 100,000 statements).

        Only of a timeline of the whole record (no ``known_at``) whose references are plain values (the
        places :meth:`from_rows` is given by the store)."""
        if self.known_at is not None:
            raise ValueError("the state of a timeline as known at a time is not kept")

        def packed(tracks: dict[CellKey, _Track]) -> list[tuple[Any, ...]]:
            return [(party, issue, *track.state()) for (party, issue), track in tracks.items()]

        retracted = [(party, issue, *_columns_of(found)) for (party, issue), found in self._retracted.items()]
        return (_STATE_KEY, _policy_key(self.policy), packed(self._positions), packed(self._reports), retracted)

    @classmethod
    def from_state(
        cls, codebook: Codebook, state: Sequence[Any], load: Loader, *, policy: Policy | None = None
    ) -> Timeline | None:
        """The timeline :meth:`state` kept, its references turned into revisions by ``load``; None if the
        state was built under another policy (or is of another format): build it from the rows then."""
        policy = policy or Policy()
        if len(state) != 5 or state[0] != _STATE_KEY or tuple(state[1]) != _policy_key(policy):
            return None
        _, _, positions, reports, retracted = state
        timeline = cls.__new__(cls)
        timeline._setup(codebook, None, policy, load)
        timeline._positions = {(party, issue): _Track.from_state(*kept) for party, issue, *kept in positions}
        timeline._reports = {(party, issue): _Track.from_state(*kept) for party, issue, *kept in reports}
        timeline._retracted = {(party, issue): _Columns(dates, pieces) for party, issue, dates, pieces in retracted}
        return timeline

    def _statement(self, entry: _Indexed) -> Statement:
        """The entry's statement, built from its document the first time it is asked for."""
        record = entry.record
        if isinstance(record, Statement):
            return record
        statement = self._built.get(entry.id)
        if statement is None:
            if self._load is not None:
                record = self._load(record)
            statement = record if isinstance(record, Statement) else from_stored(record)
            self._built[entry.id] = statement
        return statement

    def stance_of(self, statement: Statement) -> Stance:
        """The statement's stance on its issue's scale."""
        return self._stances[(statement.issue, statement.stance)]

    def _cell(self, party: str, issue: str, entry: _Indexed, version: int, **more: Any) -> Cell:
        statement = self._statement(entry)
        return Cell(party, issue, self.stance_of(statement), statement, version, entry.evidence, **more)

    def cell(self, party: str, issue: str, as_of: str, *, reports: bool = True) -> Cell | None:
        """Where ``party`` stands on ``issue`` as of ``as_of``, or None if it has no position then.

        The position is the newest standing statement that counts (stated; ties:
        the better grade, then the newer record). Stated statements of other
        speakers within the policy's window of it, with another stance, make the
        cell contested: the position is then the best-graded of them (then the
        newer), and the rest are its ``conflicts``. Newer standing reports are
        carried as ``reported``, never as the position.
        """
        chosen = self._chosen(party, issue, as_of)
        if chosen is None:
            return None
        position = self._position(party, issue, chosen)
        if not reports:
            return position
        reported = self.reported(party, issue, as_of, after=position.statement.stated_on)
        if not reported:
            return position
        return replace(position, reported=reported)

    def _chosen(self, party: str, issue: str, as_of: str) -> _Choice | None:
        """The entries :meth:`cell` makes its position of (see there), none built: the position's, the
        conflicting ones, and the position's place among the cell's standing statements."""
        track = self._positions.get((party, issue))
        if track is None:
            return None
        end = bisect_right(track.dates, as_of)
        gone = track.gone(end, as_of)
        last = end - 1
        while last in gone:
            last -= 1
        if last < 0:
            return None
        version = end - len(gone)
        entries, dates = track.entries, track.dates  # the dates alone decide the window: no entry made for it
        newest_day = dates[last]
        floor = _days_before(newest_day, self.policy.window_days)
        window: list[_Indexed] = []  # standing statements within the window before the newest
        at = last
        while at >= 0 and dates[at] >= floor:
            if at not in gone:
                window.append(entries[at])
            at -= 1
        by_speaker: dict[str, list[_Indexed]] = {}
        for entry in window:  # only stated statements conflict, whatever else counts as a position
            if entry.evidence is Evidence.stated:
                by_speaker.setdefault(_speaker_key(entry), []).append(entry)
        latest = [_latest(said) for said in by_speaker.values()]  # one speaker's change of mind is a move
        if len({e.stance for e in latest}) <= 1:
            return _Choice(_best(e for e in window if e.stated_on == newest_day), [], version)
        best = _best(latest)
        return _Choice(best, [e for e in latest if e.stance != best.stance], version)

    def _position(self, party: str, issue: str, chosen: _Choice) -> Cell:
        version = chosen.version
        if not chosen.others:
            return self._cell(party, issue, chosen.entry, version)
        conflicts = _Built(chosen.others, lambda e: self._cell(party, issue, e, version))
        return self._cell(party, issue, chosen.entry, version, conflicts=conflicts)

    def reported(self, party: str, issue: str, as_of: str, *, after: str | None = None) -> Sequence[Cell]:
        """Standing reports stated in (``after``, ``as_of``], newest first: never positions, always shown.
        Each cell is built when it is read (a matrix shows the newest and how many)."""
        track = self._reports.get((party, issue))
        if track is None:
            return ()
        standing = track.standing(after, as_of)
        return _Built(standing, lambda e: self._cell(party, issue, e, 0)) if standing else ()

    def matrix(self, as_of: str, parties: Sequence[str] = (), issues: Sequence[str] = ()) -> Matrix:
        """The matrix as of a date, for the given parties and issues (default: all)."""
        party_ids = tuple(parties) or tuple(p.id for p in self.codebook.parties)
        issue_ids = tuple(issues) or tuple(i.id for i in self.codebook.issues)
        cells = {}
        unconfirmed = {}
        for party in party_ids:
            for issue in issue_ids:
                cell = self.cell(party, issue, as_of)
                if cell is not None:
                    cells[(party, issue)] = cell
                elif reports := self.reported(party, issue, as_of):
                    unconfirmed[(party, issue)] = reports
        return Matrix(as_of, self.known_at, party_ids, issue_ids, cells, self.policy, unconfirmed)

    def conflicts(self, as_of: str) -> list[Cell]:
        """The contested cells as of a date, party by party, issue by issue."""
        found = (self.cell(p.id, i.id, as_of) for p in self.codebook.parties for i in self.codebook.issues)
        return [cell for cell in found if cell is not None and cell.contested]

    def change_dates(self) -> list[str]:
        """Every date on which some cell changed (a position, a withdrawal or a report), oldest first."""
        tracks = [*self._positions.values(), *self._reports.values()]
        dates = {d for track in tracks for d in track.dates}
        dates.update(day for track in tracks for _, day in track.withdrawals)
        return sorted(dates)

    def change_days(self, party: str, issue: str, start: str, end: str) -> list[str]:
        """The dates in (start, end] on which the cell's position may have changed, oldest first:
        between two of them, :meth:`cell` (without reports) gives the same answer."""
        track = self._positions.get((party, issue))
        if track is None:
            return []
        found = set(track.dates[bisect_right(track.dates, start) : bisect_right(track.dates, end)])
        found.update(day for _, day in track.withdrawals if start < day <= end)
        return sorted(found)

    def statements(self, party: str, issue: str) -> list[Statement]:
        """The cell's statements, newest first, with reports and retracted ones (latest revisions)."""
        key = (party, issue)
        found = [
            *(self._positions[key].entries if key in self._positions else ()),
            *(self._reports[key].entries if key in self._reports else ()),
            *self._retracted.get(key, ()),
        ]
        return [self._statement(e) for e in sorted(found, key=_ORDER, reverse=True)]

    def references(self, keys: Iterable[CellKey]) -> list[tuple[str, int, Any]]:
        """(recorded_at, rev, reference) of the latest revision of each statement in the cells ``keys``,
        reports and retracted ones too, nothing built: what ``log --party P --issue I`` reads."""
        found: list[tuple[str, int, Any]] = []
        for key in keys:
            groups = (self._positions.get(key), self._reports.get(key))
            for entries in (*(track.entries for track in groups if track is not None), self._retracted.get(key, ())):
                found.extend((e.recorded_at, e.rev, e.record) for e in entries)
        return found

    def evidence_of(self, statement: Statement) -> Evidence:
        """Whether a statement is stated or reported under this timeline's policy."""
        return self.policy.classify(statement.channel, statement.grade)

    def between(self, party: str, issue: str, start: str, end: str) -> Sequence[Statement]:
        """Standing statements that count, stated inside (start, end], oldest first."""
        track = self._positions.get((party, issue))
        if track is None:
            return ()
        chosen = track.entries[bisect_right(track.dates, start) : bisect_right(track.dates, end)]
        return _Built([e for e in chosen if not _withdrawn_by(e, end)], self._statement)

    def path(self, party: str, issue: str, start: str, end: str) -> tuple[Cell, ...]:
        """The positions the cell went through from ``start`` to ``end``, in order (the first is where it stood
        at ``start``, if anywhere); a run of the same stance is one step."""
        steps: list[Cell] = []
        shown: tuple[str, bool] | None = None
        for day in [start, *self.change_days(party, issue, start, end)]:
            chosen = self._chosen(party, issue, day)  # the steps are positions; reports are the change's
            if chosen is None or (chosen.entry.stance, bool(chosen.others)) == shown:
                continue  # a day that keeps the step: nothing built for it
            shown = (chosen.entry.stance, bool(chosen.others))
            steps.append(self._position(party, issue, chosen))
        return tuple(steps)

    def diff(
        self,
        start: str,
        end: str,
        parties: Sequence[str] = (),
        issues: Sequence[str] = (),
        *,
        restated: bool = False,
    ) -> Diff:
        """Cell by cell, what happened between ``start`` and ``end`` (both as-of dates).

        The kind says it: ``withdrawn`` when the position standing at ``start``
        was withdrawn in the window (``after`` is what the cell falls back to);
        ``new``; ``contested`` when the cell became contested; ``changed``;
        ``reported`` when only new reports came in; ``restated`` (if asked for).
        Every change carries its path and the window's new reports.
        """
        all_parties = [p.id for p in self.codebook.parties]
        party_ids = list(parties) or all_parties
        changes = []
        for issue in issues or [i.id for i in self.codebook.issues]:
            at_end: dict[str, Cell | None] = {}  # each party's end position, asked for again by every move

            def end_of(party: str, issue: str = issue, at_end: dict[str, Cell | None] = at_end) -> Cell | None:
                if party not in at_end:
                    at_end[party] = self.cell(party, issue, end, reports=False)
                return at_end[party]

            for party in party_ids:
                # The ends are compared as positions; only a change's end gets its reports (below): at 100,000
                # statements every end with its reports built 10,000 Statements, most for nothing.
                before = self.cell(party, issue, start, reports=False)
                after = end_of(party)
                reports = self.reported(party, issue, end, after=start)
                movement = None
                path: tuple[Cell, ...] | None = None
                if before is None and after is None and not reports:
                    continue
                if before is not None and (
                    after is None or (before.statement.retracted and start < before.statement.withdrawn_on <= end)
                ):
                    kind = ChangeKind.withdrawn
                elif before is None and after is not None:
                    kind = ChangeKind.new
                elif after is not None and after.contested and not (before is not None and before.contested):
                    kind = ChangeKind.contested
                elif before is not None and after is not None and before.stance.code != after.stance.code:
                    kind = ChangeKind.changed
                    others = [end_of(other) for other in all_parties if other != party]
                    movement = _movement(before.stance, after.stance, [o.stance for o in others if o])
                elif len(path := self.path(party, issue, start, end)) > 2:
                    kind = ChangeKind.changed  # moved away and back within the window: the path says so
                elif reports:
                    kind = ChangeKind.reported
                elif (
                    restated and before is not None and after is not None
                    and before.statement.id != after.statement.id
                ):  # fmt: skip
                    kind = ChangeKind.restated
                else:
                    continue
                statements = self.between(party, issue, start, end)
                if path is None:
                    path = self.path(party, issue, start, end)
                if after is not None and (beside := self.reported(party, issue, end, after=after.statement.stated_on)):
                    after = replace(after, reported=beside)  # where the cell ends, as the matrix shows it
                changes.append(Change(party, issue, kind, before, after, movement, statements, path, reports))
        return Diff(start, end, self.known_at, tuple(changes), self.policy)
