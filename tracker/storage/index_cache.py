"""The index cache beside a store (``positions.json.idx``): what a read needs, without parsing the file.

A command on 100,000 statements spends 1.2 s parsing positions.json before any
work; what the timeline indexes of each revision (``timeline.ROW``) loads with
marshal in a tenth of that. So the cache holds the small tables (meta, the
codebook, feeds, the inbox), each revision's row, and where its document lies
in the file, so that a command builds only the statements it shows: each one
read by offset and parsed alone.

It is never required, and never trusted blindly:

- it records the store file's identity (device, inode, size, mtime and ctime
  in ns) and a CRC-32 of its bytes; a store whose identity differs (a hand
  edit, a ``touch -r`` that restores the mtime but not the ctime, a cache copied
  from another file) is read from the file itself;
- git's "racily clean" rule: a store changed within :data:`GRANULARITY_NS` of
  the moment its identity was taken could have changed again in the same tick
  without its stat showing it, so it is checked by content (the CRC) and, if it
  holds, the cache is re-stamped so the next reader need not;
- a truncated, corrupt or foreign cache, or one of another format, fails its
  own magic, format number or CRC and is ignored.

Written by every tracker write and by a reader that found none (or a stale
one), atomically (a temp file renamed over it), and never fatally: a read-only
folder only costs the next reader the time. Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
import time
import weakref
import zlib
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import is_stored
from ..timeline import ROW
from . import cache_writers

SUFFIX = ".idx"
"""The cache of ``positions.json`` is ``positions.json.idx``."""

MAGIC = b"TRKIDX\n"
FORMAT = 4
"""Bumped whenever the layout changes: a cache of another format is rebuilt, never misread."""

INTERPRETER = sys.implementation.cache_tag
"""marshal's format is the interpreter's own: a cache written by another Python is not read."""

GRANULARITY_NS = 50_000_000
"""How close (ns) a store's change may be to the moment its identity was taken before it is checked by
content: Linux stamps files from a clock that ticks every 1-10 ms; 50 ms leaves room for both clocks."""

COARSE_GRANULARITY_NS = 2_000_000_000
"""The same for a file system that keeps whole seconds (FAT keeps two): a stamp of whole seconds says so."""

Identity = tuple[int, int, int, int, int]
"""(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns): changed by any write to the file, even one
that puts its mtime back (``touch -r``): the ctime cannot be set."""

Span = tuple[int, int]
"""(offset, length) of one statement document's bytes in the store file."""


def cache_path(store: Path) -> Path:
    """Where the cache of ``store`` lives: beside it, its name plus ``.idx``."""
    return store.with_name(store.name + SUFFIX)


def identity_of(info: os.stat_result) -> Identity:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


NO_DIGEST = -1
"""The fingerprint of a cache that can never be racy (:func:`digest_for`): never compared."""


def digest_for(raw: bytes, identity: Identity) -> int:
    """The fingerprint a new cache of the store ``raw`` needs: its CRC if the store changed so recently that
    the cache, written now, could be racy (a writer's cache, always); else :data:`NO_DIGEST`, as a cache
    written well after the store's last change is trusted on its stat alone (a read after a git pull:
    0.05 s saved). The store's change is checked against a moment a granularity before now, as the
    file system's clock, which stamps the cache, may run behind this one."""
    if is_racy(identity, time.time_ns() - GRANULARITY_NS):
        return fingerprint(raw)
    return NO_DIGEST


def fingerprint(raw: bytes) -> int:
    """The content check of a store's bytes: CRC-32 (0.06 s on 146 MB; BLAKE2b took 0.2 s). It guards
    against a racy change, not an adversary, who could as well write the cache."""
    return zlib.crc32(raw)


@dataclass(frozen=True, slots=True)
class Cached:
    """What a cache holds of one store file."""

    tables: dict[str, dict[str, Any]]
    """Every table but ``statements``, as parsed."""
    rows: list[tuple[Any, ...]]
    """Per statement document, in file order: its ``timeline.ROW`` fields, then its place in ``spans``."""
    spans: Sequence[Span]
    index: Any = None
    """What the store derived from the rows for its reads (``Store``: the timeline's built index under
    the store's policy), kept as given; None when it derived nothing (a document it refuses)."""


