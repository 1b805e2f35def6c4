"""The file's layout: its tables, how it is parsed, checked and written, and how old ones migrate.

A store is one JSON object of tables (``meta``, ``parties``, ``issues``,
``statements``, ``feeds``, ``inbox``); each table maps TinyDB's document ids
(integers as text) to documents. ``meta`` holds the schema number; a store of
an older schema is migrated on its first write, after a backup.

A key that appears twice in one object (two ``"35"`` documents, as a
hand-resolved git merge leaves them) is refused: every JSON reader keeps only
the last, so the first would be dropped silently by the next write.
"""

from __future__ import annotations

import re
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


def parse_tables(raw: bytes, path: Path, *, allow_duplicates: bool = False) -> Tables:
    """Parse and shape-check a store file; every failure names the file and the problem.

    A duplicated key is one (see :func:`duplicate_keys`), unless ``allow_duplicates``:
    ``tracker check``, which lists them with the rest.
    """
    if not raw or raw.isspace():  # not raw.strip(): that copies the whole file
        raise StoreError(f"{path}: the file is empty (not a tracker store)")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        refuse_conflict_markers(raw, path)
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
    if not allow_duplicates and (duplicates := duplicate_keys(raw, data)):
        more = f" (and {len(duplicates) - 1} more)" if len(duplicates) > 1 else ""
        raise StoreError(
            f"{path}: {duplicates[0]}{more} (a hand-resolved merge?): a JSON reader keeps only the last, "
            "so the others would be lost; edit the file to keep one (`tracker check` lists them)"
        )
    return data


# -- a text merge's conflict markers --------------------------------------------------

_MARKERS = (re.compile(rb"^<{7}(?: |$)", re.MULTILINE), re.compile(rb"^>{7}(?: |$)", re.MULTILINE))
"""The lines git's text merge opens and closes a conflicting hunk with (``<<<<<<< HEAD``, ``>>>>>>> branch``).
JSON strings hold no raw newline, so a file tracker wrote never has such a line."""


def refuse_conflict_markers(raw: bytes, path: Path) -> None:
    """StoreError saying how to recover if ``raw`` holds git's conflict markers.

    Git merges the file as text, with markers, on a clone where tracker's merge
    driver is not configured (the ``.gitattributes`` line alone does not run
    it). Then every command says what happened and what to do, instead of
    "not valid JSON": ``git checkout -m`` re-runs the merge of that one file,
    with the driver once ``tracker git setup`` has configured it.
    """
    if all(marker.search(raw) for marker in _MARKERS):
        raise StoreError(
            f"{path}: git left merge conflict markers in it (it was merged as text, without tracker's merge "
            f"driver): run `tracker git setup`, then `git checkout -m {path}` to merge it again with the driver, "
            f"then `git add {path}` and commit"
        )


# -- duplicate keys -------------------------------------------------------------------

_DOCUMENT_OPENS = b'": {\n      "'
"""In the layout :func:`dump_tables` writes (two-space indent), how every document that is not empty
opens: its key on a line of its own, then its first field on a line indented six spaces (a nested
object's fields are indented eight). JSON strings hold no raw newline, so this matches nothing
inside one."""

_KEY_SHOWN = 40
"""Characters of a duplicated key a message shows."""


def duplicate_keys(raw: bytes, tables: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every key the file ``raw`` holds twice in one object, described (``duplicate key "35" in table
    statements``); empty if none found. ``tables`` is ``raw`` parsed (with only the last of each key).

    Cheap enough for the read path of every command: in the layout tracker
    writes, every document opens on a line of its own, so the number of
    openings (one C-level pass over the bytes: 0.08 s of CPU for the 150 MB
    file of 100,000 statements, which takes 0.7 s to parse) equals the number
    of documents parsed unless a key was repeated: a second document ``"35"``
    (counted, not kept), or a second table of documents. Only if the two
    differ (a duplicate, or a file not in that layout: hand-written, compact)
    is the file read again, slowly and exactly, to name every duplicate, at
    any depth. In tracker's layout a field repeated inside one document (a
    merge of two edits of one inbox candidate) is not counted, so not found:
    statements are never edited in place, so a merge cannot repeat theirs.
    """
    opened = raw.count(_DOCUMENT_OPENS)
    if opened == sum(map(len, tables.values())):
        return []
    if opened == sum(sum(map(bool, table.values())) for table in tables.values()):  # an empty one opens as {}
        return []
    return _duplicates_exactly(raw)


def _duplicates_exactly(raw: bytes) -> list[str]:
    """Every duplicated key, found by reading the file with the standard json module, which shows each
    object's keys in order (orjson keeps the last of each)."""
    import json  # only for a file that is not in the usual layout, or has a duplicate

    found: list[tuple[str, dict[str, Any]]] = []  # (the key, the object it is repeated in): kept alive

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(items)
        if len(made) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    found.append((key, made))
                seen.add(key)
        return made

    try:
        top = json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # orjson read it; one that json cannot is not ours to judge
        return []
    where: dict[int, str] = {id(top): "at the top of the file (a table)"}
    if isinstance(top, dict):
        for name, table in top.items():
            where[id(table)] = f"in table {name}"
            if isinstance(table, dict):
                for key, doc in table.items():
                    where[id(doc)] = f"in document {key} of table {name}"
                    for inner in _objects_in(doc):
                        where.setdefault(id(inner), f"inside document {key} of table {name}")
    return [f"duplicate key {_quoted(key)} {where.get(id(made), 'in a value that was dropped')}" for key, made in found]


def _objects_in(value: Any) -> list[dict[str, Any]]:
    """The objects nested in ``value`` (not ``value`` itself)."""
    found: list[dict[str, Any]] = []
    stack = list(value.values()) if isinstance(value, dict) else []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _quoted(key: str) -> str:
    shown = sanitise(key)
    return '"' + (shown if len(shown) <= _KEY_SHOWN else shown[: _KEY_SHOWN - 1] + "…") + '"'


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
