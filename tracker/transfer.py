"""Moving statements in and out of a store: the files ``import`` reads and ``export`` writes.

Pure of the CLI: the commands pass paths and formats in and get records or
bytes back, so the same code serves scripts and tests.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import orjson

from .errors import InputError
from .formats import STATEMENT_COLUMNS, clean_json, csv_list, json_is_clean, restored, statement_row, write_csv
from .model import LONG_TEXT_MAX, Statement

FORMATS = ("json", "csv")

ImportRow = tuple[str, Any]
"""Where a record came from ("line 4", "item 2"), and the record as read."""

OnProgress = Callable[[int, int | None], None]
"""Where long work reports how far it is: done, of total (None when not known, as for a pipe). The
command layer draws it (tracker/progress.py); here it is only called, so the core needs no Rich."""

REPORT_EVERY = 500
"""Items (statements, documents) between two progress reports: one call per item would cost more
than the display is worth, and a few hundred statements take about a millisecond."""

T = TypeVar("T")


def reported(items: Iterable[T], on_progress: OnProgress | None, total: int, start: int = 0) -> Iterable[T]:
    """``items``, reporting to ``on_progress`` every :data:`REPORT_EVERY` of them and after the last,
    counted from ``start`` of ``total``: ``items`` themselves when there is nothing to report to."""
    return items if on_progress is None else _reporting(items, on_progress, total, start)


def _reporting(items: Iterable[T], on_progress: OnProgress, total: int, start: int) -> Iterator[T]:
    done = start
    for done, item in enumerate(items, start + 1):
        yield item
        if done % REPORT_EVERY == 0:
            on_progress(done, total)
    on_progress(done, total)


def file_format(path: Path | None, given: str | None) -> str:
    """The format named by ``--format``, else by the file's extension."""
    chosen = (given or (path.suffix.lstrip(".") if path else "json")).lower()
    if chosen in FORMATS:
        return chosen
    if given:
        raise InputError("--format must be json or csv")
    raise InputError(f"cannot tell the format of {path}: use a .json or .csv file, or --format json|csv")


IMPORT_MAX_BYTES = 1 << 30
"""The most an import reads (1 GiB), unless ``$TRACKER_IMPORT_MAX_BYTES`` says otherwise: an export
of 100,000 statements is a quarter of it, and a pipe that never ends is refused when it is passed."""
DEPTH_MAX = 64
"""How deep a JSON import may nest arrays and objects; a statement needs five."""
TEXT_READ_MAX = 1 << 20
"""The longest text an import reads before refusing the file: bytes of a JSON string, characters of
a CSV field. Fifty times any field's limit (``model.LONG_TEXT_MAX``), so an over-long field is
reported by name; past it, the parsers slow down with the square of the length (64 MB: 17 s)."""


def import_max_bytes() -> int:
    """``$TRACKER_IMPORT_MAX_BYTES``, else :data:`IMPORT_MAX_BYTES`."""
    raw = os.environ.get("TRACKER_IMPORT_MAX_BYTES", "").strip().replace("_", "")
    if not raw:
        return IMPORT_MAX_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise InputError("$TRACKER_IMPORT_MAX_BYTES must be a whole number of bytes, 1 or more")
    return int(raw)


def read_records(file: Path, kind: str, on_progress: OnProgress | None = None) -> Iterable[ImportRow]:
    """Every record of an import file, parsed but not yet checked against the store.

    The file is read as the records are asked for (see :func:`_json_records`),
    so a large one is never all in memory as parsed objects at once, and no
    more than :func:`import_max_bytes` of it is read; a file that cannot be
    opened is refused here, before the store is touched.

    A record is what a row or item says, bookkeeping included (``rev``, the
    record time and who recorded it, a retraction): the store decides what a
    plain import or a merge keeps of it.

    ``on_progress`` hears the bytes read so far, of the file's size (None for a
    pipe), at each chunk read.
    """
    if kind == "csv":
        return _csv_records(file, _opened(file, on_progress, shape=False))
    return _json_records(file, _opened(file, on_progress, shape=True))


