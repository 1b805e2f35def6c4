"""Moving statements in and out of a store: the files ``import`` reads and ``export`` writes.

Pure of the CLI: the commands pass paths and formats in and get records or
bytes back, so the same code serves scripts and tests.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ._gc import gc_paused
from .errors import InputError
from .model import Statement
from .render import STATEMENT_COLUMNS, Format, View, csv_list, emit, statement_row
from .store import new_statement_id

FORMATS = ("json", "csv")

Record = tuple[str, Any]
"""Where a record came from ("line 4", "item 2"), and the record as read."""


def file_format(path: Path | None, given: str | None) -> str:
    """The format named by ``--format``, else by the file's extension."""
    chosen = (given or (path.suffix.lstrip(".") if path else "json")).lower()
    if chosen in FORMATS:
        return chosen
    if given:
        raise InputError("--format must be json or csv")
    raise InputError(f"cannot tell the format of {path}: use a .json or .csv file, or --format json|csv")


def read_records(file: Path, kind: str) -> Iterable[Record]:
    """Every record of an import file, parsed but not yet checked against the store.

    A JSON file is read as the records are asked for (see :func:`_json_records`),
    so a large one is never all in memory as parsed objects at once; a file
    that cannot be opened is refused here, before the store is touched.
    """
    if kind == "csv":
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read {file}: {error.strerror}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{file}: not UTF-8 text") from None
        return list(_csv_records(text))
    try:
        handle = file.open("rb")
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None
    return _json_records(file, handle)


_JSON_SPACE = b" \t\r\n"
"""JSON's whitespace: not ``bytes.strip()``'s, which also takes form feeds that JSON refuses."""
_CHUNK = 1 << 23


class _OffLayout(Exception):
    """The file is not laid out one statement per line (or pretty-printed): parse it whole."""


def _json_records(file: Path, handle: BinaryIO) -> Iterator[Record]:
    """The items of a JSON array, read a statement at a time when the layout allows.

    ``export`` writes ``[``, then one statement per line, then ``]``; older
    versions (and ``json.dumps(indent=...)``) wrote each statement over many
    lines, closed by a ``}`` at the indentation of its ``{``. Both are read a
    statement at a time: at 100,000 statements, parsing the whole file at once
    took three times the memory ``json.load`` needs for the store
    (benchmarks/README.md). Each piece is parsed by orjson on its own and must
    be exactly one value, and the commas and brackets between pieces are
    checked, so what is read this way is what parsing the whole file gives.
    At any other layout, or anything odd (invalid JSON included), the file is
    parsed whole, as before, and the rest of the records come from that: the
    same records, the same error messages.
    """
    count = 0
    try:
        with handle:
            if handle.seekable():  # a pipe cannot be read again from the start: it is read whole
                try:
                    for count, item in enumerate(_items_by_line(_Window(handle)), 1):
                        yield f"item {count}", item
                    return
                except _OffLayout:
                    pass
                handle.seek(0)
            raw = handle.read()
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None
    items = _json_array(raw, file)
    del raw  # the parsed items are what is needed from here on
    items.reverse()  # popped from the end, each item goes once the store has what it needs of it
    del items[len(items) - count :]  # the ones already given
    while items:
        count += 1
        yield f"item {count}", items.pop()


def _json_array(raw: bytes, file: Path) -> list[Any]:
    try:
        with gc_paused():  # a large import parses several times faster without cycle scans
            items = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{file}: not valid JSON ({error})") from None
    if not isinstance(items, list):
        raise InputError(f"{file}: expected a JSON array of statements")
    return items


