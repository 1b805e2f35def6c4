"""TinyDB over one store file: parsed once, re-read on change, written atomically, one write a block.

TinyDB gives the table layout and document ids; it promises nothing about
concurrent writers or crashes, and it re-reads its storage on every query.
So :class:`AtomicJSONStorage` parses the file once (orjson) and again only
when its stat stamp changes, and writes sorted, indented JSON through
:func:`files.write_atomic`. :class:`Database` is what the Store holds: the
parsed tables, and the few writes it makes (insert, update, remove by
document id). This is the only module that imports tinydb.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from ..errors import StoreError
from . import files
from .schema import Tables, dump_tables, parse_tables


class AtomicJSONStorage(Storage):
    """A TinyDB storage that parses once, re-reads on change and writes atomically."""

    def __init__(self, path: str | Path, shown: str | Path | None = None) -> None:
        self.path = Path(path)
        """The store file (its real path: links resolved, so that a write replaces the target, not the link)."""
        self.shown = Path(shown or path)
        """What messages call it: the name the analyst gave."""
        self._data: Tables | None = None
        self.stamp: files.Stamp | None = None
        """The file's stat stamp when it was last read or written here (None: not since a failure)."""
        self.seen: files.Stamp | None = None
        """The stamp when the file was last read, written, or found broken: what "changed on disk" compares."""
        self.generation = 0
        """Bumped whenever the data in memory changes, so derived caches know."""

    def read(self) -> Tables:
        stamp = files.stamp_of(self.path)
        if stamp is None:
            raise StoreError(f"{self.shown}: the store has gone (deleted or moved while in use)")
        if self._data is None or stamp != self.stamp:
            self.seen = stamp  # even if the read fails: a broken file is not read again until it changes
            try:
                raw = self.path.read_bytes()
            except OSError as error:
                raise StoreError(f"{self.shown}: cannot read ({error.strerror})") from None
            self._data = parse_tables(raw, self.shown)
            self.stamp = stamp
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
            files.write_atomic(self.path, payload)  # looked up on the module: tests count the writes
        except OSError as error:
            # TinyDB changed the tables in place before calling us: forget them.
            self._data, self.stamp, self.seen = None, None, None
            self.generation += 1
            raise StoreError(
                f"{self.shown}: could not write ({files.write_problem(self.path, error)}); the file is unchanged"
            ) from None
        self._data = dict(data)
        self.stamp = self.seen = files.stamp_of(self.path)
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
            self._data, self.stamp, self.seen = None, None, None
            self.generation += 1

    def close(self) -> None:
        self._data = None


class Database:
    """One store file's tables through TinyDB: what the Store reads, and the writes it makes.

    Writes address documents by their TinyDB id (the table's key, as text) and
    belong inside the Store's locked block, after a fresh :meth:`read`. A new
    TinyDB ``Table`` is made for each write: a Table caches the next document
    id, and another process may have appended since.
    """

    def __init__(self, path: Path, shown: Path | None = None) -> None:
        self._storage = AtomicJSONStorage(path, shown)

    def read(self) -> Tables:
        """The parsed file: parsed again only if its stat stamp changed. Do not modify."""
        return self._storage.read()

    @property
    def generation(self) -> int:
        """Changes whenever the tables in memory change (a re-read, a write)."""
        return self._storage.generation

    def changed_on_disk(self) -> bool:
        """True if the file's stat stamp differs from the one last read or written here (or found broken
        when read: the dashboard's poll does not parse a broken file again until it changes); reads nothing."""
        seen = self._storage.seen
        return seen is None or files.stamp_of(self._storage.path) != seen

    def defer(self) -> None:
        """Start a block: writes are held in memory (see :meth:`AtomicJSONStorage.defer`)."""
        self._storage.defer()

    def flush(self) -> None:
        """End the block: what it changed is written, as one file."""
        self._storage.flush()

    def discard(self) -> None:
        """Abandon the block: what it changed is forgotten."""
        self._storage.discard()

    def replace(self, tables: Mapping[str, Any]) -> None:
        """Write ``tables`` as the whole file (a migration)."""
        self._storage.write(tables)

    def insert(self, table: str, documents: Iterable[Mapping[str, Any]]) -> list[str]:
        """Append documents to ``table``; their new document ids."""
        return [str(key) for key in Table(self._storage, table).insert_multiple(documents)]

    def update(self, table: str, keys: Collection[str], fields: Mapping[str, Any]) -> None:
        """Merge ``fields`` into the documents ``keys`` of ``table``."""
        Table(self._storage, table).update(dict(fields), doc_ids=[int(key) for key in keys])

    def remove(self, table: str, keys: Collection[str]) -> None:
        """Delete the documents ``keys`` from ``table``."""
        Table(self._storage, table).remove(doc_ids=[int(key) for key in keys])