def read_members(file: Path, on_progress: OnProgress | None = None) -> Iterator[tuple[str, Any]]:
    """The members of the JSON object ``file`` holds (a backup, ``export --all``), each parsed whole.

    Read with the same bounds as every import (:func:`import_max_bytes`, the
    nesting and text limits), as its members are asked for; a file that cannot
    be opened is refused here. ``on_progress``: as for :func:`read_records`.
    """
    return _json_members(file, _opened(file, on_progress, shape=True))


def _opened(file: Path, on_progress: OnProgress | None, *, shape: bool) -> _Guard:
    """``file`` open for an import, bounded; JSON (``shape``) is also checked for its nesting and text."""
    limit = import_max_bytes()
    try:
        handle = file.open("rb")
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None
    return _Guard(handle, limit, _JsonShape() if shape else None, on_progress)


def _size(handle: BinaryIO) -> int | None:
    """The size of the file ``handle`` reads, or None if it is no regular file (a pipe, a terminal)."""
    try:
        status = os.fstat(handle.fileno())
    except OSError:
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


class _Refused(Exception):
    """Why :class:`_Guard` stopped reading (the file's name and place are added by its reader)."""


class _Guard(io.RawIOBase):
    """An import file, read at most ``limit`` bytes, and (JSON) checked for its shape as it is read.

    Each chunk is checked before the parser sees it, so a file nested 100,000
    deep or holding a 64 MB string is refused before the parser's memory or
    time grows with it.
    """

    def __init__(
        self, handle: BinaryIO, limit: int, shape: _JsonShape | None, on_progress: OnProgress | None = None
    ) -> None:
        super().__init__()
        self._handle = handle
        self._left = limit
        self._limit = limit
        self._shape = shape
        self._on_progress = on_progress
        self._size = _size(handle) if on_progress is not None else None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        # One byte more than is left: a file of exactly the limit is read, one byte past it is refused.
        chunk = self._handle.read(self._left + 1 if size < 0 else min(size, self._left + 1))
        self._left -= len(chunk)
        if self._left < 0:
            raise _Refused(f"more than {self._limit:,} bytes, the most an import reads ($TRACKER_IMPORT_MAX_BYTES)")
        if self._shape is not None and chunk:
            self._shape.feed(chunk)
        if self._on_progress is not None:
            self._on_progress(self._limit - self._left, self._size)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._handle.close()
        super().close()


_ESCAPE = re.compile(rb"\\.", re.DOTALL)
"""A backslash escape inside a JSON string: an escaped quote does not end it."""
_STRING = re.compile(rb'"[^"]*"')
"""A whole string, once escapes and all but quotes and brackets are gone."""
_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')
"""Every byte but quotes and brackets: deleted, to leave the file's structure."""
_NESTING = bytes.maketrans(b"[{]}", b"(())")
"""Arrays and objects alike: ``(`` opens, ``)`` closes."""


