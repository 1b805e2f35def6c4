"""The one door to a store: :class:`Store` reads, checks and writes positions.json in domain terms.

Callers get statements, codebooks, timelines, feeds and candidates, never the
file's documents; the storage layer underneath (``tracker/storage``) holds the
file's layout, the atomic writes, the lock and TinyDB:

- every read comes from one parse of the file, made again only when its stat
  stamp changes (another process wrote);
- every write takes the exclusive lock (``positions.json.lock``), re-reads
  under it, checks the file as the read commands do (a writer never rewrites a
  file a reader refuses), and lands as one atomic file write per operation
  (or per :meth:`Store.writing` block);
- a store reached through a symbolic link is locked and written at its target
  (resolved once, when the Store opens), so the link stays a link;
- statements are append-only: a correction or retraction is a new revision.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dates import format_instant, is_instant, normalise_instant, now_instant, today
from .errors import InputError, StoreError, shown
from .evidence import Policy
from .ids import ulid
from .model import (
    ENTRY_FIELDS,
    SCHEMA,
    Codebook,
    Issue,
    Party,
    Stance,
    Statement,
    codebook_from_tables,
    folded,
    from_stored,
    is_stored,
    sanitise,
)
from .revisions import ImportMerge, Incoming, Resolution, merge, new_history
from .storage.files import backup_of, refuse_unwritable, write_atomic, write_problem
from .storage.lock import exclusive, held_now, lock_owner_path, lock_timeout
from .storage.schema import (
    Tables,
    default_tables,
    dump_tables,
    empty_tables,
    in_order,
    keyed_in_order,
    migrate_tables,
    parse_tables,
    schema_of,
)
from .storage.tinydb_adapter import Database, View
from .storage.user import current_user
from .timeline import ROW, Loader, Record, Timeline, row_of

if TYPE_CHECKING:  # the ingest records load only for the commands that use them (6 ms of every start)
    from .inbox_model import Candidate, CandidateStatus, Feed, FeedUpdate, InboxMerge

__all__ = [  # the Store, and the storage helpers its callers (init, export, tests) take from here
    "Store",
    "Tables",
    "backup_of",
    "current_user",
    "default_tables",
    "describe_tables",
    "dump_tables",
    "empty_tables",
    "lock_owner_path",
    "new_statement_id",
    "parse_tables",
    "write_atomic",
]

_RECORDED = attrgetter("recorded_at", "rev")
"""The order revisions were recorded in."""
_REV = attrgetter("rev")
"""The order of one statement's revisions."""


def _revision(record: Record) -> Statement:
    return record if isinstance(record, Statement) else from_stored(record)


def _itself(record: Any) -> Any:
    """The loader of rows that carry their revision itself (not a reference to it)."""
    return record


def _party_of(record: Record) -> str:
    return record.party if isinstance(record, Statement) else str(record["party"])


def _issue_of(record: Record) -> str:
    return record.issue if isinstance(record, Statement) else str(record["issue"])


PREFIX_MATCHES_SHOWN = 5
"""How many of the ids an ambiguous prefix matches its error names (it says how many there are)."""

_LISTED_BY = {"feeds": ("feed", "feeds list"), "inbox": ("candidate", "inbox")}
"""What a feed or inbox document is called, and the command that lists them (for an unknown id)."""


def _checker(book: Codebook) -> Callable[[Sequence[Any]], bool]:
    """Whether a row (``timeline.ROW``) names a revision of 1 or more and codes ``book`` has."""
    parties = {p.id for p in book.parties}
    stances = {(i.id, s.code) for i in book.issues for s in i.scale}
    return lambda r: r[1] >= 1 and r[3] in parties and (r[4], r[11]) in stances


def derive_index(tables: Tables, rows: list[tuple[Any, ...]]) -> Any:
    """What the index cache keeps for this store's reads (``storage.tinydb_adapter.Derive``): the
    timeline's built index under the store's policy (``Timeline.state``), so a warm read bisects it
    instead of building it (0.3 s at 100,000 statements). None when a read must check the file: a bad
    codebook or policy, or a row the check refuses (the command then names the problem)."""
    try:
        book = codebook_from_tables(in_order(tables["parties"]), in_order(tables["issues"]))
        policy = Policy.from_json(next(iter(tables["meta"].values())).get("policy"))
    except (InputError, KeyError, StopIteration, AttributeError, TypeError):
        return None
    if not all(map(_checker(book), rows)):
        return None
    return Timeline.from_rows(book, rows, _itself, policy=policy).state()


def new_statement_id() -> str:
    """A globally unique, time-sortable statement id."""
    return f"st_{ulid()}"


