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

from .errors import InputError
from .formats import STATEMENT_COLUMNS, csv_list, statement_row, write_csv
from .model import Statement
from .store import new_statement_id

FORMATS = ("json", "csv")

ImportRow = tuple[str, Any]
"""Where a record came from ("line 4", "item 2"), and the record as read."""


def file_format(path: Path | None, given: str | None) -> str:
    """The format named by ``--format``, else by the file's extension."""
    chosen = (given or (path.suffix.lstrip(".") if path else "json")).lower()
    if chosen in FORMATS:
        return chosen
    if given:
        raise InputError("--format must be json or csv")
    raise InputError(f"cannot tell the format of {path}: use a .json or .csv file, or --format json|csv")


def read_records(file: Path, kind: str) -> Iterable[ImportRow]:
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
"""JSON's whitespace, before the ``[`` that lets a file be read at full speed."""
_CHUNK = 1 << 16
"""What ijson reads at a time (its own default)."""


def _json_records(file: Path, handle: BinaryIO) -> Iterator[ImportRow]:
    """The items of the file's top-level JSON array, parsed one at a time by ijson.

    Streamed, whatever the layout and from pipes too: at 100,000 statements,
    parsing the whole file at once took three times the memory ``json.load``
    needs for the store (benchmarks/README.md).
    """
    import ijson  # type: ignore[import-untyped]  # here: export and CSV imports have no use for it

    parser = _c_parser(ijson)
    count = 0
    try:
        with handle:
            start = b""
            while not start and (chunk := handle.read(_CHUNK)):
                start = chunk.lstrip(_JSON_SPACE)
            source = _Reread(start, handle)
            if start.startswith(b"["):
                items = parser.items(source, "item", use_float=True)  # floats, as json.load gives: never Decimal
            else:
                # Not an array, or not JSON: the first event tells which. Only here, as items() fed
                # parse()'s events goes through Python for each event and reads at half the speed.
                # The check matters: "item" is also the prefix of an object's member of that name.
                events = parser.parse(source, use_float=True)
                if next(events, (None, None, None))[1] != "start_array":
                    raise InputError(f"{file}: expected a JSON array of statements")
                items = parser.items(events, "item")
            for count, item in enumerate(items, 1):
                yield f"item {count}", item
    except (ijson.JSONError, UnicodeDecodeError) as error:  # the latter from the pure-Python backend
        raise InputError(f"{file}: not valid JSON ({_one_line(error, count)})") from None
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None


class _Reread:
    """A file whose first bytes, read to see how it starts, are read again."""

    def __init__(self, start: bytes, rest: BinaryIO) -> None:
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


def _one_line(error: Exception, count: int) -> str:
    """ijson's reason, without the C parser's excerpt and caret lines, and how far the file was good."""
    reason = str(error)
    if len(error.args) == 1 and isinstance(error.args[0], bytes):  # the C parser's on invalid UTF-8
        reason = error.args[0].decode("utf-8", "replace")
    lines = reason.strip().splitlines()
    where = f"after item {count}" if count else "before the first item"
    return f"{lines[0].rstrip('.') if lines else type(error).__name__}, {where}"


def _csv_records(text: str) -> Iterator[ImportRow]:
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
        # indented one, and a statement is one line to grep or diff.
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
        write_csv(STATEMENT_COLUMNS, [statement_row(revs[-1]) for revs in statements], buffer)
        payload = buffer.getvalue().encode()
    return payload, len(statements)