class _JsonShape:
    """How deep a JSON text nests and how long its strings run, read chunk by chunk at C speed.

    Per chunk: escapes are removed (a regex, only where there is a backslash),
    everything but quotes and brackets is deleted (``bytes.translate``), strings
    go (a regex over what is left), and the brackets are paired off by
    ``replace("()", "")`` passes, one per level of nesting inside the chunk. The
    parser still checks the syntax; this only says when to stop first. Some
    0.3 s over the 233 MB export of 100,000 statements, whose import takes 6 s.
    """

    def __init__(self) -> None:
        self.depth = 0
        """Arrays and objects open at the end of the last chunk."""
        self.in_string = False
        self.escaped = False
        """The last chunk ended on a backslash inside a string: the next chunk's first byte is escaped."""
        self.string_bytes = 0
        """Bytes of the string still open at the end of the last chunk."""

    def feed(self, chunk: bytes) -> None:
        if self.escaped:
            chunk, self.escaped = chunk[1:], False
        if b"\\" in chunk:
            chunk = _ESCAPE.sub(b"", chunk)
            if chunk.endswith(b"\\"):  # the escaped character is in the next chunk
                chunk, self.escaped = chunk[:-1], True
        # Two quotes side by side with no bracket between them can go: whether they close one string
        # and open the next or hold an empty one, no bracket moves in or out of a string. That leaves
        # only the quotes around text that holds a bracket, which are few.
        marks = chunk.translate(None, _STRUCTURE).replace(b'""', b"")
        quotes = marks.count(b'"')
        ends_in_string = self.in_string != (quotes % 2 == 1)
        # A chunk is shorter than the limit, so only a string begun in an earlier chunk can pass it:
        # one still open at the end of this chunk, or one this chunk closes.
        if ends_in_string:
            last = chunk.rfind(b'"')
            self.string_bytes = self.string_bytes + len(chunk) if last < 0 else len(chunk) - last - 1
        elif self.in_string:
            self.string_bytes += chunk.find(b'"')
        if self.string_bytes > TEXT_READ_MAX:
            longest = f"no field may hold more than {LONG_TEXT_MAX:,} characters"
            raise _Refused(f"a text of more than {TEXT_READ_MAX:,} bytes ({longest})")
        if not ends_in_string:
            self.string_bytes = 0
        if quotes or self.in_string:
            marks = _STRING.sub(b"", b'"' + marks if self.in_string else marks)
            if ends_in_string:
                marks = marks[: marks.rindex(b'"')]
        self.in_string = ends_in_string
        self._nest(marks.translate(_NESTING))

    def _nest(self, marks: bytes) -> None:
        opens = marks.count(b"(")
        start, self.depth = self.depth, max(0, self.depth + 2 * opens - len(marks))
        if start + opens <= DEPTH_MAX:
            return
        # Pair off the brackets: each pass removes the innermost pairs, so `levels` passes is how
        # deep the chunk's own pairs nest; what is left is the closers of what was open before and
        # the openers of what stays open after. Their sum bounds the depth reached, at C speed.
        paired, levels = marks, 0
        while b"()" in paired and levels <= DEPTH_MAX:
            paired = paired.replace(b"()", b"")
            levels += 1
        closes = paired.count(b")")
        if max(start, start - closes + len(paired) - closes) + levels <= DEPTH_MAX:
            return
        # The bound can be a few levels high: count exactly (a Python loop, but only over a chunk
        # that nests some 60 deep, which no statement does).
        depth = start
        for mark in marks:
            depth += 1 if mark == _OPEN else -1
            if depth > DEPTH_MAX:
                raise _Refused(f"nested deeper than {DEPTH_MAX} levels")


_OPEN = ord("(")


_JSON_SPACE = b" \t\r\n"
"""JSON's whitespace, before the ``[`` that lets a file be read at full speed."""
_CHUNK = 1 << 16
"""What ijson reads at a time (its own default)."""
_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte order mark, which Windows editors put first."""


def _json_records(file: Path, handle: _Guard) -> Iterator[ImportRow]:
    """The items of the file's top-level JSON array, parsed one at a time by ijson.

    Streamed, whatever the layout and from pipes too: at 100,000 statements,
    parsing the whole file at once took three times the memory ``json.load``
    needs for the store (benchmarks/README.md).
    """
    import ijson  # type: ignore[import-untyped]  # here: export and CSV imports have no use for it

    parser = _c_parser(ijson)
    count = 0
    with _json_errors(file, ijson, lambda: _after(count)), handle:
        start, source = _json_start(handle)
        if start.startswith(b"["):
            items = parser.items(source, "item", use_float=True)  # floats, as json.load gives: never Decimal
        else:
            # Not an array, or not JSON: the first event tells which. Only here, as items() fed
            # parse()'s events goes through Python for each event and reads at half the speed.
            # The check matters: "item" is also the prefix of an object's member of that name.
            events = parser.parse(source, use_float=True)
            first = next(events, (None, None, None))[1]
            if first == "start_map":
                raise InputError(
                    f"{file}: expected a JSON array of statements (a backup from `tracker export --all` "
                    "is restored with `tracker import --all` or `tracker restore`)"
                )
            if first != "start_array":
                raise InputError(f"{file}: expected a JSON array of statements")
            items = parser.items(events, "item")
        for count, item in enumerate(items, 1):
            yield f"item {count}", item


def _json_members(file: Path, handle: _Guard) -> Iterator[tuple[str, Any]]:
    """The members of the file's top-level JSON object, in file order, each value parsed whole by ijson."""
    import ijson

    parser = _c_parser(ijson)
    name = ""
    with _json_errors(file, ijson, lambda: f"after {name!r}" if name else "before the first member"), handle:
        start, source = _json_start(handle)
        if start.startswith(b"["):
            raise InputError(
                f"{file}: a JSON array, not a backup: statements from `tracker export` are imported "
                "without --all (or merged with --merge)"
            )
        if not start.startswith(b"{"):
            raise InputError(f"{file}: expected a JSON object, as `tracker export --all` writes")
        for name, value in parser.kvitems(source, "", use_float=True):
            yield name, value


