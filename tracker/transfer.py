"""Moving statements in and out of a store: the files ``import`` reads and ``export`` writes.

Pure of the CLI: the commands pass paths and formats in and get records or
bytes back, so the same code serves scripts and tests.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from ._gc import gc_paused
from .errors import InputError
from .model import Statement
from .render import STATEMENT_COLUMNS, Format, View, csv_list, emit, json_bytes, statement_row
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


def read_records(file: Path, kind: str) -> list[Record]:
    """Every record of an import file, parsed but not yet checked against the store."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror}") from None
    if kind == "csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{file}: not UTF-8 text") from None
        return list(_csv_records(text))
    try:
        with gc_paused():  # a large import parses several times faster without cycle scans
            items = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{file}: not valid JSON ({error})") from None
    if not isinstance(items, list):
        raise InputError(f"{file}: expected a JSON array of statements")
    return [(f"item {n}", item) for n, item in enumerate(items, 1)]


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
        payload = json_bytes([{**revs[-1].as_json(), "revisions": [r.as_json() for r in revs]} for revs in statements])
    else:
        buffer = io.StringIO()
        emit(View(None, STATEMENT_COLUMNS, [statement_row(revs[-1]) for revs in statements]), Format.csv, buffer)
        payload = buffer.getvalue().encode()
    return payload, len(statements)
