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

import io
import os
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage
from tinydb.table import Table

from ..errors import StoreError
from . import files, index_cache
from .schema import Tables, dump_tables, parse_tables

Derive = Callable[[Tables, list[tuple[Any, ...]]], Any]
"""What the store derives from the small tables and the rows for its reads, kept in the index cache
(``Store``: the timeline's built index); None when it derives nothing. Run once per file content."""


class View:
    """What a read needs of the file without its statement documents: the other tables, each revision's
    ``timeline.ROW`` fields with a reference as the last, ``load`` to turn a reference into the document
    (from memory, or read from the file by offset), each id's references, and what the store derived.
    From the index cache, each part is read the first time it is asked for."""

    def __init__(
        self,
        tables: Tables,
        rows: Callable[[], list[tuple[Any, ...]]],
        load: Callable[[Any], Mapping[str, Any]],
        ids: Callable[[], dict[str, Any]],
        index: Callable[[], Any],
        recover: Callable[[], View] | None = None,
    ) -> None:
        self.tables = tables
        """Every table but ``statements``. Do not modify."""
        self._rows, self._load, self._ids, self._index = rows, load, ids, index
        self._recover = recover
        """The view of the file parsed, for a cache section found damaged when it was read."""
        self._recovered: View | None = None

    def _parsed(self) -> View:
        if self._recovered is None:
            assert self._recover is not None
            self._recovered = self._recover()
        return self._recovered

    def rows(self) -> list[tuple[Any, ...]]:
        """Every revision's row, in file order. Do not modify."""
        try:
            return self._rows()
        except index_cache.Damaged:
            return self._parsed().rows()

    def load(self, reference: Any) -> Mapping[str, Any]:
        """The document a row's reference names."""
        try:
            return self._load(reference)
        except index_cache.Damaged:
            return self._parsed().load(reference)

    def ids(self) -> dict[str, Any]:
        """Each id's references: one, or a tuple of them (``index_cache.ids_of``). Do not modify."""
        try:
            return self._ids()
        except index_cache.Damaged:
            return self._parsed().ids()

    def index(self) -> Any:
        """What the store derived (:data:`Derive`), or None."""
        try:
            return self._index()
        except index_cache.Damaged:
            return self._parsed().index()


def _once(build: Callable[[], Any]) -> Callable[[], Any]:
    """``build``, run the first time it is called; its answer kept."""
    kept: list[Any] = []

    def get() -> Any:
        if not kept:
            kept.append(build())
        return kept[0]

    return get


class _Spans:
    """Reads one statement document by its place: one ``pread`` of its span in the file the cache
    describes, through a descriptor opened when the cache was checked, so a file replaced since (a
    rename) is not misread; closed when the view is dropped."""

    def __init__(self, descriptor: int, loaded: index_cache.Loaded) -> None:
        self.descriptor = descriptor
        """The store file the cache describes, opened when the cache was checked."""
        self._span = loaded.span
        weakref.finalize(self, os.close, descriptor)

    def __call__(self, place: Any) -> dict[str, Any]:
        offset, length = self._span(place)
        document: dict[str, Any] = orjson.loads(os.pread(self.descriptor, length, offset))
        return document


def _read_whole(descriptor: int) -> bytes:
    """The whole file behind ``descriptor``, from its start: one read into one buffer of the file's size
    (``FileIO.readall``), where reading in chunks and joining them copied 150 MB once more (0.1 s)."""
    os.lseek(descriptor, 0, os.SEEK_SET)
    with io.FileIO(descriptor, "rb", closefd=False) as handle:
        return handle.readall()


def _parsed(raw: bytes, cut: index_cache.Split | None, shown: Path) -> Tables:
    """``parse_tables(raw)``, by documents when the file is in tracker's layout (``cut``): the read that
    writes the cache needs their spans, and finding them costs no more than parsing the file whole.
    Anything unusual (a repeated id, a document that does not parse) is parsed whole, which names it."""
    if cut is None or len(set(cut.keys)) != len(cut.keys):
        return parse_tables(raw, shown)
    whole = memoryview(raw)
    try:
        documents = [orjson.loads(whole[offset : offset + length]) for offset, length in cut.spans]
    except orjson.JSONDecodeError:
        return parse_tables(raw, shown)
    data = parse_tables(cut.rest, shown)
    data["statements"] = dict(zip(cut.keys, documents, strict=True))
    return data


def _derived(derive: Derive | None, tables: Tables, rows: list[tuple[Any, ...]]) -> Any:
    return None if derive is None else derive(tables, rows)


