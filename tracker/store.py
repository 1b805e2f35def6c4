"""positions.json: TinyDB over an atomic, locked, deterministic JSON storage.

TinyDB gives us the table layout and document ids; it promises nothing about
concurrent writers or crashes, and it re-reads the file on every query. So:

- ``AtomicJSONStorage`` parses the file once (orjson) and re-parses only when
  its stat changes; it writes sorted, indented JSON to a temp file in the same
  folder, fsyncs and renames it over the original, so a reader sees the old
  file or the new one, never half of one.
- ``Store`` takes an exclusive lock (``positions.json.lock``) around every
  read-modify-write, re-reads under the lock, and writes once per operation.
- Statements are append-only: a correction or retraction is a new revision.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import stat
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from . import codebook as default_codebook
from .dates import format_instant, is_instant, normalise_instant, now_instant
from .errors import InputError, StoreError, StoreLocked
from .ids import ulid
from .locking import LockTimeout, locked
from .model import (
    SCHEMA,
    Codebook,
    Issue,
    Party,
    Statement,
    codebook_from_tables,
    from_stored,
    is_stored,
    sanitise,
)
from .timeline import Record, Timeline

_RECORDED = attrgetter("recorded_at", "rev")
"""The order revisions were recorded in."""
_HEAD = itemgetter("id", "rev", "recorded_at")


def _party_of(record: Record) -> str:
    return record.party if isinstance(record, Statement) else str(record["party"])


def _issue_of(record: Record) -> str:
    return record.issue if isinstance(record, Statement) else str(record["issue"])


Tables = dict[str, dict[str, Any]]
TABLES = ("meta", "parties", "issues", "statements", "feeds", "inbox")
LOCK_TIMEOUT = 15.0
"""Seconds a writer waits for another writer before giving up with a message."""
LOCK_TIMEOUT_ENV = "TRACKER_LOCK_TIMEOUT"
"""Overrides :data:`LOCK_TIMEOUT` (seconds, e.g. ``0.5`` in tests, ``120`` on a slow share)."""


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: ``$TRACKER_LOCK_TIMEOUT``, else :data:`LOCK_TIMEOUT`."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise StoreError(f"${LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more), not {raw!r}")
    return value


_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def dump_tables(data: Mapping[str, Any]) -> bytes:
    """The file's bytes: sorted keys and indentation, so git diffs stay readable."""
    return orjson.dumps(data, option=_DUMP_OPTIONS)


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def parse_tables(raw: bytes, path: Path) -> Tables:
    """Parse and shape-check a store file; every failure names the file and the problem."""
    if not raw or raw.isspace():  # not raw.strip(): that copies the whole file
        raise StoreError(f"{path}: the file is empty (not a tracker store)")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreError(f"{path}: not a tracker store (expected an object of tables)")
    meta = next(iter(data.get("meta", {}).values()), None)
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        raise StoreError(f"{path}: not a tracker store (no meta table with a schema number)")
    if meta["schema"] > SCHEMA:
        raise StoreError(
            f"{path}: written by a newer tracker (schema {meta['schema']}, this one reads {SCHEMA}); upgrade tracker"
        )
    for name in TABLES:
        table = data.setdefault(name, {})
        if not all(isinstance(doc, dict) for doc in table.values()):
            raise StoreError(f"{path}: table {name!r} holds something that is not a document")
    return data