class _Window:
    """A few megabytes of the file at a time, addressed by offsets in the whole file."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._buffer = b""
        self._base = 0
        """The file offset of ``_buffer[0]``."""
        self._eof = False

    def find(self, needle: bytes, at: int, keep: int) -> int:
        """The offset of ``needle`` at or after ``at``, or -1; reads on as needed, keeping the bytes from ``keep``."""
        while True:
            found = self._buffer.find(needle, at - self._base)
            if found >= 0:
                return found + self._base
            if self._eof:
                return -1
            at = max(at, self._base + len(self._buffer) - len(needle) + 1)  # only what can still match
            chunk = self._handle.read(max(_CHUNK, len(self._buffer)))  # a long line: no quadratic copying
            if chunk:
                self._buffer = self._buffer[keep - self._base :] + chunk
                self._base = keep
            else:
                self._eof = True

    def line_end(self, at: int) -> int:
        """The offset of the newline ending the line at ``at``, or of the end of the file."""
        end = self.find(b"\n", at, at)
        return self._base + len(self._buffer) if end < 0 else end

    def slice(self, start: int, stop: int) -> bytes:
        return self._buffer[start - self._base : stop - self._base]

    def at_end(self, at: int) -> bool:
        return self._eof and at >= self._base + len(self._buffer)


def _items_by_line(window: _Window) -> Iterator[Any]:
    """The items of a file laid out ``[`` / one item per line or block / ``]``; _OffLayout if not."""
    at = 0
    opened = False
    comma: bool | None = None  # did the item before end with a comma? None: no item yet
    while True:
        if window.at_end(at):
            raise _OffLayout  # no closing bracket
        end = window.line_end(at)
        line = window.slice(at, end)
        text = line.strip(_JSON_SPACE)
        if not text:
            at = end + 1
            continue
        if not opened:
            if text != b"[":
                raise _OffLayout
            opened, at = True, end + 1
            continue
        if text == b"]":
            if comma:
                raise _OffLayout  # a trailing comma: invalid, and the whole parse says where
            at = end + 1
            while not window.at_end(at):  # only whitespace may follow
                end = window.line_end(at)
                if window.slice(at, end).strip(_JSON_SPACE):
                    raise _OffLayout
                at = end + 1
            return
        if comma is False or not text.startswith(b"{"):
            raise _OffLayout
        if text == b"{":  # pretty-printed: the item ends at the first "}" as indented as this "{"
            indent = line[: len(line) - len(line.lstrip(b" \t"))]
            close = window.find(b"\n" + indent + b"}", end, at)
            if close < 0:
                raise _OffLayout
            stop = close + len(indent) + 2
            piece = window.slice(at, stop)  # before reading on: the window keeps only from ``stop``
            end = window.line_end(stop)
            tail = window.slice(stop, end).strip(_JSON_SPACE)
        else:
            piece, tail = (text[:-1], b",") if text.endswith(b",") else (text, b"")
        if tail not in (b"", b","):
            raise _OffLayout
        try:
            item = orjson.loads(piece)
        except orjson.JSONDecodeError:
            raise _OffLayout from None
        comma = tail == b","
        yield item
        at = end + 1


def _csv_records(text: str) -> Iterator[Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"party", "issue", "stance", "stated_on"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"line 1: the CSV header lacks {', '.join(sorted(missing))}")
    unknown = set(reader.fieldnames or []) - set(STATEMENT_COLUMNS)
    if unknown:
        raise InputError(f"line 1: unknown column(s) {', '.join(sorted(unknown))}")
    for row in reader:
        if None in row:
            raise InputError(f"line {reader.line_num}: more values than columns")
        record: dict[str, Any] = {}
        source: dict[str, str] = {}
        for key, value in row.items():
            value = value or ""
            if key.startswith("source_"):
                source[key.removeprefix("source_")] = value
            elif key in ("conditions", "tags"):
                record[key] = csv_list(value)
            elif key in ("rev", "recorded_at", "recorded_by", "retracted", "reason", "withdrawn_on"):
                continue  # bookkeeping: an import records new statements
            elif value:
                record[key] = value
        record["source"] = source
        if (row.get("retracted") or "").strip().lower() in ("yes", "true", "1"):
            # A retracted row stays retracted: its history is the statement, then the retraction.
            first = {**record, "id": record.get("id") or new_statement_id(), "rev": 1}
            retraction = {**first, "rev": 2, "retracted": True, "reason": row.get("reason") or "retracted"}
            retraction["withdrawn_on"] = row.get("withdrawn_on") or ""
            record = {"revisions": [first, retraction]}
        yield f"line {reader.line_num}", record


def histories(revisions: Sequence[Statement]) -> list[list[Statement]]:
    """Each statement's revisions in order, statements ordered by their latest date."""
    by_id: dict[str, list[Statement]] = {}
    for revision in sorted(revisions, key=lambda s: (s.id, s.rev)):
        by_id.setdefault(revision.id, []).append(revision)
    return sorted(by_id.values(), key=lambda revs: (revs[-1].stated_on, revs[-1].id))


def export_bytes(revisions: Sequence[Statement], kind: str) -> tuple[bytes, int]:
    """The export file's content, and how many statements it holds.

    JSON holds every revision and re-imports as it was; CSV holds the latest
    revision of each statement.
    """
    statements = histories(revisions)
    if kind == "json":
        # One statement a line, unindented: still one JSON array, a fifth smaller than the
        # indented one, and ``import`` reads it a line at a time (:func:`_json_records`).
        # Each line goes into the buffer as it is made: orjson gives each result ~8 KB of
        # memory whatever its length, so 100,000 of them held for a join took 800 MB; and
        # BytesIO hands its buffer over without a copy.
        out = io.BytesIO()
        out.write(b"[")
        for n, revs in enumerate(statements):
            out.write(b"\n" if n == 0 else b",\n")
            out.write(orjson.dumps({**revs[-1].as_json(), "revisions": [r.as_json() for r in revs]}))
        out.write(b"\n]\n" if statements else b"]\n")
        payload = out.getvalue()
    else:
        buffer = io.StringIO()
        emit(View(None, STATEMENT_COLUMNS, [statement_row(revs[-1]) for revs in statements]), Format.csv, buffer)
        payload = buffer.getvalue().encode()
    return payload, len(statements)