def _json_start(handle: _Guard) -> tuple[bytes, _Reread]:
    """The file's first bytes after a BOM and whitespace (to see how it starts), and the file to parse."""
    start, first = b"", True
    while not start and (chunk := handle.read(_CHUNK)):
        if first and chunk.startswith(_BOM):  # as CSV's reader and most editors allow
            chunk = chunk[len(_BOM) :]
        start, first = chunk.lstrip(_JSON_SPACE), False
    return start, _Reread(start, handle)


@contextlib.contextmanager
def _json_errors(file: Path, ijson: Any, where: Callable[[], str]) -> Iterator[None]:
    """A JSON import's failures as one line each: the file, the problem, and how far it was good (``where``)."""
    try:
        yield
    except (ijson.JSONError, UnicodeDecodeError) as error:  # the latter from the pure-Python backend
        raise InputError(f"{file}: not valid JSON ({_one_line(error)}, {where()})") from None
    except _Refused as error:
        raise InputError(f"{file}: {error} ({where()}); nothing was imported") from None
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None


class _Reread:
    """A file whose first bytes, read to see how it starts, are read again."""

    def __init__(self, start: bytes, rest: _Guard) -> None:
        self._start = start
        self._rest = rest

    def read(self, size: int) -> bytes:
        if self._start and size:
            chunk, self._start = self._start[:size], self._start[size:]
            return chunk
        return self._rest.read(size)


def _c_parser(ijson: Any) -> Any:
    """ijson's C backend (yajl2_c); its wheels carry it, and the pure-Python one is some 20 times slower."""
    try:
        return ijson.get_backend("yajl2_c")
    except ImportError:
        return ijson  # the best ijson has here: it reads the same


def _one_line(error: Exception) -> str:
    """ijson's reason, without the C parser's excerpt and caret lines."""
    reason = str(error)
    if len(error.args) == 1 and isinstance(error.args[0], bytes):  # the C parser's on invalid UTF-8
        reason = error.args[0].decode("utf-8", "replace")
    lines = reason.strip().splitlines()
    return lines[0].rstrip(".") if lines else type(error).__name__


def _after(count: int) -> str:
    """How far an import file was good."""
    return f"after item {count}" if count else "before the first item"


def _csv_records(file: Path, handle: _Guard) -> Iterator[ImportRow]:
    """The rows of a CSV file, read as they are asked for; a cell export neutralised comes back as it was."""
    csv.field_size_limit(TEXT_READ_MAX)  # the csv module's own is 131,072, with a traceback past it
    text = io.TextIOWrapper(io.BufferedReader(handle, _CHUNK), encoding="utf-8-sig", newline="")
    reader = csv.DictReader(_lines(text))
    try:
        with text:
            yield from _csv_rows(reader)
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text (after line {reader.line_num}); nothing was imported") from None
    except csv.Error as error:
        raise InputError(f"after line {reader.line_num}: {_csv_problem(error)}; nothing was imported") from None
    except _Refused as error:
        raise InputError(f"{file}: {error} (after line {reader.line_num}); nothing was imported") from None
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None