class AtomicJSONStorage(Storage):
    """A TinyDB storage that parses once, re-reads on change and writes atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data: Tables | None = None
        self._stamp: tuple[int, int, int] | None = None
        self.generation = 0
        """Bumped whenever the data in memory changes, so derived caches know."""

    def read(self) -> Tables:
        stamp = _stat_key(self.path)
        if stamp is None:
            raise StoreError(f"{self.path}: the store has gone (deleted or moved while in use)")
        if self._data is None or stamp != self._stamp:
            try:
                raw = self.path.read_bytes()
            except OSError as error:
                raise StoreError(f"{self.path}: cannot read ({error.strerror})") from None
            self._data = parse_tables(raw, self.path)
            self._stamp = stamp
            self.generation += 1
        return self._data

    _deferring = False
    _dirty = False

    def write(self, data: Mapping[str, Any]) -> None:
        if self._deferring:  # inside Store.writing(): the block's writes land as one, when it ends
            self._data, self._dirty = dict(data), True
            self.generation += 1
            return
        payload = dump_tables(data)
        try:
            write_atomic(self.path, payload)
        except OSError as error:
            # TinyDB changed the tables in place before calling us: forget them.
            self._data, self._stamp = None, None
            self.generation += 1
            raise StoreError(
                f"{self.path}: could not write ({write_problem(self.path, error)}); the file is unchanged"
            ) from None
        self._data = dict(data)
        self._stamp = _stat_key(self.path)
        self.generation += 1

    def defer(self) -> None:
        """Hold writes in memory until :meth:`flush` (or :meth:`discard`): one write block, one file write."""
        self._deferring, self._dirty = True, False

    def flush(self) -> None:
        """Write what the block changed, if anything, atomically; then write through again."""
        self._deferring = False
        if self._dirty and self._data is not None:
            self._dirty = False
            self.write(self._data)

    def discard(self) -> None:
        """Forget what the block changed (it failed): the file was never touched."""
        self._deferring = False
        if self._dirty:
            self._dirty = False
            self._data, self._stamp = None, None
            self.generation += 1

    def close(self) -> None:
        self._data = None


def write_atomic(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that no reader or crash sees half of it."""
    folder = path.parent
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        previous_mtime: int | None = path.stat().st_mtime_ns
    except FileNotFoundError:
        previous_mtime = None
    import tempfile  # writers only: read commands start faster without it

    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            if previous_mtime is not None:
                _advance_mtime(temp.fileno(), previous_mtime)
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def write_problem(path: Path, error: OSError) -> str:
    """Why a write to ``path`` failed, in words an analyst can act on."""
    text = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM) and not os.access(path.parent, os.W_OK):
        return f"{text}: the folder {path.parent} is not writable"
    if error.errno == errno.EFBIG:
        return f"{text}: over the size this process may write"
    return text


def _advance_mtime(fd: int, previous_ns: int) -> None:
    """Give the new file a later mtime than the one it replaces.

    Readers tell whether the file changed by (mtime, size, inode). Two writes in
    one tick of a coarse file-system clock, of the same size, into a recycled
    inode would look alike; a strictly increasing mtime rules that out.
    """
    info = os.fstat(fd)
    if info.st_mtime_ns > previous_ns:
        return
    for step in (1, 1_000, 1_000_000, 1_000_000_000, 2_000_000_000):  # as fine as the file system keeps
        os.utime(fd, ns=(info.st_atime_ns, previous_ns + step))
        if os.fstat(fd).st_mtime_ns > previous_ns:
            return


# -- the writer's lock: bounded, says who holds it, cleans up after crashes -------


def lock_owner_path(path: Path) -> Path:
    """The sidecar naming the lock's holder: written once the lock is taken, removed on release."""
    return path.with_name(f"{path.name}.lock.owner")


def _command_line() -> str:
    words = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    line = " ".join(words)
    return line if len(line) <= 100 else line[:99] + "…"


def _host() -> str:
    """This machine's name, as the owner file records it."""
    if hasattr(os, "uname"):  # what gethostname() returns, without importing socket for every write
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _write_owner(path: Path) -> None:
    record = {
        "pid": os.getpid(),
        "host": _host(),
        "user": current_user(),
        "command": _command_line(),
        "since": now_instant(),
    }
    with contextlib.suppress(OSError):  # best effort: the lock itself is what keeps other writers out
        lock_owner_path(path).write_bytes(orjson.dumps(record))


def _remove_owner(path: Path) -> None:
    with contextlib.suppress(OSError):
        lock_owner_path(path).unlink()