def _memory_view(
    data: Tables,
    raw: bytes | None,
    path: Path,
    info: os.stat_result | None,
    derive: Derive | None,
    *,
    written: bool = False,
    spans: list[index_cache.Span] | None = None,
    stored: bool = False,
) -> View | None:
    """The view of parsed tables (None if a statement document is not in the stored shape: such a file is
    read whole); with ``raw`` and ``info`` (the bytes just read or written, and their file's stat), the
    cache of it is written too, for the next process. ``stored``: the documents are known to be of the
    stored shape (a writer whose store checked them), so they are not checked again.

    The rows are in the order of the file: as parsed, or, for tables just ``written`` (where TinyDB
    appended new documents at the end), in the sorted order ``dump_tables`` wrote them in.
    """
    table = data["statements"]
    keys = sorted(table) if written else list(table)
    documents = [table[key] for key in keys]
    rows = index_cache.rows_of(documents) if stored else index_cache.stored_rows(documents)
    if rows is None:
        return None
    small = {name: table for name, table in data.items() if name != "statements"}
    derived: list[Any] = []  # what the store derived for the cache, when it was written in this process
    if raw is not None and info is not None:
        found = spans if spans is not None else index_cache.spans_of(raw, keys)
        if found is not None:
            identity = index_cache.identity_of(info)

            def built() -> list[bytes]:
                derived.append(_derived(derive, small, rows))
                cached = index_cache.Cached(small, rows, found, derived[0])
                return index_cache.dump(cached, identity, index_cache.digest_for(raw, identity))

            index_cache.save_built(path, built, aside=not written)  # a writer holds the lock: in line
        else:
            index_cache.forget(path)  # not in tracker's layout: an older cache would describe another file
    # What the store derived for a cache written here serves this process too; where the cache was
    # written by a child (or not at all), the store indexes the parsed file from its rows.
    index = lambda: derived[0] if derived else None  # noqa: E731
    return View(small, lambda: rows, documents.__getitem__, _once(lambda: index_cache.ids_of(rows)), index)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that parses once, re-reads on change and writes atomically."""

    def __init__(self, path: str | Path, shown: str | Path | None = None, derive: Derive | None = None) -> None:
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
        self.derive = derive
        """What the index cache keeps of the store's own (:data:`Derive`)."""
        self._view: View | None = None
        self._view_stamp: files.Stamp | None = None
        """The stamp of the file ``_view`` describes."""

    def _current(self) -> files.Stamp:
        stamp = files.stamp_of(self.path)
        if stamp is None:
            raise StoreError(f"{self.shown}: the store has gone (deleted or moved while in use)")
        return stamp

    def read(self) -> Tables:
        stamp = self._current()
        if self._data is None or stamp != self.stamp:
            self._parse(stamp, cache=False)
        assert self._data is not None
        return self._data

    def _parse(self, stamp: files.Stamp, *, cache: bool) -> None:
        """Read and parse the file; with ``cache``, also make its view and write its index cache."""
        self.seen = stamp  # even if the read fails: a broken file is not read again until it changes
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
            try:
                before = os.fstat(descriptor)
                raw = _read_whole(descriptor)
                after = os.fstat(descriptor)
            finally:
                os.close(descriptor)
        except OSError as error:
            raise StoreError(f"{self.shown}: cannot read ({error.strerror})") from None
        cut = index_cache.split(raw) if cache else None
        data = _parsed(raw, cut, self.shown)
        read_stamp = (before.st_mtime_ns, before.st_size, before.st_ino)
        changed = read_stamp != self.stamp  # not a view's file, read whole now: the same content
        self._data, self.stamp, self.seen = data, read_stamp, read_stamp
        if cache:  # a file that changed while it was read is not cached: its bytes may be of neither version
            steady = index_cache.identity_of(before) == index_cache.identity_of(after)
            spans = cut.spans if cut is not None and cut.keys == list(data["statements"]) else None
            self._view = _memory_view(data, raw if steady else None, self.path, before, self.derive, spans=spans)
            self._view_stamp = read_stamp
        if changed:
            self.generation += 1

    def view(self) -> View | None:
        """The file's :class:`View`: from the index cache when it describes the file, else from the parsed
        file (parsed now if need be, and the cache written for the next process). None if the file has a
        statement document of another shape: the caller reads the tables."""
        stamp = self._current()
        if self._view_stamp == stamp:
            return self._view
        if self._data is not None and stamp == self.stamp:
            self._view, self._view_stamp = _memory_view(self._data, None, self.path, None, self.derive), stamp
            return self._view
        if self._from_cache():
            return self._view
        self._parse(self._current(), cache=True)
        return self._view

    def _parse_for(self, spans: _Spans) -> View:
        """The view of the file a cache described, parsed whole from the descriptor its ``spans`` read (the
        same file, even if another has replaced it since), for a view whose cache section was found
        damaged; the cache is removed, and the next reader writes it anew."""
        index_cache.forget(self.path)
        raw = _read_whole(spans.descriptor)
        view = _memory_view(_parsed(raw, index_cache.split(raw), self.shown), None, self.path, None, self.derive)
        if view is None:
            raise StoreError(f"{self.shown}: a statement document of another shape (run `tracker check`)")
        return view

    def write_index(self) -> None:
        """Read the file and leave its index cache, as a write does: for a file that changed without
        tracker (a git pull, a hand edit), so that the readers after it are fast again."""
        self._parse(self._current(), cache=True)

    def _from_cache(self) -> bool:
        """Take the view from the index cache if it describes the file as it is (see index_cache)."""
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            info = os.fstat(descriptor)
            loaded = index_cache.load(self.path, index_cache.identity_of(info))
            if loaded is not None and loaded.racy:
                digest = loaded.digest
                if digest != index_cache.NO_DIGEST and index_cache.fingerprint(_read_whole(descriptor)) == digest:
                    index_cache.restamp(self.path, loaded, index_cache.identity_of(info))
                else:
                    loaded = None
        except OSError:
            loaded = None
        if loaded is None:
            os.close(descriptor)
            return False
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        try:
            tables = loaded.tables()
        except index_cache.Damaged:
            os.close(descriptor)
            return False
        spans = _Spans(descriptor, loaded)
        self._view = View(tables, loaded.rows, spans, loaded.ids, loaded.index, lambda: self._parse_for(spans))
        self._view_stamp = self.seen = stamp
        if stamp != self.stamp:
            self._data, self.stamp = None, stamp
            self.generation += 1
        return True

    _deferring = False
    _dirty = False

    def write(self, data: Mapping[str, Any], *, stored: bool = False) -> None:
        """Write ``data`` as the file (held until :meth:`flush` inside a block). ``stored``: every statement
        document is of the stored shape (the Store checked the file's and made the new ones): the index
        cache written with it need not check 106,000 documents again (0.35 s at 100,000 statements)."""
        if self._deferring:  # inside Store.writing(): the block's writes land as one, when it ends
            self._data, self._dirty = dict(data), True
            self._view = self._view_stamp = None  # the view is of the file, not of the block's pending writes
            self.generation += 1
            return
        payload = dump_tables(data)
        self._view = self._view_stamp = None
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
        try:
            info: os.stat_result | None = os.stat(self.path)
        except OSError:
            info = None
        self.stamp = self.seen = None if info is None else (info.st_mtime_ns, info.st_size, info.st_ino)
        if info is not None:  # the index cache of what was just written: the next reader need not parse it
            self._view = _memory_view(self._data, payload, self.path, info, self.derive, written=True, stored=stored)
            self._view_stamp = self.stamp
        self.generation += 1

    def defer(self) -> None:
        """Hold writes in memory until :meth:`flush` (or :meth:`discard`): one write block, one file write."""
        self._deferring, self._dirty = True, False

    def flush(self, *, stored: bool = False) -> None:
        """Write what the block changed, if anything, atomically; then write through again (``stored``:
        as :meth:`write`)."""
        self._deferring = False
        if self._dirty and self._data is not None:
            self._dirty = False
            self.write(self._data, stored=stored)

    def discard(self) -> None:
        """Forget what the block changed (it failed): the file was never touched."""
        self._deferring = False
        if self._dirty:
            self._dirty = False
            self._data, self.stamp, self.seen = None, None, None
            self._view = self._view_stamp = None
            self.generation += 1

    def close(self) -> None:
        self._data = None
        self._view = self._view_stamp = None


class Database:
    """One store file's tables through TinyDB: what the Store reads, and the writes it makes.

    Writes address documents by their TinyDB id (the table's key, as text) and
    belong inside the Store's locked block, after a fresh :meth:`read`. A new
    TinyDB ``Table`` is made for each write: a Table caches the next document
    id, and another process may have appended since.
    """

    def __init__(self, path: Path, shown: Path | None = None, derive: Derive | None = None) -> None:
        self._storage = AtomicJSONStorage(path, shown, derive)

    def read(self) -> Tables:
        """The parsed file: parsed again only if its stat stamp changed. Do not modify."""
        return self._storage.read()

    def view(self) -> View | None:
        """What a read needs without the statement documents (:meth:`AtomicJSONStorage.view`)."""
        return self._storage.view()

    def write_index(self) -> None:
        """Leave the index cache of the file as it is (:meth:`AtomicJSONStorage.write_index`)."""
        self._storage.write_index()

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

    def flush(self, *, stored: bool = False) -> None:
        """End the block: what it changed is written, as one file. ``stored``: every statement document
        is of the stored shape (see :meth:`AtomicJSONStorage.write`)."""
        self._storage.flush(stored=stored)

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