_TOO_LONG = f"a value of more than {TEXT_READ_MAX:,} characters (no field may hold more than {LONG_TEXT_MAX:,})"


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The file's lines for the csv reader, none longer than TEXT_READ_MAX: a 1 GB line is refused
    when its first megabyte is read, not held whole in memory first (the csv module checks its
    field limit only once it has the line)."""
    while line := text.readline(TEXT_READ_MAX + 1):
        if len(line) > TEXT_READ_MAX:
            raise _Refused(_TOO_LONG)
        yield line


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):  # a quoted value over many lines
        return _TOO_LONG
    return f"not valid CSV ({error})"


def _csv_rows(reader: csv.DictReader[str]) -> Iterator[ImportRow]:
    missing = {"party", "issue", "stance", "stated_on"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"line 1: the CSV header lacks {', '.join(sorted(missing))}")
    unknown = set(reader.fieldnames or []) - set(STATEMENT_COLUMNS)
    if unknown:
        raise InputError(f"line 1: unknown column(s) {', '.join(sorted(unknown))}")
    for row in reader:
        if None in row:
            raise InputError(f"line {reader.line_num}: more values than columns")
        row = {key: restored(value or "") for key, value in row.items()}
        record: dict[str, Any] = {}
        source: dict[str, str] = {}
        for key, value in row.items():
            if key.startswith("source_"):
                source[key.removeprefix("source_")] = value
            elif key in ("conditions", "tags"):
                record[key] = csv_list(value)
            elif key in ("retracted", "withdrawn_on"):
                continue  # read below, together
            elif key == "rev" and value.strip().isascii() and value.strip().isdigit():
                record[key] = int(value)  # anything else stays text, for the store to refuse if it reads it
            elif value:
                record[key] = value
        record["source"] = source
        if (row.get("retracted") or "").strip().lower() in ("yes", "true", "1"):
            # A retracted row stays retracted (a plain import records its history as the statement,
            # then the retraction: revisions.new_history).
            record.update(retracted=True, reason=row.get("reason") or "retracted")
            if row.get("withdrawn_on"):
                record["withdrawn_on"] = row["withdrawn_on"]
        yield f"line {reader.line_num}", record


def histories(revisions: Sequence[Statement]) -> list[list[Statement]]:
    """Each statement's revisions in order, statements ordered by their latest date."""
    by_id: dict[str, list[Statement]] = {}
    for revision in sorted(revisions, key=lambda s: (s.id, s.rev)):
        by_id.setdefault(revision.id, []).append(revision)
    return sorted(by_id.values(), key=lambda revs: (revs[-1].stated_on, revs[-1].id))


def _json_export(statements: Sequence[Sequence[Statement]], dumps: Any, on_progress: OnProgress | None) -> bytes:
    """The JSON export's bytes: ``[``, one statement (with its revisions) a line, ``]``."""
    out = io.BytesIO()
    out.write(b"[")
    for n, revs in enumerate(reported(statements, on_progress, len(statements))):
        out.write(b"\n" if n == 0 else b",\n")
        out.write(dumps({**revs[-1].as_json(), "revisions": [r.as_json() for r in revs]}))
    out.write(b"\n]\n" if statements else b"]\n")
    return out.getvalue()


def export_bytes(revisions: Sequence[Statement], kind: str, on_progress: OnProgress | None = None) -> tuple[bytes, int]:
    """The export file's content, and how many statements it holds.

    JSON holds every revision and re-imports as it was; CSV holds the latest
    revision of each statement. ``on_progress`` hears the statements written
    so far, of all of them.
    """
    statements = histories(revisions)
    if kind == "json":
        # One statement a line, unindented: still one JSON array, a fifth smaller than the
        # indented one, and a statement is one line to grep or diff.
        # Each line goes into the buffer as it is made: orjson gives each result ~8 KB of
        # memory whatever its length, so 100,000 of them held for a join took 800 MB; and
        # BytesIO hands its buffer over without a copy.
        payload = _json_export(statements, orjson.dumps, on_progress)
        if not json_is_clean(payload):  # a hand edit put control characters in the store: written again, cleaned
            payload = _json_export(statements, clean_json, on_progress)
    else:
        buffer = io.StringIO()
        rows = [statement_row(revs[-1]) for revs in reported(statements, on_progress, len(statements))]
        write_csv(STATEMENT_COLUMNS, rows, buffer)
        payload = buffer.getvalue().encode()
    return payload, len(statements)