def _pid_running(pid: int) -> bool:
    """True unless ``pid`` (on this host) is provably gone: no such process, or a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def lock_holder(path: Path) -> str:
    """Who holds the lock on ``path``, as far as its owner file tells (for the timeout message)."""
    try:
        record = orjson.loads(lock_owner_path(path).read_bytes())
    except FileNotFoundError:
        return "another process (it has not said which: an older tracker, or one just starting)"
    except (OSError, orjson.JSONDecodeError):
        record = None
    if not isinstance(record, dict) or isinstance(record.get("pid"), bool) or not isinstance(record.get("pid"), int):
        return f"another process (its owner file {lock_owner_path(path).name} is unreadable)"
    pid, host = record["pid"], sanitise(str(record.get("host", "")))
    user, command = sanitise(str(record.get("user", ""))), sanitise(str(record.get("command", "")))
    since = sanitise(str(record.get("since", "")))
    who = f"pid {pid}" + (f" on {host}" if host else "") + (f" (user {user})" if user else "")
    who += (f", running `{command}`" if command else "") + (f", since {since}" if since else "")
    if host == _host() and not _pid_running(pid):
        return (
            f"another process: the owner file names {who}, but that process is no longer running, "
            "so the file is stale and the real holder did not record itself"
        )
    return who


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """The names ``write_atomic`` gives its temp files for ``path`` and for its backups."""
    return re.compile(rf"\.{re.escape(path.name)}\.(?:\d{{8}}T\d{{6}}(?:-\d+)?\.bak\.)?[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files a killed writer left beside ``path``. Call only while holding its lock:
    only a lock holder makes them, so any found then is stale."""
    pattern = _temp_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock for a write to ``path``: wait at most ``timeout`` seconds, then say who holds it."""
    lock_file = Path(f"{path}.lock")
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(locked(lock_file, timeout))
        except LockTimeout:
            raise StoreLocked(
                f"{path} is locked by {lock_holder(path)}; gave up after {timeout:g} s "
                f"(try again, or set ${LOCK_TIMEOUT_ENV} to wait longer)"
            ) from None
        except OSError as error:
            folder = path.parent
            if not folder.is_dir():
                problem = f"{folder} is not a folder" if folder.exists() else f"the folder {folder} does not exist"
            elif not os.access(folder, os.W_OK):
                problem = f"the folder {folder} is not writable"
            else:
                problem = f"{error.strerror or error}"
            raise StoreError(f"{path}: cannot take the lock {lock_file} ({problem}); nothing was written") from None
        try:
            _write_owner(path)
            remove_stale_temps(path)
            yield
        finally:
            _remove_owner(path)


# -- schema migrations ----------------------------------------------------------


def _migrate_0(tables: Tables) -> None:
    """Schema 0 (before ingest) had no ``feeds`` or ``inbox`` tables."""
    tables.setdefault("feeds", {})
    tables.setdefault("inbox", {})


MIGRATIONS: dict[int, Callable[[Tables], None]] = {0: _migrate_0}
"""Schema n to n + 1, in place. A store older than SCHEMA is migrated on its first write, after a backup."""


def schema_of(tables: Mapping[str, Any]) -> int:
    """The schema number of parsed tables (``parse_tables`` has checked there is one)."""
    meta = next(iter(tables["meta"].values()))
    return int(meta["schema"])


def migrate_tables(tables: Mapping[str, Any], path: Path) -> Tables:
    """A migrated copy of an older store's tables; the original is left as it is."""
    migrated: Tables = orjson.loads(dump_tables(tables))
    schema = schema_of(migrated)
    while schema < SCHEMA:
        step = MIGRATIONS.get(schema)
        if step is None:
            oldest = min(MIGRATIONS)
            raise StoreError(f"{path}: schema {schema} is older than this tracker can migrate (oldest: {oldest})")
        step(migrated)
        schema += 1
        next(iter(migrated["meta"].values()))["schema"] = schema
    return migrated


def new_statement_id() -> str:
    """A globally unique, time-sortable statement id."""
    return f"st_{ulid()}"