_TABLE = re.compile(rb'\n  "statements": \{')
_DOCUMENT = re.compile(rb',?\n    "([0-9]+)": \{\n')
_CLOSE = b"\n    }"


def spans_of(raw: bytes, keys: Sequence[str]) -> list[Span] | None:
    """Where each document of the statements table lies in ``raw``, in the layout ``dump_tables`` writes
    (indent 2, sorted keys): ``keys`` are the table's document ids in file order. None if ``raw`` is not
    in that layout (a hand-written or compact file): such a store is read whole, as before.

    JSON strings hold no raw newline, so a line that opens at indent 4 is a document of the table, and
    the first line that closes at indent 4 after it ends that document.
    """
    if not keys:
        return []
    table = _TABLE.search(raw)
    if table is None:
        return None
    found: list[Span] = []
    position = table.end()
    search, close = _DOCUMENT.match, raw.find
    for key in keys:
        opened = search(raw, position)
        if opened is None or opened.group(1) != key.encode():
            return None
        start = opened.end() - 2  # the document's "{"
        end = close(_CLOSE, start) + len(_CLOSE)
        if end < len(_CLOSE):
            return None
        found.append((start, end - start))
        position = end
    return found if raw.startswith(b"\n  }", position) else None


@dataclass(frozen=True, slots=True)
class Split:
    """A store file in the layout ``dump_tables`` writes, cut at its statement documents: what a read
    without a cache parses document by document, so that it has their spans for the cache it writes.
    At 100,000 statements, parsing the 106,000 documents one by one took as long as parsing the file
    whole (0.4 s against 0.6 s, after 0.2 s finding them), so the spans cost nothing more."""

    rest: bytes
    """The file with its statements table empty: the small tables, parsed as a file is."""
    keys: list[str]
    """The table's document ids, in file order."""
    spans: list[Span]


def split(raw: bytes) -> Split | None:
    """``raw`` cut at its statement documents, or None if it is not in tracker's layout (found as
    :func:`spans_of` finds them)."""
    table = _TABLE.search(raw)
    if table is None:
        return None
    keys: list[str] = []
    spans: list[Span] = []
    position = table.end()
    if raw.startswith(b"}", position):  # an empty table: {}
        return Split(raw, keys, spans)
    search, close = _DOCUMENT.match, raw.find
    while (opened := search(raw, position)) is not None:
        start = opened.end() - 2  # the document's "{"
        end = close(_CLOSE, start) + len(_CLOSE)
        if end < len(_CLOSE):
            return None
        keys.append(opened.group(1).decode())
        spans.append((start, end - start))
        position = end
    if not keys or not raw.startswith(b"\n  }", position):
        return None
    return Split(raw[: table.end()] + raw[position + 3 :], keys, spans)


def stored_rows(documents: Sequence[Any]) -> list[tuple[Any, ...]] | None:
    """:func:`rows_of` the documents if every one is of the stored shape (``model.is_stored``), else None:
    one pass, each document checked and read while it is in the processor's cache (two passes over
    100,000 documents scattered through 700 MB took 0.1 s longer)."""
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for place, document in enumerate(documents):
        if not is_stored(document):
            return None
        append((*ROW(document), place))
    return rows