class Store:
    """The positions of a negotiation, as stored in one positions.json."""

    def __init__(self, path: str | Path, *, lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise StoreError(
                f"no store at {self.path}: create one with `tracker init` "
                "(or `tracker init --demo` for the bundled 2025 record)"
            )
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a store file")
        self._real = Path(os.path.realpath(self.path))
        """The file itself, links resolved: what is locked, read and replaced (``path`` names it in messages)."""
        self._db = Database(self._real, self.path, derive_index)
        """The file's tables, through the storage layer."""
        self._lock_timeout = lock_timeout
        """Seconds to wait for the lock; None: ``$TRACKER_LOCK_TIMEOUT``, else LOCK_TIMEOUT."""
        self._write_depth = 0
        self._writer: int | None = None
        """The thread holding the write lock: only it may nest writes inside it."""
        self.backup: Path | None = None
        """The copy kept when this store replaced the file (``create`` with ``force``, ``restore``) or
        migrated it to a newer schema, if it did."""
        self._cache: dict[Hashable, Any] = {}
        self._cache_generation = -1
        self._db.view()  # fail now, with the file's name, if it is not a store (a valid index cache says it is)

    @classmethod
    def create(cls, path: str | Path, tables: Tables, *, force: bool = False) -> Store:
        """Write a new store; an existing file is kept as a backup with ``force``, refused without."""

        def existing(real: Path) -> None:
            if not force:
                raise StoreError(f"{path} already exists", field="force")

        return cls._write_whole(Path(path), tables, existing, may_replace=force)

    @classmethod
    def restore(cls, path: str | Path, tables: Tables, *, force: bool = False) -> Store:
        """Make the store at ``path`` (made if missing) hold exactly ``tables``: a backup's whole content.

        A store that holds statements, feeds or inbox candidates is replaced only
        with ``force``; one that holds only a codebook (a new ``tracker init``) is
        replaced without. Either way the file replaced is kept as a backup first
        (:attr:`backup`), as ``init --force`` keeps one. Checked under the lock,
        so a statement another writer adds meanwhile is not replaced unseen.
        """
        path = Path(path)

        def existing(real: Path) -> None:
            if force:
                return
            try:
                held = _holding(parse_tables(real.read_bytes(), path))
            except StoreError as error:
                raise StoreError(f"{error}; a restore would replace it", field="force") from None
            if held:
                raise StoreError(f"{path} already holds {held}; a restore replaces the whole store", field="force")

        return cls._write_whole(path, tables, existing, may_replace=True)

    @classmethod
    def _write_whole(cls, path: Path, tables: Tables, existing: Callable[[Path], None], *, may_replace: bool) -> Store:
        """Write ``tables`` as the whole file at ``path``, under the lock; a file there is first put to
        ``existing`` (which refuses by raising) and then kept as a backup."""
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a store file")
        real = Path(os.path.realpath(path))  # a link to a store (or to where one will be) stays a link
        kept: Path | None = None
        try:
            if real.exists() and may_replace:
                refuse_unwritable(real, path)
            with exclusive(real, lock_timeout(), shown=path):
                if real.exists():
                    existing(real)
                    kept = backup_of(real)
                write_atomic(real, dump_tables(tables))
        except OSError as error:
            raise StoreError(f"{path}: could not write ({write_problem(real, error)}); nothing was changed") from None
        store = cls(path)
        store.backup = kept
        return store

    # -- reading ---------------------------------------------------------

    def _tables(self) -> Tables:
        data = self._db.read()
        if self._db.generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = self._db.generation
        return data

    def _view(self) -> View | None:
        """The file as a read needs it (``storage.tinydb_adapter.View``): from the index cache beside it
        when that describes the file, else parsed (and the cache written). None if it has statement
        documents of another shape: then only :meth:`_tables` reads it."""
        view = self._db.view()
        if self._db.generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = self._db.generation
        return view

    def _small_tables(self) -> Tables:
        """The tables but ``statements`` (meta, the codebook, feeds, the inbox): from the view outside a
        write, so that a read on a warm index cache never parses the file; the tables inside one."""
        if not self._write_depth and (view := self._view()) is not None:
            return view.tables
        return self._tables()

    def _cached(self, key: Hashable, build: Any) -> Any:
        if not (self._write_depth and self._cache_generation == self._db.generation):
            self._view()  # a stat: did another process write? Not while we hold the lock.
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def write_index(self) -> None:
        """Leave the index cache beside the file, as every write does (``tracker check`` runs this: after a
        ``git pull`` or a hand edit, readers read the whole file until the next write or check)."""
        self._db.write_index()

    def reload_if_changed(self) -> bool:
        """Re-read the file if another process changed it (from the index cache the writer left, if it
        describes the file); True if it did."""
        before = self._db.generation
        self._view()
        return self._db.generation != before

    def changed_on_disk(self) -> bool:
        """True if the file is not the one this Store last read or wrote (another process replaced it,
        or it has gone): one stat, compared with the stamp of that read; nothing is re-read."""
        return self._db.changed_on_disk()

    def write_in_progress(self) -> bool:
        """True if a writer (another process, or another Store of this one) holds the store's lock now: one
        probe of the lock file, nothing created or read. A writer replaces the file first and leaves its
        index cache after, both under the lock, so a reader that re-reads in between finds no cache of
        the new file and parses it (3 s at 100,000 statements, where the writer's cache loads in a tenth
        of that); the dashboard waits for the lock to be let go before it reloads."""
        return held_now(f"{self._real}.lock")

    @property
    def generation(self) -> int:
        """Changes whenever the data this store holds in memory changes."""
        self._view()
        return self._db.generation

    @property
    def title(self) -> str:
        meta = next(iter(self._small_tables()["meta"].values()))
        return str(meta.get("title") or self.path.name)

    @property
    def codebook(self) -> Codebook:
        def build() -> Codebook:
            tables = self._small_tables()
            try:
                return codebook_from_tables(in_order(tables["parties"]), in_order(tables["issues"]))
            except InputError as error:
                raise StoreError(f"{self.path}: bad codebook: {error} (run `tracker check`)") from None

        book: Codebook = self._cached("codebook", build)
        return book

    def _records(self) -> list[Record]:
        """Every statement document, checked as :meth:`revisions` promises, in file order.

        Checked: each is a statement (the stored shape, or one Statement.from_json
        accepts), of revision 1 or more, naming codes the codebook has. Every
        writer runs this too, before it writes (:meth:`writing`).

        A document in the exact stored shape (``model.is_stored``) stays a
        document, checked without building a Statement; any other becomes one
        (or the StoreError). The timeline builds statements only for what it
        returns, so ``matrix`` on 100,000 statements builds a few hundred.
        """

        def build() -> list[Record]:
            book = self.codebook
            parties = {p.id for p in book.parties}
            stances = {(i.id, s.code) for i in book.issues for s in i.scale}
            table = self._tables()["statements"]
            documents = list(table.values())

            def known(doc: Any) -> bool:  # one pass over the documents: each is read while in cache
                return (
                    is_stored(doc)
                    and doc["rev"] >= 1
                    and doc["party"] in parties
                    and (doc["issue"], doc["stance"]) in stances
                )

            if all(map(known, documents)):
                return documents  # all dicts of the stored shape
            found: list[Record] = []
            for key, doc in table.items():
                record: Record
                if is_stored(doc):
                    record, party, issue, stance = doc, doc["party"], doc["issue"], doc["stance"]
                else:
                    try:
                        record = Statement.from_json(doc)
                    except InputError as error:
                        raise StoreError(
                            f"{self.path}: statement document {key}: {error} (run `tracker check`)"
                        ) from None
                    party, issue, stance = record.party, record.issue, record.stance
                rev = record.rev if isinstance(record, Statement) else record["rev"]
                if party not in parties or (issue, stance) not in stances or rev < 1:
                    statement = record if isinstance(record, Statement) else Statement.from_json(record)
                    where = statement.id or f"document {key}"
                    problem = "; ".join(statement.problems(book))
                    raise StoreError(f"{self.path}: statement {where}: {problem} (run `tracker check`)")
                found.append(record)
            return found

        records: list[Record] = self._cached("records", build)
        return records

    def _rows(self) -> tuple[list[tuple[Any, ...]], Loader]:
        """Every revision as a row: its ``timeline.ROW`` fields, then a reference that the loader turns
        into the revision (a stored document or a Statement), checked as :meth:`_records` checks them.

        On a warm index cache the rows come from the cache and a reference is read from the file by
        offset, so a command builds only the statements it shows; otherwise (inside a write, or a file
        with documents of another shape) they are :meth:`_records`, whose check names any problem.
        """

        def build() -> tuple[list[tuple[Any, ...]], Loader]:
            view = None if self._write_depth else self._view()
            if view is not None:
                if view.index() is not None:  # derived only from rows that passed this check
                    return view.rows(), view.load
                book = self.codebook
                if all(map(_checker(book), view.rows())):
                    return view.rows(), view.load
            rows = [(*(row_of(r) if isinstance(r, Statement) else ROW(r)), r) for r in self._records()]
            return rows, _itself

        found: tuple[list[tuple[Any, ...]], Loader] = self._cached("rows", build)
        return found

    def revisions(self) -> list[Statement]:
        """Every revision of every statement, in the order they were recorded."""

        def build() -> list[Statement]:
            found = [r if isinstance(r, Statement) else from_stored(r) for r in self._records()]
            found.sort(key=_RECORDED)
            return found

        revisions: list[Statement] = self._cached("revisions", build)
        return revisions

    def latest(self, parties: Collection[str] = (), issues: Collection[str] = ()) -> list[Statement]:
        """The latest revision of every statement, in the order recorded; only on ``parties`` / ``issues`` if given.

        What ``log`` lists without ``--revisions``, with Statements built only
        for the statements chosen (at 100,000 statements, ``log --party P
        --issue I`` builds a few hundred instead of every revision).
        """
        kept = self._kept_index()
        if kept is not None and (timeline := Timeline.from_state(self.codebook, *kept, policy=self.policy)):
            # Each cell's latest revisions are in the kept index: only the cells asked for are read.
            party_ids = parties or [p.id for p in self.codebook.parties]
            issue_ids = issues or [i.id for i in self.codebook.issues]
            entries = sorted(timeline.references([(p, i) for p in party_ids for i in issue_ids]))
            return [_revision(kept[1](record)) for *_, record in entries]
        rows, load = self._rows()
        latest: dict[str, tuple[str, int, int, tuple[Any, ...]]] = {}
        for place, row in enumerate(rows):
            current = latest.get(row[0])
            if current is None or row[1] > current[1] or (row[1] == current[1] and row[2] < current[0]):
                latest[row[0]] = (row[2], row[1], place, row)
        chosen = sorted(  # recorded_at, rev, then place in the file: the order of revisions()
            found[:3]
            for found in latest.values()
            if (not parties or found[3][3] in parties) and (not issues or found[3][4] in issues)
        )
        return [_revision(load(rows[place][-1])) for *_, place in chosen]

    def history(self, statement_id: str) -> list[Statement]:
        """All revisions of one statement, first to last; an unknown id is an error."""
        found = self.histories([statement_id]).get(statement_id)
        if not found:
            raise InputError(f"no statement with id {statement_id!r}")
        return found

    def statement_id(self, text: str) -> str:
        """The whole id of the one statement ``text`` names: its id, or a prefix of it only that statement's
        id has (``st_01m8sy``), in any case, as an analyst pastes or types it.

        One pass over the ids (at 100,000 statements, a few milliseconds). An id typed whole wins over
        the longer ids it begins; a prefix that several ids share is refused, naming up to
        :data:`PREFIX_MATCHES_SHOWN` of them and how many there are.
        """
        wanted = text.strip()
        if not wanted:
            raise InputError("give a statement id (st_…, or the start of one: see `tracker log`)")
        ids = self._statement_ids()
        if wanted in ids:
            return wanted
        start = wanted.casefold()
        matched = [i for i in ids if i.casefold().startswith(start)]
        whole = [i for i in matched if i.casefold() == start]
        if len(whole) == 1:
            return whole[0]
        if len(matched) == 1:
            return matched[0]
        if not matched:
            raise InputError(f"no statement with id {shown(wanted)}")
        listed = ", ".join(heapq.nsmallest(PREFIX_MATCHES_SHOWN, matched))  # "st_" at 100,000: no full sort
        more = f" and {len(matched) - PREFIX_MATCHES_SHOWN} more" if len(matched) > PREFIX_MATCHES_SHOWN else ""
        raise InputError(
            f"statement id {shown(wanted)} is ambiguous: {len(matched)} statements start with it "
            f"({listed}{more}); give more of the id"
        )

    def histories(self, ids: Collection[str]) -> dict[str, list[Statement]]:
        """All revisions of each statement in ``ids``, first to last; ids the store lacks are left out.

        One pass over the checked documents, with a Statement built only for the
        revisions asked for: the history of a dashboard cell at 100,000
        statements builds a handful, not every revision.
        """
        wanted = set(ids)
        found: dict[str, list[Statement]] = {}
        if not wanted:
            return found
        kept = self._kept_index()
        if kept is not None:  # each id's places, from the cache: no row is read
            view = self._view()
            assert view is not None
            ids = view.ids()
            for statement_id in wanted & ids.keys():
                places = ids[statement_id]
                for place in places if isinstance(places, tuple) else (places,):
                    found.setdefault(statement_id, []).append(_revision(view.load(place)))
        else:
            rows, load = self._rows()
            for row in rows:
                if row[0] in wanted:
                    found.setdefault(row[0], []).append(_revision(load(row[-1])))
        for revisions in found.values():
            revisions.sort(key=_RECORDED)
            revisions.sort(key=_REV)  # stable: two revisions of one number stay in the order recorded
        return found

    def tables(self) -> Tables:
        """Every table of the file, as parsed, for a full backup (``export --all``): the one reader that
        gets the documents themselves, as stored, so that a restore writes the same file.

        Checked first as every read command checks the file. Do not modify.
        """
        self._records()
        return self._tables()

    @property
    def policy(self) -> Policy:
        """What counts as a position in this store (``meta.policy``; the defaults when it has none)."""

        def build() -> Policy:
            meta = next(iter(self._small_tables()["meta"].values()))
            try:
                return Policy.from_json(meta.get("policy"))
            except InputError as error:
                raise StoreError(f"{self.path}: bad policy in meta: {error} (run `tracker check`)") from None

        policy: Policy = self._cached("policy", build)
        return policy

    def set_policy(self, policy: Policy) -> Policy:
        """Keep ``policy`` (its threshold and window) as the store's: a write like any other."""
        with self.writing():
            key, meta = next(iter(self._tables()["meta"].items()))
            self._db.update("meta", [key], {**meta, "policy": policy.as_json()})
        return policy

    def timeline(self, known_at: datetime | None = None, policy: Policy | None = None) -> Timeline:
        """The positions as the file says now, or as it said at ``known_at``, under ``policy``
        (default: the store's own)."""
        policy = policy or self.policy
        if known_at is not None:
            return Timeline.from_rows(self.codebook, *self._rows(), known_at=format_instant(known_at), policy=policy)

        def build() -> Timeline:
            kept = self._kept_index()
            if kept is not None and (timeline := Timeline.from_state(self.codebook, *kept, policy=policy)):
                return timeline
            return Timeline.from_rows(self.codebook, *self._rows(), policy=policy)

        timeline: Timeline = self._cached(("timeline", policy), build)
        return timeline

    def _kept_index(self) -> tuple[Any, Loader] | None:
        """The timeline's index as the index cache keeps it (``derive_index``), and the loader of its
        references; None inside a write, or when there is none (a document the check refuses)."""
        view = None if self._write_depth else self._view()
        if view is None or (state := view.index()) is None:
            return None
        return state, view.load

    # -- writing ---------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A block of writes: the Store's own writing methods called inside it share one hold of the
        lock, with the file re-read if anyone changed it since we did, and land as one file write.

        Waits at most the lock timeout, then says who holds the lock. On entry it
        records who we are for other waiters, removes temp files a killed writer
        left, checks the file as the read commands do (a file they refuse is
        refused here too, before anything is written: one validation for every
        command), and migrates a store of an older schema (keeping a backup
        first). A read-only or hard-linked file is refused before the lock is
        taken. Re-entrant: a write inside a write shares the outer one's lock.

        A block is all or nothing: its writes are held in memory and written as
        one file when the outermost block ends; if it raises, none is written.
        """
        if self._write_depth and self._writer == threading.get_ident():
            self._write_depth += 1
            try:
                yield
            finally:
                self._write_depth -= 1
            return
        timeout = lock_timeout() if self._lock_timeout is None else self._lock_timeout
        refuse_unwritable(self._real, self.path)
        with exclusive(self._real, timeout, shown=self.path):  # another thread of ours waits here too
            self._writer, self._write_depth = threading.get_ident(), 1
            try:
                self._tables()  # re-read if another process wrote, then check it: cached, once per parse
                # Documents the check took as stored are (the others became Statements), and the block's
                # own are (``_append``): the index cache written with the file need not check them again.
                stored = all(type(r) is dict for r in self._records())
                self._migrate_if_old()
                self._db.defer()
                try:
                    yield
                except BaseException:
                    self._db.discard()  # all or nothing: a failed block leaves the file as it was
                    raise
                self._db.flush(stored=stored)
            finally:
                self._db.discard()
                self._writer, self._write_depth = None, 0

    def _migrate_if_old(self) -> None:
        """Before the first write to an older store: keep a backup, then write the migrated file."""
        tables = self._tables()
        if schema_of(tables) >= SCHEMA:
            return
        migrated = migrate_tables(tables, self.path)
        try:
            backup = backup_of(self._real)
        except OSError as error:
            raise StoreError(
                f"{self.path}: could not keep a backup before migrating it to schema {SCHEMA} "
                f"({error.strerror or error}); the file is unchanged"
            ) from None
        self._db.replace(migrated)
        self.backup = backup

    def _checked(
        self, statement: Statement, book: Codebook | None = None, *, entered: Collection[str] = ENTRY_FIELDS
    ) -> Statement:
        """The statement cleaned and checked against the codebook (``book``: one the caller already holds),
        and the fields ``entered`` by this write against what a statement may say as it is written
        (``Statement.entry_problems``: no date after today, a web URL)."""
        statement = statement.sanitised()
        problems = statement.problems(book or self.codebook)
        if problems:
            raise InputError("; ".join(problems))
        if entered and (found := statement.entry_problems(today().isoformat(), entered)):
            raise InputError("; ".join(message for _, message in found), field=found[0][0])
        return statement

    def _append(self, statements: Sequence[Statement]) -> None:
        self._db.insert("statements", (s.as_json() for s in statements))

    def _stamp(
        self, fields: Mapping[str, Any], *, stamp: tuple[str, str] | None = None, **bookkeeping: Any
    ) -> Statement:
        """A new revision from ``fields``, recorded now (or at ``stamp``: time and user)."""
        recorded_at, recorded_by = stamp or (now_instant(), current_user(self._real.parent))
        return Statement.from_json({**fields, **bookkeeping, "recorded_at": recorded_at, "recorded_by": recorded_by})

    def add(self, fields: Mapping[str, Any]) -> Statement:
        """Record a new statement from the analyst's fields; returns revision 1."""
        with self.writing():
            statement = self._checked(self._stamp(fields, id=new_statement_id(), rev=1))
            self._append([statement])
        return statement

    def correct(
        self,
        statement_id: str,
        changes: Mapping[str, Any],
        *,
        reason: str = "",
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
    ) -> Statement:
        """Append a revision with ``changes`` applied to the latest one.

        ``changes["tags"]`` replaces the tags (the dashboard's form edits the whole list; ``[]``
        clears them); ``add_tags`` then adds tags it lacks, and ``remove_tags`` removes tags it
        has (one it lacks is refused): the command line's ``--tag`` and ``--untag``, applied to
        the tags as the file holds them under the lock, so a colleague's tag is never lost.
        """
        if not (changes or add_tags or remove_tags):
            raise InputError("nothing to correct: give at least one field to change")
        with self.writing():
            latest = self.history(statement_id)[-1]
            if latest.retracted:
                raise InputError(f"statement {statement_id} is retracted; add a new statement instead")
            fields = latest.as_json()
            if "source" in changes:
                changes = {**changes, "source": {**fields["source"], **changes["source"]}}
            fields.update(changes)
            if add_tags or remove_tags:
                fields["tags"] = _retagged(statement_id, latest.tags, fields["tags"], add_tags, remove_tags)
            changed = [name for name in ENTRY_FIELDS if name in changes or name in changes.get("source", {})]
            statement = self._checked(
                self._stamp(fields, id=statement_id, rev=latest.rev + 1, reason=reason, retracted=False),
                entered=changed,  # what is stored already stays as it is (Statement.entry_problems)
            )
            if replace(statement, rev=latest.rev, recorded_at="", recorded_by="", reason="") == replace(
                latest, recorded_at="", recorded_by="", reason=""
            ):
                raise InputError(f"nothing to correct: the changes leave statement {statement_id} as it is")
            self._append([statement])
        return statement

    def retract(self, statement_id: str, reason: str, *, withdrawn_on: str = "") -> Statement:
        """Append a revision that marks the statement retracted (from ``withdrawn_on``, or always)."""
        if not reason.strip():
            raise InputError("a retraction needs a reason", field="reason")
        with self.writing():
            latest = self.history(statement_id)[-1]
            if latest.retracted:
                raise InputError(f"statement {statement_id} is already retracted")
            if withdrawn_on and withdrawn_on < latest.stated_on:
                raise InputError(f"cannot withdraw on {withdrawn_on}: the statement was made on {latest.stated_on}")
            statement = self._checked(
                self._stamp(
                    latest.as_json(),
                    rev=latest.rev + 1,
                    retracted=True,
                    reason=reason,
                    withdrawn_on=withdrawn_on,
                ),
                entered=(),  # a retraction states nothing new
            )
            self._append([statement])
        return statement

    def import_statements(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Statement]:
        """Validate every record, then write them all at once; a bad one names its place.

        ``records`` are (where, fields) pairs; ``where`` is "line 4" or "item 2".
        They may be read from the file as they are asked for (a generator): each
        is checked and kept as a Statement, and nothing is written before the last
        one is checked. A record with ``revisions`` brings its whole history; one
        without is a new statement (:meth:`_imported`).

        The file is read and checked before the lock is taken, so a slow pipe or a
        large file does not hold up other writers; under the lock, the ids are
        checked again if another writer came in meanwhile. (The codebook only
        grows, so what passed its check still passes.)
        """
        book, known, generation = self.codebook, self._statement_ids(), self.generation
        ready: list[Statement] = []
        stamp = self._import_stamp()
        rows = iter(records)
        for where, record in rows:
            try:
                batch = self._imported(record, stamp, book)
                for statement in batch:
                    if statement.id in known and statement.rev == batch[0].rev:
                        raise InputError(f"statement id {statement.id!r} is already in the store or the file")
                known.update(s.id for s in batch)
            except InputError as error:
                _read_to_end(rows)
                raise InputError(f"{where}: {error}; nothing was imported") from None
            ready.extend(batch)
        with self.writing():
            if self._db.generation != generation:
                taken = self._statement_ids()
                clash = next((s.id for s in ready if s.id in taken), None)
                if clash is not None:
                    raise InputError(
                        f"statement id {clash!r} was added to the store while the file was read; nothing was imported"
                    )
            if ready:
                self._append(ready)
        return ready

    def merge_statements(
        self, records: Iterable[tuple[str, Mapping[str, Any]]], resolution: Resolution | None = None
    ) -> ImportMerge:
        """Join the file's revisions to the store's (``import --merge``; the rules are in tracker/revisions.py).

        Every record is read and checked first, as :meth:`import_statements`
        checks it (a bad one names its place, and nothing is written); a record
        without ``revisions`` is one revision, its ``rev`` kept. The comparison is
        made under the lock, against the file as it is then, and what it adds is
        written at once, and only if :attr:`ImportMerge.written` (no conflict waits
        for a ``resolution``).
        """
        book, stamp = self.codebook, self._import_stamp()
        incoming: list[Incoming] = []
        rows = iter(records)
        for where, record in rows:
            try:
                batch = self._imported(record, stamp, book, one_revision=True)
            except InputError as error:
                _read_to_end(rows)
                raise InputError(f"{where}: {error}; nothing was imported") from None
            incoming.append(Incoming(tuple(batch), history=record.get("revisions") is not None))
        with self.writing():
            merged = merge(self.histories({batch.revisions[0].id for batch in incoming}), incoming, resolution)
            if merged.written and merged.added:
                self._append(merged.added)
        return merged

    def _import_stamp(self) -> tuple[str, str]:
        """One record time for a whole import, and who imports, cleaned as a revision's text is
        (``$TRACKER_USER`` and git's user.name are input)."""
        return now_instant(), sanitise(current_user(self._real.parent))

    def _statement_ids(self) -> set[str]:
        """The ids in the store, read from its documents: no Statement is built for them."""
        if self._kept_index() is not None and (view := self._view()) is not None:
            return set(view.ids())
        return {row[0] for row in self._rows()[0]}

    def _imported(
        self, record: Mapping[str, Any], stamp: tuple[str, str], book: Codebook, *, one_revision: bool = False
    ) -> list[Statement]:
        """The revisions one import record brings, cleaned and checked against ``book``.

        A record with ``revisions`` is a statement's whole history, as given
        (numbered 1, 2, 3...). One without (a CSV row, a JSON item) is the
        statement as its file knew it: a new statement (``revisions.new_history``:
        revision 1, or 1 and its retraction), or with ``one_revision`` (a merge)
        that one revision, its ``rev`` kept (1 if none). Its id is given or new.

        A revision keeps its record time and who recorded it when it gives a
        record time (checked, and put in the stored form), so ``--known-at``
        shows it as its own file did; one without gets the import's ``stamp``.
        """
        if not isinstance(record, Mapping):
            raise InputError("expected a statement object")
        history = record.get("revisions")
        if history is None:
            fields = {**record, "id": record.get("id") or new_statement_id()}
            if not one_revision:
                fields.pop("rev", None)  # a new statement: its revisions are numbered here
            if fields.get("recorded_at"):
                fields["recorded_at"] = _record_time(fields["recorded_at"])
            else:
                fields["recorded_at"], fields["recorded_by"] = stamp
            statement = self._checked(Statement.from_json(fields), book)
            return [statement] if one_revision else new_history(statement)
        if not isinstance(history, list) or not history:
            raise InputError("revisions must be a non-empty list")
        batch = [self._checked(Statement.from_json(rev), book) for rev in history]
        ids = {s.id for s in batch}
        if len(ids) != 1 or not batch[0].id:
            raise InputError("all revisions of a statement must carry the same id")
        if [s.rev for s in batch] != list(range(1, len(batch) + 1)):
            raise InputError("revisions must be numbered 1, 2, 3... in order")
        return [
            s
            if is_instant(s.recorded_at)
            else replace(s, recorded_at=_record_time(s.recorded_at))
            if s.recorded_at
            else replace(s, recorded_at=stamp[0], recorded_by=stamp[1])
            for s in batch
        ]

    def add_party(self, party: Party) -> Party:
        """Add a party to the codebook."""
        self._add_code("parties", party, party.problems())
        return party

    def add_issue(self, issue: Issue) -> Issue:
        """Add an issue, with its scale, to the codebook; its stances' labels must differ (each names its stance)."""
        _refuse_label_clash(issue.id, issue.scale, {s.code for s in issue.scale})
        self._add_code("issues", issue, issue.problems())
        return issue

    def _add_code(self, table: str, item: Party | Issue, problems: list[str]) -> None:
        if problems:
            raise InputError("; ".join(problems))
        with self.writing():
            if any(doc.get("id") == item.id for doc in self._tables()[table].values()):
                raise InputError(f"{table[:-1].replace('ie', 'y')} {item.id!r} already exists")
            self._db.insert(table, [item.as_json()])

    def update_party(
        self,
        party_id: str,
        *,
        name: str = "",
        aliases: Sequence[str] = (),
        remove_aliases: Sequence[str] = (),
        color: str = "",
    ) -> Party:
        """Rename or recolour a party, give it more aliases (for ingest and for ``--party``), or take some away.

        Its code stays: statements name it. An update that changes nothing is refused.
        """

        def change(party: Party) -> Party:
            kept = _without(party.aliases, remove_aliases, f"party {party.id!r} has no alias")
            return replace(
                party,
                name=name or party.name,
                aliases=_with(kept, aliases, "an alias"),
                color=color or party.color,
            )

        party: Party = self._update_code("parties", party_id, change)
        return party

    def update_issue(
        self,
        issue_id: str,
        *,
        name: str = "",
        keywords: Sequence[str] = (),
        remove_keywords: Sequence[str] = (),
        question: str = "",
        labels: Mapping[str, str] | None = None,
        new_stance: Stance | None = None,
        before: str = "",
        after: str = "",
    ) -> Issue:
        """Rename an issue, reword its question, give it keywords or take some away, relabel stances
        (``labels``: stance, as ``--stance`` takes it, to label), or insert ``new_stance`` into its scale:
        at ``new_stance.score``, or just ``before`` or ``after`` a stance (found under the lock).

        Codes stay, and statements keep theirs: a stance's score is its place on the scale, read from
        the codebook by every view, so after an insertion the stances above it score one more. A label
        names its stance (``--stance "Not now"``), so a new or changed label must differ from the
        scale's others. An update that changes nothing is refused.
        """

        def change(issue: Issue) -> Issue:
            book = self.codebook
            scale = list(issue.scale)
            touched: set[str] = set()
            for text, label in (labels or {}).items():
                at = book.resolve_stance(issue, text).score
                if not label.strip():
                    raise InputError(f"stance {scale[at].code!r} needs a label")
                scale[at] = replace(scale[at], label=label.strip())
                touched.add(scale[at].code)
            if new_stance is not None:
                if issue.stance(new_stance.code) is not None:
                    raise InputError(f"issue {issue.id!r} already has a stance {new_stance.code!r}")
                at = new_stance.score
                if before or after:
                    at = book.resolve_stance(issue, before or after).score + (1 if after else 0)
                if not 0 <= at <= len(scale):
                    raise InputError(
                        f"a new stance goes at a score from 0 to {len(scale)} on issue {issue.id!r}, not {at}"
                    )
                scale.insert(at, replace(new_stance, label=new_stance.label.strip() or new_stance.code))
                touched.add(new_stance.code)
            _refuse_label_clash(issue.id, scale, touched)
            return replace(
                issue,
                name=name or issue.name,
                question=question or issue.question,
                keywords=_with(_without(issue.keywords, remove_keywords, f"issue {issue.id!r} has no keyword"),
                               keywords, "a keyword"),
                scale=tuple(replace(stance, score=score) for score, stance in enumerate(scale)),
            )  # fmt: skip

        issue: Issue = self._update_code("issues", issue_id, change)
        return issue

    def add_cues(self, issue_id: str, stance: str, cues: Sequence[str]) -> Issue:
        """Give one stance of an issue more cue phrases (what ingest suggests the stance from)."""
        with self.writing():
            key, doc = self._code_document("issues", issue_id)
            issue = Issue.from_json(doc)
            if issue.stance(stance) is None:
                codes = ", ".join(s.code for s in issue.scale)
                raise InputError(f"unknown stance {stance!r} for issue {issue_id!r} (scale: {codes})", field="stance")
            scale = tuple(
                replace(s, cues=s.cues + tuple(c for c in dict.fromkeys(cues) if c and c not in s.cues))
                if s.code == stance
                else s
                for s in issue.scale
            )
            issue = replace(issue, scale=scale)
            self._db.update("issues", [key], issue.as_json())
        return issue

    def _update_code(self, table: str, code_id: str, change: Any) -> Any:
        """Apply ``change`` (the item as it is → as it should be) to the party or issue ``code_id``, as
        the file holds it under the lock: checked, and refused if it changes nothing."""
        with self.writing():
            key, doc = self._code_document(table, code_id)
            kind = "party" if table == "parties" else "issue"
            item = (Party if table == "parties" else Issue).from_json(doc)
            updated = change(item)
            if updated == item:
                raise InputError(f"nothing to update: the changes leave {kind} {code_id!r} as it is")
            problems = updated.problems()
            if problems:
                raise InputError("; ".join(problems))
            self._db.update(table, [key], updated.as_json())
        return updated

    def remove_party(self, party_id: str) -> Party:
        """Take a party out of the codebook: refused while any statement (any revision) or inbox candidate
        names it, as statements are never deleted."""
        party: Party = self._remove_code("parties", party_id)
        return party

    def remove_issue(self, issue_id: str) -> Issue:
        """Take an issue out of the codebook: refused while any statement (any revision) or inbox candidate
        is on it."""
        issue: Issue = self._remove_code("issues", issue_id)
        return issue

    def _remove_code(self, table: str, code_id: str) -> Any:
        kind = "party" if table == "parties" else "issue"
        with self.writing():
            key, doc = self._code_document(table, code_id)
            revisions = [r for r in self._records() if (_party_of(r) if kind == "party" else _issue_of(r)) == code_id]
            candidates = sum(1 for c in self._tables()["inbox"].values() if c.get(kind) == code_id)
            if revisions or candidates:
                statements = len({r.id if isinstance(r, Statement) else r["id"] for r in revisions})
                uses = [
                    *([f"{statements} statement(s) ({len(revisions)} revision(s))"] if revisions else []),
                    *([f"{candidates} inbox candidate(s)"] if candidates else []),
                ]
                raise InputError(
                    f"{kind} {code_id!r} is used by {' and '.join(uses)}, so it stays: statements are never "
                    "deleted (rename it instead)"
                )
            self._db.remove(table, [key])
        return (Party if table == "parties" else Issue).from_json(doc)

    def _code_document(self, table: str, code_id: str) -> tuple[str, dict[str, Any]]:
        """(document id, document) of the party or issue with this code; an unknown one lists the codes."""
        for key, doc in self._tables()[table].items():
            if doc.get("id") == code_id:
                return key, doc
        book = self.codebook
        raise InputError(book.unknown_party(code_id) if table == "parties" else book.unknown_issue(code_id))

    # -- feeds and the inbox ----------------------------------------------------------

    def feeds(self) -> list[Feed]:
        """Every feed followed, in the order they were added."""
        from .inbox_model import Feed

        return [Feed.from_json(doc) for doc in in_order(self._small_tables()["feeds"])]

    def feed(self, feed_id: str) -> Feed:
        """The feed with this id; an unknown id is an error."""
        from .inbox_model import Feed

        return Feed.from_json(self._find("feeds", feed_id)[1])

    def add_feed(self, feed: Feed) -> Feed:
        """Follow ``feed``; a URL already followed is refused."""
        with self.writing():
            if any(doc.get("url") == feed.url for doc in self._tables()["feeds"].values()):
                raise InputError(f"feed {feed.url} is already followed")
            self._db.insert("feeds", [feed.as_json()])
        return feed

    def remove_feed(self, feed_id: str) -> Feed:
        """Stop following a feed (its candidates stay in the inbox); returns it."""
        with self.writing():
            key, doc = self._find("feeds", feed_id)
            from .inbox_model import Feed

            feed = Feed.from_json(doc)
            self._db.remove("feeds", [key])
        return feed

    def update_feeds(self, updates: Mapping[str, FeedUpdate]) -> None:
        """Apply what a pull learnt to each feed (by id) as the file holds it now; a feed removed meanwhile
        is skipped."""
        if not updates:
            return
        with self.writing():
            keys = {doc.get("id"): key for key, doc in self._tables()["feeds"].items()}
            for feed_id, update in updates.items():
                if feed_id in keys:
                    self._db.update("feeds", [keys[feed_id]], update.as_json())

    def candidates(self, status: CandidateStatus | None = None) -> list[Candidate]:
        """The candidates with ``status`` (None: every one), in the order they were found."""
        found = (self._candidate(key, doc) for key, doc in keyed_in_order(self._small_tables()["inbox"]))
        return [c for c in found if status is None or c.status is status]

    def candidate(self, candidate_id: str) -> Candidate:
        """The candidate with this id; an unknown id is an error."""
        return self._candidate(*self._find("inbox", candidate_id))

    def add_candidates(self, found: Iterable[Candidate]) -> InboxMerge:
        """Fold ``found`` into the inbox (``inbox_model.merged``): new statements are added, more reports of a
        statement waiting for review become its sources, and what the inbox already knows (the same article
        read again, a statement decided, whatever way) is dropped, so a rejected statement does not come back."""
        from .inbox_model import merged

        with self.writing():
            held = list(keyed_in_order(self._tables()["inbox"]))
            result = merged((self._candidate(key, doc) for key, doc in held), found)
            keys = {doc.get("id"): key for key, doc in held}
            for candidate in result.corroborated:
                self._db.update("inbox", [keys[candidate.id]], candidate.as_json())
            if result.added:
                self._db.insert("inbox", [c.as_json() for c in result.added])
        return result

    def update_candidate(self, candidate: Candidate) -> Candidate:
        """Store ``candidate`` over the one with its id (a decision: its status, the statement it became)."""
        with self.writing():
            key, _ = self._find("inbox", candidate.id)
            self._db.update("inbox", [key], candidate.as_json())
        return candidate

    def _find(self, table: str, item_id: str) -> tuple[str, dict[str, Any]]:
        for key, doc in self._small_tables()[table].items():
            if doc.get("id") == item_id:
                return key, doc
        what, listing = _LISTED_BY[table]
        raise InputError(f"no {what} with id {item_id!r} (see `tracker {listing}`)")

    def _candidate(self, key: str, doc: Mapping[str, Any]) -> Candidate:
        try:
            from .inbox_model import Candidate

            return Candidate.from_json(doc)
        except InputError as error:
            raise StoreError(f"{self.path}: inbox document {key}: {error}") from None


def _retagged(
    statement_id: str, had: Sequence[str], tags: Sequence[str], add: Sequence[str], remove: Sequence[str]
) -> list[str]:
    """``tags`` without ``remove`` and with ``add`` (in order, once each); ``had``: the statement's tags
    before this correction, which every tag to remove must be among."""
    missing = [tag for tag in remove if tag not in had]
    if missing:
        listed = ", ".join(had) or "none"
        raise InputError(f"statement {statement_id} has no tag {shown(missing[0])} (its tags: {listed})")
    kept = [tag for tag in tags if tag not in remove]
    return kept + [tag for n, tag in enumerate(add) if tag not in kept and tag not in add[:n]]


def _counted(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def describe_tables(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """What a store's tables hold, in words: "30 statements (41 revisions), 4 parties, 5 issues, 0 feeds
    and 2 inbox candidates" (what a backup, a restore and a refused restore report)."""
    statements = tables.get("statements", {})
    ids = len({doc.get("id") for doc in statements.values() if isinstance(doc, Mapping)})
    return (
        f"{_counted(ids, 'statement', 'statements')} ({_counted(len(statements), 'revision', 'revisions')}), "
        f"{_counted(len(tables.get('parties', {})), 'party', 'parties')}, "
        f"{_counted(len(tables.get('issues', {})), 'issue', 'issues')}, "
        f"{_counted(len(tables.get('feeds', {})), 'feed', 'feeds')} and "
        f"{_counted(len(tables.get('inbox', {})), 'inbox candidate', 'inbox candidates')}"
    )


def _holding(tables: Tables) -> str:
    """What a store holds that a restore without ``--force`` must not replace (statements, feeds,
    candidates: the record and its work), in words; empty for a store with only a codebook."""
    if any(tables.get(name) for name in ("statements", "feeds", "inbox")):
        return describe_tables(tables)
    return ""


def _record_time(value: object) -> str:
    """An imported revision's ``recorded_at`` in the stored form; anything but an ISO date-time is refused."""
    if not isinstance(value, str):
        raise InputError(f"recorded_at must be text, not {type(value).__name__}")
    if is_instant(value):
        return value
    try:
        return normalise_instant(value)
    except InputError:
        raise InputError(
            f"recorded_at {shown(value)} is not an ISO date-time (like 2025-03-01T10:00:00Z)", field="recorded_at"
        ) from None


def _read_to_end(rows: Iterator[object]) -> None:
    """The rest of an import file, after a bad row, read and dropped.

    The file may be read as it is checked: a problem with the file itself (not
    valid JSON further on) is then the one reported, as when the file was read
    whole before any row was checked.
    """
    for _ in rows:
        pass


def _refuse_label_clash(issue_id: str, scale: Sequence[Stance], touched: Collection[str]) -> None:
    """An InputError if a stance in ``touched`` has the label of another stance on the scale (in any case):
    a label is typed for ``--stance``, so it must name one stance. Untouched stances are not judged, so an
    older store's repeated labels do not block an unrelated edit."""
    for stance in scale:
        twin = next((s for s in scale if s is not stance and folded(s.label) == folded(stance.label)), None)
        if stance.code in touched and twin is not None:
            raise InputError(
                f"stance label {stance.label!r} is already the label of {twin.code!r} on issue {issue_id!r}: "
                "a label names its stance, so each must differ"
            )


def _with(items: Sequence[str], more: Sequence[str], what: str) -> tuple[str, ...]:
    """``items`` with each of ``more`` added unless there already (in any case); an empty one is refused."""
    found = list(items)
    for item in more:
        if not item.strip():
            raise InputError(f"{what} cannot be empty")
        if folded(item) not in map(folded, found):
            found.append(item.strip())
    return tuple(found)


def _without(items: Sequence[str], removed: Sequence[str], missing: str) -> tuple[str, ...]:
    """``items`` without each of ``removed`` (matched in any case); one that is not there is refused."""
    found = list(items)
    for item in removed:
        at = next((n for n, have in enumerate(found) if folded(have) == folded(item)), None)
        if at is None:
            raise InputError(f"{missing} {item!r} (it has: {', '.join(found) or 'none'})")
        del found[at]
    return tuple(found)
