"""The dashboard's one hold on the store: every read and write goes through here.

The matrix is re-read in a worker thread while keys, forms and the inbox write
from Textual's thread; a Store is not safe to share across threads, so every
use of it here is under one lock. No other module of the dashboard imports the
store (an import contract checks it): screens get data pushed in and post
messages up, and the app turns those messages into calls on this object.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inbox_model import Candidate
from ..ingest import inbox
from ..model import Codebook, Statement, sanitise
from ..store import Store
from ..timeline import CellKey, Timeline
from .screens.history import HistoryEntry


@dataclass(frozen=True)
class Snapshot:
    """The record as one read of the file saw it: what the matrix, the strip and the title show."""

    timeline: Timeline
    change_dates: list[str]
    """Every date on which some cell changed, oldest first."""
    title: str
    """The store's title, sanitised (the terminal's title bar shows it too)."""
    generation: int
    """Grows with every change of the data the store holds: a snapshot with a smaller one is stale."""
    histories: Mapping[CellKey, list[HistoryEntry]]
    """The histories asked for with the read (the cells whose history screen is open)."""
    candidates: list[Candidate] | None = None
    """The new inbox candidates, when asked for with the read (the inbox is open)."""

    @property
    def codebook(self) -> Codebook:
        return self.timeline.codebook


class Session:
    """The Store and its lock, offering what the dashboard's screens need."""

    def __init__(self, store: Store, *, min_grade: str | None = None) -> None:
        self._store = store
        self._min_grade = min_grade
        """``--min-grade`` for this session (None: the store's policy)."""
        self._lock = threading.Lock()
        """Held around every use of the store: reloads run in a worker thread, writes in the app's."""

    @classmethod
    def open(cls, path: str | Path) -> Session:
        return cls(Store(path))

    @property
    def path(self) -> Path:
        return self._store.path

    # -- reading -----------------------------------------------------------------

    def snapshot(
        self, cells: Collection[CellKey] = (), *, candidates: bool = False, include_reported: bool = False
    ) -> Snapshot:
        """The record as the file holds it now (re-read if another process wrote), under the store's
        policy, with reports counted as positions if asked.

        With the histories of these cells, and the inbox's new candidates if
        asked: read under the same hold, so all of it is one version of the file.
        """
        with self._lock:
            self._store.reload_if_changed()
            policy = self._store.policy.overridden(min_grade=self._min_grade, include_reported=include_reported)
            timeline = self._store.timeline(policy=policy)
            return Snapshot(
                timeline,
                timeline.change_dates(),
                sanitise(self._store.title),
                self._store.generation,
                {cell: self._entries(timeline, *cell) for cell in cells},
                inbox.candidates(self._store, "new") if candidates else None,
            )

    def changed_on_disk(self) -> bool:
        """Whether another process replaced the file since this session last read or wrote it (a stat: costs
        nothing). A write of the session's own leaves the stamp it wrote, so the poll never announces it."""
        with self._lock:
            return self._store.changed_on_disk()

    def being_written(self) -> bool:
        """Whether a writer holds the store's lock now: one that has replaced the file may not have left
        its index cache yet, and a reload then would parse the whole file (``Store.write_in_progress``)."""
        with self._lock:
            return self._store.write_in_progress()

    def history(self, timeline: Timeline, party: str, issue: str) -> list[HistoryEntry]:
        """One cell's statements, newest first, each with its revisions."""
        with self._lock:
            return self._entries(timeline, party, issue)

    def _entries(self, timeline: Timeline, party: str, issue: str) -> list[HistoryEntry]:
        statements = timeline.statements(party, issue)
        revised = self._store.histories([s.id for s in statements if s.rev > 1])
        return [(s, revised.get(s.id, [s])) for s in statements]

    # -- recording ---------------------------------------------------------------

    def add(self, fields: Mapping[str, Any]) -> Statement:
        with self._lock:
            return self._store.add(fields)

    def correct(self, statement_id: str, changes: Mapping[str, Any], *, reason: str = "") -> Statement:
        with self._lock:
            return self._store.correct(statement_id, changes, reason=reason)

    def retract(self, statement_id: str, reason: str, *, withdrawn_on: str = "") -> Statement:
        with self._lock:
            return self._store.retract(statement_id, reason, withdrawn_on=withdrawn_on)

    # -- the inbox ---------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        """The candidates waiting for review, oldest first."""
        with self._lock:
            return inbox.candidates(self._store, "new")

    def accept(self, candidate_id: str, fields: Mapping[str, Any]) -> Statement:
        """The candidate recorded as the statement the form gives (its fields as reviewed), its other reports as
        corroboration, and marked accepted, in one write."""
        with self._lock:
            return inbox.record(self._store, candidate_id, fields)

    def reject(self, candidate_id: str) -> Candidate:
        """The candidate marked rejected; like every write here, it leaves :meth:`changed_on_disk` False."""
        with self._lock:
            return inbox.reject(self._store, candidate_id)

    def restore(self, candidate_id: str) -> None:
        """A rejected candidate back for review."""
        with self._lock:
            inbox.restore(self._store, candidate_id)