def current_user() -> str:
    """Who records a revision: ``$TRACKER_USER``, else the login name."""
    try:
        if user := os.environ.get("TRACKER_USER"):
            return user
        import getpass  # writers only

        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def empty_tables(title: str, parties: Iterable[Party], issues: Iterable[Issue]) -> Tables:
    """The tables of a new store (the title, typed by the analyst, is sanitised like any stored text)."""
    return {
        "meta": {"1": {"schema": SCHEMA, "title": sanitise(title)}},
        "parties": {str(n): p.as_json() for n, p in enumerate(parties, 1)},
        "issues": {str(n): i.as_json() for n, i in enumerate(issues, 1)},
        "statements": {},
        "feeds": {},
        "inbox": {},
    }


def default_tables(title: str = "Negotiation tracker") -> Tables:
    """A new store with the default codebook from DESIGN.md."""
    book = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)
    return empty_tables(title, book.parties, book.issues)


def _doc_order(table: Mapping[str, Any]) -> list[Any]:
    """Documents in insertion order (keys are TinyDB's integer ids as text)."""
    return [table[k] for k in sorted(table, key=lambda k: int(k) if k.isdigit() else 0)]


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
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._lock_timeout = lock_timeout
        """Seconds to wait for the lock; None: ``$TRACKER_LOCK_TIMEOUT``, else LOCK_TIMEOUT."""
        self._write_depth = 0
        self._writer: int | None = None
        """The thread holding the write lock: only it may nest writes inside it."""
        self.backup: Path | None = None
        """The copy kept when this store migrated the file to a newer schema, if it did."""
        self._cache: dict[str, Any] = {}
        self._cache_generation = -1
        self._storage.read()  # fail now, with the file's name, if it is not a store

    @classmethod
    def create(cls, path: str | Path, tables: Tables, *, force: bool = False) -> Store:
        """Write a new store; an existing file is kept as a backup with ``force``, refused without."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a store file")
        try:
            with exclusive(path, lock_timeout()):
                if path.exists():
                    if not force:
                        raise StoreError(f"{path} already exists (use --force to replace it; a backup is kept)")
                    backup_of(path)
                write_atomic(path, dump_tables(tables))
        except OSError as error:
            raise StoreError(f"{path}: could not write ({write_problem(path, error)}); nothing was changed") from None
        return cls(path)

    # -- reading ---------------------------------------------------------

    def _tables(self) -> Tables:
        data = self._storage.read()
        if self._storage.generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = self._storage.generation
        return data

    def _cached(self, key: str, build: Any) -> Any:
        if not (self._write_depth and self._cache_generation == self._storage.generation):
            self._tables()  # a stat: did another process write? Not while we hold the lock.
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def reload_if_changed(self) -> bool:
        """Re-read the file if another process changed it; True if it did."""
        before = self._storage.generation
        self._tables()
        return self._storage.generation != before

    @property
    def generation(self) -> int:
        """Changes whenever the data this store holds in memory changes."""
        self._tables()
        return self._storage.generation

    def raw_tables(self) -> Tables:
        """The parsed file, for ``check`` and ``export``; do not modify."""
        return self._tables()

    @property
    def title(self) -> str:
        meta = next(iter(self._tables()["meta"].values()))
        return str(meta.get("title") or self.path.name)

    @property
    def codebook(self) -> Codebook:
        def build() -> Codebook:
            tables = self._tables()
            try:
                return codebook_from_tables(_doc_order(tables["parties"]), _doc_order(tables["issues"]))
            except InputError as error:
                raise StoreError(f"{self.path}: bad codebook: {error} (run `tracker check`)") from None

        book: Codebook = self._cached("codebook", build)
        return book

    def _records(self) -> list[Record]:
        """Every statement document, checked as :meth:`revisions` promises, in file order.

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
                return is_stored(doc) and doc["party"] in parties and (doc["issue"], doc["stance"]) in stances

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
                if party not in parties or (issue, stance) not in stances:
                    statement = record if isinstance(record, Statement) else Statement.from_json(record)
                    where = statement.id or f"document {key}"
                    problem = "; ".join(statement.problems(book))
                    raise StoreError(f"{self.path}: statement {where}: {problem} (run `tracker check`)")
                found.append(record)
            return found

        records: list[Record] = self._cached("records", build)
        return records

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
        latest: dict[str, tuple[str, int, int, Record]] = {}
        for place, record in enumerate(self._records()):
            head = (record.id, record.rev, record.recorded_at) if isinstance(record, Statement) else _HEAD(record)
            current = latest.get(head[0])
            if current is None or head[1] > current[1] or (head[1] == current[1] and head[2] < current[0]):
                latest[head[0]] = (head[2], head[1], place, record)
        chosen = sorted(  # recorded_at, rev, then place in the file: the order of revisions()
            found
            for found in latest.values()
            if (not parties or _party_of(found[3]) in parties) and (not issues or _issue_of(found[3]) in issues)
        )
        return [r if isinstance(r, Statement) else from_stored(r) for *_, r in chosen]

    def history(self, statement_id: str) -> list[Statement]:
        """All revisions of one statement, first to last; an unknown id is an error."""
        found = sorted(
            (
                r if isinstance(r, Statement) else from_stored(r)
                for r in self._records()
                if (r.id if isinstance(r, Statement) else r["id"]) == statement_id
            ),
            key=_RECORDED,
        )
        found.sort(key=lambda s: s.rev)
        if not found:
            raise InputError(f"no statement with id {statement_id!r}")
        return found

    def timeline(self, known_at: datetime | None = None) -> Timeline:
        """The positions as the file says now, or as it said at ``known_at``."""
        if known_at is not None:
            return Timeline.from_documents(self.codebook, self._records(), known_at=format_instant(known_at))
        timeline: Timeline = self._cached("timeline", lambda: Timeline.from_documents(self.codebook, self._records()))
        return timeline

    # -- writing ---------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Tables]:
        """Hold the lock, with the file re-read if anyone changed it since we did.

        Waits at most the lock timeout, then says who holds the lock. On entry it
        records who we are for other waiters, removes temp files a killed writer
        left, and migrates a store of an older schema (keeping a backup first).
        Re-entrant: a write inside a write shares the outer one's lock.

        A block is all or nothing: its writes are held in memory and written as
        one file when the outermost block ends; if it raises, none is written.
        """
        if self._write_depth and self._writer == threading.get_ident():
            self._write_depth += 1
            try:
                yield self._tables()
            finally:
                self._write_depth -= 1
            return
        timeout = lock_timeout() if self._lock_timeout is None else self._lock_timeout
        with exclusive(self.path, timeout):  # another thread of ours waits here too
            self._writer, self._write_depth = threading.get_ident(), 1
            try:
                self._migrate_if_old()
                self._storage.defer()
                try:
                    yield self._tables()
                except BaseException:
                    self._storage.discard()  # all or nothing: a failed block leaves the file as it was
                    raise
                self._storage.flush()
            finally:
                self._storage.discard()
                self._writer, self._write_depth = None, 0

    def _migrate_if_old(self) -> None:
        """Before the first write to an older store: keep a backup, then write the migrated file."""
        tables = self._tables()
        if schema_of(tables) >= SCHEMA:
            return
        migrated = migrate_tables(tables, self.path)
        try:
            backup = backup_of(self.path)
        except OSError as error:
            raise StoreError(
                f"{self.path}: could not keep a backup before migrating it to schema {SCHEMA} "
                f"({error.strerror or error}); the file is unchanged"
            ) from None
        self._storage.write(migrated)
        self.backup = backup

    def _refuse_damaged(self) -> None:
        """Refuse to add to a file whose statements name codes the codebook lacks.

        The read commands refuse such a file too; this scan is cheap (no Statement
        objects) and gives the same message, naming the statement.
        """
        book = self.codebook
        parties = {p.id for p in book.parties}
        stances = {(i.id, s.code) for i in book.issues for s in i.scale}
        for doc in self._tables()["statements"].values():
            try:
                known = doc.get("party") in parties and (doc.get("issue"), doc.get("stance")) in stances
            except TypeError:  # a list where a code should be
                known = False
            if not known:
                self.revisions()  # raises, naming the statement and the problem
                raise StoreError(f"{self.path}: statement {doc.get('id')!r} is damaged (run `tracker check`)")

    def table(self, name: str) -> Table:
        """A TinyDB table for one write inside :meth:`writing` (feeds, inbox, ...).

        A fresh Table each time: TinyDB caches the next document id per Table,
        and another process may have appended since.
        """
        return Table(self._storage, name)

    def documents(self, name: str) -> dict[str, dict[str, Any]]:
        """The raw documents of one table keyed by TinyDB id; read-only."""
        return self._tables()[name]

    def _checked(self, statement: Statement, book: Codebook | None = None) -> Statement:
        """The statement cleaned and checked against the codebook (``book``: one the caller already holds)."""
        statement = statement.sanitised()
        problems = statement.problems(book or self.codebook)
        if problems:
            raise InputError("; ".join(problems))
        return statement

    def _append(self, statements: Sequence[Statement]) -> None:
        self.table("statements").insert_multiple(s.as_json() for s in statements)

    def _stamp(
        self, fields: Mapping[str, Any], *, stamp: tuple[str, str] | None = None, **bookkeeping: Any
    ) -> Statement:
        """A new revision from ``fields``, recorded now (or at ``stamp``: time and user)."""
        recorded_at, recorded_by = stamp or (now_instant(), current_user())
        return Statement.from_json({**fields, **bookkeeping, "recorded_at": recorded_at, "recorded_by": recorded_by})

    def add(self, fields: Mapping[str, Any]) -> Statement:
        """Record a new statement from the analyst's fields; returns revision 1."""
        with self.writing():
            self._refuse_damaged()
            statement = self._checked(self._stamp(fields, id=new_statement_id(), rev=1))
            self._append([statement])
        return statement

    def correct(self, statement_id: str, changes: Mapping[str, Any], *, reason: str = "") -> Statement:
        """Append a revision with ``changes`` applied to the latest one."""
        if not changes:
            raise InputError("nothing to correct: give at least one field to change")
        with self.writing():
            latest = self.history(statement_id)[-1]
            if latest.retracted:
                raise InputError(f"statement {statement_id} is retracted; add a new statement instead")
            fields = latest.as_json()
            if "source" in changes:
                changes = {**changes, "source": {**fields["source"], **changes["source"]}}
            fields.update(changes)
            statement = self._checked(
                self._stamp(fields, id=statement_id, rev=latest.rev + 1, reason=reason, retracted=False)
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
            raise InputError("a retraction needs a reason (--reason)")
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
                )
            )
            self._append([statement])
        return statement

    def import_statements(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Statement]:
        """Validate every record, then write them all at once; a bad one names its place.

        ``records`` are (where, fields) pairs; ``where`` is "line 4" or "item 2".
        They may be read from the file as they are asked for (a generator): each
        is checked and kept as a Statement, and nothing is written before the last
        one is checked. A record with ``revisions`` brings its whole history; one
        without gets revision 1, and a new id unless it gives one.

        The file is read and checked before the lock is taken, so a slow pipe or a
        large file does not hold up other writers; under the lock, the ids are
        checked again if another writer came in meanwhile. (The codebook only
        grows, so what passed its check still passes.)
        """
        book, known, generation = self.codebook, self._statement_ids(), self.generation
        ready: list[Statement] = []
        stamp = (now_instant(), current_user())  # one record time for the whole import
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
            if self._storage.generation != generation:
                taken = self._statement_ids()
                clash = next((s.id for s in ready if s.id in taken), None)
                if clash is not None:
                    raise InputError(
                        f"statement id {clash!r} was added to the store while the file was read; nothing was imported"
                    )
            if ready:
                self._append(ready)
        return ready

    def _statement_ids(self) -> set[str]:
        """The ids in the store, read from its documents: no Statement is built for them."""
        return {r.id if isinstance(r, Statement) else r["id"] for r in self._records()}

    def _imported(self, record: Mapping[str, Any], stamp: tuple[str, str], book: Codebook) -> list[Statement]:
        if not isinstance(record, Mapping):
            raise InputError("expected a statement object")
        history = record.get("revisions")
        if history is None:
            fields = {k: v for k, v in record.items() if k not in ("rev", "recorded_at", "recorded_by")}
            fields = {**fields, "id": fields.get("id") or new_statement_id(), "rev": 1}
            return [self._checked(self._stamp(fields, stamp=stamp), book)]
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
            else replace(s, recorded_at=normalise_instant(s.recorded_at))
            if s.recorded_at
            else replace(s, recorded_at=stamp[0], recorded_by=stamp[1])
            for s in batch
        ]

    def add_party(self, party: Party) -> Party:
        """Add a party to the codebook."""
        self._add_code("parties", party, party.problems())
        return party

    def add_issue(self, issue: Issue) -> Issue:
        """Add an issue, with its scale, to the codebook."""
        self._add_code("issues", issue, issue.problems())
        return issue

    def _add_code(self, table: str, item: Party | Issue, problems: list[str]) -> None:
        if problems:
            raise InputError("; ".join(problems))
        with self.writing() as tables:
            if any(doc.get("id") == item.id for doc in tables[table].values()):
                raise InputError(f"{table[:-1].replace('ie', 'y')} {item.id!r} already exists")
            self.table(table).insert(item.as_json())

    def update_party(self, party_id: str, *, name: str = "", aliases: Sequence[str] = (), color: str = "") -> Party:
        """Rename or recolour a party, or give it more aliases (for ingest)."""
        party: Party = self._update_code("parties", party_id, name=name, more=aliases, color=color)
        return party

    def update_issue(self, issue_id: str, *, name: str = "", keywords: Sequence[str] = (), question: str = "") -> Issue:
        """Rename an issue, reword its question or give it more keywords (for ingest)."""
        issue: Issue = self._update_code("issues", issue_id, name=name, more=keywords, question=question)
        return issue

    def _update_code(self, table: str, code_id: str, *, name: str, more: Sequence[str], **fields: str) -> Any:
        listed = "aliases" if table == "parties" else "keywords"
        with self.writing() as tables:
            found = [(key, doc) for key, doc in tables[table].items() if doc.get("id") == code_id]
            if not found:
                raise InputError(f"no {table[:-1].replace('ie', 'y')} {code_id!r}")
            key, doc = found[0]
            updated = dict(doc)
            if name:
                updated["name"] = name
            updated.update({k: v for k, v in fields.items() if v})
            extra = [m for m in more if m and m not in updated.get(listed, [])]
            updated[listed] = list(updated.get(listed, [])) + extra
            item = (Party if table == "parties" else Issue).from_json(updated)
            self.table(table).update(item.as_json(), doc_ids=[int(key)])
        return item


def _read_to_end(rows: Iterator[object]) -> None:
    """The rest of an import file, after a bad row, read and dropped.

    The file may be read as it is checked: a problem with the file itself (not
    valid JSON further on) is then the one reported, as when the file was read
    whole before any row was checked.
    """
    for _ in rows:
        pass


def backup_of(path: Path) -> Path:
    """Copy ``path`` aside as ``NAME.YYYYmmddTHHMMSS.bak`` before it is replaced."""
    suffix = now_instant().replace("-", "").replace(":", "")[:15]
    backup = path.with_name(f"{path.name}.{suffix}.bak")
    count = 1
    while backup.exists():  # two backups in one second: keep both (callers hold the lock)
        count += 1
        backup = path.with_name(f"{path.name}.{suffix}-{count}.bak")
    write_atomic(backup, path.read_bytes())
    return backup