def rows_of(documents: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Each document's ``timeline.ROW`` fields, with its place in the table as the last field."""
    return [(*ROW(doc), place) for place, doc in enumerate(documents)]


def ids_of(rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """Each statement id's revisions: the place of its one row, or a tuple of the places of its rows.
    What ``show ID`` looks up (at 100,000 statements, 0.01 s to load; the rows take ten times that)."""
    found: dict[str, Any] = {}
    for row in rows:
        key, place = row[0], row[-1]
        held = found.get(key)
        found[key] = place if held is None else (*held, place) if isinstance(held, tuple) else (held, place)
    return found


_SECTIONS = ("tables", "spans", "ids", "index", "rows")
"""The payload's parts, in file order: each marshalled alone and read back only when a command asks for
it, so ``matrix`` on a warm cache never builds the 100,000 rows a ``log --revisions`` needs."""


Where = dict[str, tuple[int, int, int]]
"""Each section's (offset in the payload, length, CRC-32)."""


def dump(cached: Cached, identity: Identity, digest: int) -> list[bytes]:
    """The cache file's bytes, in parts to write one after the other: magic, a marshalled header (format,
    the interpreter that marshalled it, the store's identity and fingerprint, each section's place,
    length and CRC), then the sections.

    The spans are a flat ``array`` of 64-bit offsets and lengths: loaded as one block, not 100,000
    tuples. The rows and ids are marshalled without back-references (version 2): at 100,000 statements
    that dumps the rows in 0.12 s instead of 0.27 s and loads them as fast; the index keeps them (it
    is what a warm read loads, 0.06 s with them, 0.1 s without).
    """
    flat = array("q", [number for span in cached.spans for number in span])
    parts = {
        "tables": marshal.dumps(cached.tables),
        "spans": flat.tobytes(),
        "ids": marshal.dumps(ids_of(cached.rows), 2),
        "index": marshal.dumps(cached.index),
        "rows": marshal.dumps(cached.rows, 2),
    }
    where: Where = {}
    offset = 0
    for name in _SECTIONS:
        where[name] = (offset, len(parts[name]), zlib.crc32(parts[name]))
        offset += len(parts[name])
    return [_header(where, offset, identity, digest), *(parts[name] for name in _SECTIONS)]


def _header(where: Where, length: int, identity: Identity, digest: int) -> bytes:
    header = marshal.dumps((FORMAT, INTERPRETER, identity, digest, where, length))
    return MAGIC + len(header).to_bytes(4, "big") + header


class Damaged(Exception):
    """A section of a cache failed its CRC when it was read: the caller answers from the store itself."""


class Loaded:
    """A cache whose header describes the store: each section is read (by offset, from the file opened when
    the header was checked), checked against its CRC and unmarshalled the first time it is asked for, so
    a warm ``matrix`` reads 13 of its 37 MB. A section that fails its CRC raises :class:`Damaged`.
    ``racy`` says the store must be checked by content before the cache is used."""

    def __init__(self, descriptor: int, base: int, where: Where, digest: int, *, racy: bool) -> None:
        self._descriptor = descriptor
        self._base = base
        self.where = where
        self.digest = digest
        self.racy = racy
        self._unpacked: dict[str, Any] = {}
        weakref.finalize(self, os.close, descriptor)

    def _bytes(self, name: str) -> bytes:
        offset, length, check = self.where[name]
        part = os.pread(self._descriptor, length, self._base + offset)
        if len(part) != length or zlib.crc32(part) != check:
            raise Damaged(name)
        return part

    def _section(self, name: str) -> Any:
        if name not in self._unpacked:
            part = self._bytes(name)
            if name == "spans":
                flat = array("q")
                flat.frombytes(part)
                self._unpacked[name] = flat
            else:
                try:
                    self._unpacked[name] = marshal.loads(part)
                except (ValueError, EOFError, TypeError):
                    raise Damaged(name) from None
        return self._unpacked[name]

    @property
    def payload(self) -> bytes:
        """Every section's bytes, checked (to write the cache again: :func:`restamp`)."""
        return b"".join(self._bytes(name) for name in _SECTIONS)

    def tables(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self._section("tables")
        return found

    def span(self, place: int) -> Span:
        """Where the document at ``place`` lies in the store: (offset, length)."""
        flat = self._section("spans")
        return flat[2 * place], flat[2 * place + 1]

    def rows(self) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = self._section("rows")
        return found

    def ids(self) -> dict[str, Any]:
        """:func:`ids_of` the rows."""
        found: dict[str, Any] = self._section("ids")
        return found

    def index(self) -> Any:
        """What the store derived (:attr:`Cached.index`)."""
        return self._section("index")

    @property
    def cached(self) -> Cached:
        """Everything it holds, unmarshalled (to write it again, as a test does)."""
        flat = self._section("spans")
        spans = [(flat[n], flat[n + 1]) for n in range(0, len(flat), 2)]
        return Cached(self.tables(), self.rows(), spans, self.index())


_HEADER_READ = 4096
"""Bytes read at first: the magic, the header's length and the header (a few hundred bytes)."""


def load(store: Path, identity: Identity) -> Loaded | None:
    """The cache of ``store`` if its header is whole, of this format and interpreter and of the file with
    ``identity``, and the file as long as the header says (a truncated one is not); else None. Its
    sections are checked as they are read (:class:`Loaded`).

    ``racy`` says the store changed within the granularity of the moment the cache took its identity
    (:func:`is_racy`): the caller checks the store's bytes against ``digest`` before trusting it.
    """
    try:
        descriptor = os.open(cache_path(store), os.O_RDONLY)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        head = os.pread(descriptor, _HEADER_READ, 0)
        if not head.startswith(MAGIC):
            raise ValueError("not a cache")
        start = len(MAGIC) + 4
        size = int.from_bytes(head[len(MAGIC) : start], "big")
        header = head[start : start + size] if start + size <= len(head) else os.pread(descriptor, size, start)
        form, interpreter, held, digest, where, length = marshal.loads(header)
        if form != FORMAT or interpreter != INTERPRETER or tuple(held) != identity:
            raise ValueError("another file's cache")
        if info.st_size != start + size + length or set(where) != set(_SECTIONS):
            raise ValueError("truncated")
    except (OSError, ValueError, EOFError, TypeError):  # truncated, corrupt, or marshalled by another Python
        os.close(descriptor)
        return None
    return Loaded(descriptor, start + size, where, digest, racy=is_racy(identity, info.st_mtime_ns))


def is_racy(identity: Identity, written_ns: int) -> bool:
    """True if the store (its mtime or ctime) changed so close to when the cache was written (the cache
    file's own mtime, from the same file-system clock) that a change in the same tick would not show."""
    mtime, ctime = identity[3], identity[4]
    coarse = mtime % 1_000_000_000 == 0 and ctime % 1_000_000_000 == 0
    granularity = COARSE_GRANULARITY_NS if coarse else GRANULARITY_NS
    return max(mtime, ctime) >= written_ns - granularity


def save(store: Path, parts: Sequence[bytes | memoryview]) -> None:
    """Write the cache file atomically (a temp file beside it, renamed over it); any failure is ignored:
    the cache is never required. Not fsynced: a cache a crash truncates fails its CRC and is rebuilt."""
    target = cache_path(store)
    temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")  # .gitignore: .NAME.*.tmp
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with open(descriptor, "wb") as handle:
                for part in parts:
                    handle.write(part)
            with contextlib.suppress(OSError):  # as private as its store
                os.chmod(temp, os.stat(store).st_mode & 0o666)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError:
        return


def save_built(store: Path, build: Callable[[], Sequence[bytes | memoryview]], *, aside: bool) -> None:
    """:func:`save` what ``build`` makes; with ``aside`` (a read, holding no lock a child could keep), in a
    child process beside this one's work if the command line allowed it (``cache_writers``)."""
    if aside:
        cache_writers.run_aside(lambda: save(store, build()))
    else:
        save(store, build())


def restamp(store: Path, loaded: Loaded, identity: Identity) -> None:
    """Rewrite a racy cache whose store passed the content check, so that its own write time (now) is
    past the store's: the next reader trusts it on its stat alone, as git refreshes a racy index.
    Not while the store's change is still within the granularity of now: the cache would stay racy."""
    if time.time_ns() - max(identity[3], identity[4]) > 2 * GRANULARITY_NS:
        with contextlib.suppress(Damaged):
            payload = loaded.payload
            save(store, [_header(loaded.where, len(payload), identity, loaded.digest), payload])


def forget(store: Path) -> None:
    """Remove the cache of ``store`` (it no longer describes the file); a failure is ignored."""
    with contextlib.suppress(OSError):
        os.unlink(cache_path(store))
