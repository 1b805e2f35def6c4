"""The file's layout: its tables, how it is parsed, checked and written, and how old ones migrate.

A store is one JSON object of tables (``meta``, ``parties``, ``issues``,
``statements``, ``feeds``, ``inbox``); each table maps TinyDB's document ids
(integers as text) to documents. ``meta`` holds the schema number; a store of
an older schema is migrated on its first write, after a backup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from .. import codebook as default_codebook
from ..errors import StoreError
from ..model import SCHEMA, Issue, Party, codebook_from_tables, sanitise

Tables = dict[str, dict[str, Any]]
"""A parsed store: table name to {document id: document}."""

TABLES = ("meta", "parties", "issues", "statements", "feeds", "inbox")
"""The tables of the current schema; a parsed file has every one (empty if the file lacks it)."""

_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def dump_tables(data: Mapping[str, Any]) -> bytes:
    """The file's bytes: sorted keys and indentation, so git diffs stay readable."""
    return orjson.dumps(data, option=_DUMP_OPTIONS)


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


def keyed_in_order(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(document id, document) pairs in the order they were added (the ids are TinyDB's integers, as text)."""
    return [(k, table[k]) for k in sorted(table, key=lambda k: int(k) if k.isdigit() else 0)]


def in_order(table: Mapping[str, Any]) -> list[Any]:
    """A table's documents in the order they were added."""
    return [doc for _, doc in keyed_in_order(table)]


# -- migrations ---------------------------------------------------------------------


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


# -- new stores ---------------------------------------------------------------------


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
