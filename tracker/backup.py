"""Full backup and restore: ``tracker export --all`` writes every table of a store to one file, and
``tracker import --all FILE`` (``tracker restore FILE``) rebuilds the store from it.

The file, backup format 1, is one JSON object with its members in this order,
one document a line::

    {"tracker_backup": 1,
    "meta": [
    {"key": "1", "document": {"policy": {"min_grade": "C3", "window_days": 7}, "schema": 1, "title": "…"}}
    ],
    "parties": [
    {"key": "1", "document": {"aliases": ["Putin", …], "color": "red", "id": "russia", "name": "Russia"}},
    …
    ],
    "issues": […],
    "statements": [… every revision, with its record time and who recorded it …],
    "feeds": […],
    "inbox": […]
    }

``tracker_backup`` is the format's number: a reader refuses a newer one. Each
table is the list of its documents in the order they were added, each as stored
(keys sorted) with its key in the table: the document id ``positions.json`` is
keyed by, which is what makes a restore write the same ``positions.json``, byte
for byte, as the store backed up (as tracker writes it; a hand edit's layout is
not kept). A table the store holds beyond these (another tool's) follows them,
by name. One store always gives the same bytes: nothing in the file says when
it was written.

Both ways go through :func:`prepared`: text cleaned as every import cleans it,
and the rules of the store and of ``tracker check`` applied to the whole, the
statements against the backup's own codebook. ``export --all`` writes no
backup that would not restore, and ``import --all`` refuses a backup that does
not pass before the store is touched.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from .checks import table_problems
from .errors import InputError, shown
from .evidence import Policy
from .formats import json_is_clean, without_controls_in
from .inbox_model import Candidate
from .model import ID_RE, SCHEMA, Statement
from .storage.schema import TABLES, Tables, keyed_in_order, migrate_tables, schema_of
from .transfer import OnProgress, read_members, reported

MARKER = "tracker_backup"
"""The member that makes a JSON object a backup; its value is the format's number."""
FORMAT = 1
"""The backup format this tracker writes and reads."""

_SORTED = orjson.OPT_SORT_KEYS


def table_names(tables: Mapping[str, Any]) -> list[str]:
    """The order a backup holds a store's tables in: the store's own, then any other, by name."""
    return [*TABLES, *sorted(set(tables) - set(TABLES))]


def backup_bytes(tables: Mapping[str, Mapping[str, Any]], on_progress: OnProgress | None = None) -> bytes:
    """The backup file of a store's ``tables`` (see the module's notes), from :func:`prepared` tables.

    Written as it is made, a line at a time, into one buffer: as ``export``
    does, so memory grows with the file and not with a copy of each document.
    ``on_progress`` hears the documents written so far, of every table's.
    """
    out = io.BytesIO()
    out.write(b'{"%s": %d' % (MARKER.encode(), FORMAT))
    total, done = sum(len(table) for table in tables.values()), 0
    for name in table_names(tables):
        table = tables.get(name, {})
        out.write(b",\n" + orjson.dumps(name) + b": [")
        for n, (key, document) in enumerate(reported(keyed_in_order(table), on_progress, total, done)):
            out.write(b"\n" if n == 0 else b",\n")
            out.write(
                b'{"key": ' + orjson.dumps(key) + b', "document": ' + orjson.dumps(document, option=_SORTED) + b"}"
            )
        out.write(b"\n]" if table else b"]")
        done += len(table)
    out.write(b"\n}\n")
    return out.getvalue()


def read_backup(
    file: Path, on_progress: OnProgress | None = None, on_checking: Callable[[], None] | None = None
) -> Tables:
    """The store a backup file holds, as tables ready to write: read with the import's bounds
    (``transfer.read_members``), cleaned and checked (:func:`prepared`).

    Anything wrong is one InputError naming the file and the first problem (and
    how many more there are); nothing is written before this returns.
    ``on_progress`` hears the bytes read (as ``read_members`` tells them), and
    ``on_checking`` when the file is read and its check begins.
    """
    members = list(read_members(file, on_progress))
    if on_checking is not None:
        on_checking()
    try:
        tables = _tables(members)
        tables, problems = prepared(tables, file)
    except InputError as error:
        raise InputError(f"{file}: {error}; nothing was imported") from None
    if problems:
        raise InputError(f"{file}: {first_problem(problems)}; nothing was imported")
    return tables


def first_problem(problems: list[str]) -> str:
    """The first of ``problems``, and how many more there are: one line for a refusal."""
    more = len(problems) - 1
    return problems[0] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def _tables(members: Iterable[tuple[str, Any]]) -> Tables:
    """A backup's members as a store's tables, their shape checked (format, entries, keys, meta)."""
    found: dict[str, Any] = {}
    for name, value in members:
        if name in found:
            raise InputError(f"{shown(name)} appears twice (a JSON reader would keep only the last)")
        found[name] = value
    if MARKER not in found:
        raise InputError(
            f'not a tracker backup (no "{MARKER}" format number, as `tracker export --all` writes); '
            "statements from `tracker export` are imported without --all"
        )
    version = found.pop(MARKER)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"its {MARKER} format number is {shown(version)}, not one tracker writes (1 or more)")
    if version > FORMAT:
        raise InputError(
            f"written by a newer tracker (backup format {version}, this one reads {FORMAT}); upgrade tracker"
        )
    tables: Tables = {}
    for name, entries in found.items():
        if not ID_RE.match(name):
            raise InputError(f"{shown(name)} is not a table's name (lower-case letters, digits, - or _)")
        tables[name] = _table(name, entries)
    for name in TABLES:
        tables.setdefault(name, {})
    meta = list(tables["meta"].values())
    if len(meta) != 1:
        raise InputError(f"meta must hold one document (the store's schema and title), not {len(meta)}")
    schema = meta[0].get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise InputError("meta has no schema number")
    if schema > SCHEMA:
        raise InputError(f"written by a newer tracker (schema {schema}, this one reads {SCHEMA}); upgrade tracker")
    return tables


def _table(name: str, entries: Any) -> dict[str, Any]:
    """One section of a backup as a table: {key: document}, each key a document id, none twice."""
    if not isinstance(entries, list):
        raise InputError(f"{name} must be a list of entries, not {type(entries).__name__}")
    table: dict[str, Any] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{name} entry {n}"
        if not isinstance(entry, dict):
            raise InputError(f"{where} must be an object with a key and a document")
        key, document = entry.get("key"), entry.get("document")
        # The store's documents are TinyDB's, whose ids are whole numbers: "007" would be read as 7.
        if not isinstance(key, str) or not (key.isascii() and key.isdigit()) or str(int(key)) != key:
            raise InputError(f"{where}: key {shown(key)} is not a document id (a whole number, as text)")
        if not isinstance(document, dict):
            raise InputError(f"{where}: document must be an object")
        if key in table:
            raise InputError(f"{where}: key {key!r} appears twice in {name} (the first would be lost)")
        table[key] = document
    return table


def prepared(tables: Tables, where: Path) -> tuple[Tables, list[str]]:
    """``tables`` as a backup carries them: migrated to this schema if older, text cleaned as every
    import cleans it, and every problem ``tracker check`` would find, with the inbox's and the policy's.

    A store whose text is clean (every store tracker wrote) comes back as it
    is, so that a restore writes the same bytes.
    """
    if schema_of(tables) < SCHEMA:
        tables = migrate_tables(tables, where)
    tables = {name: _cleaned(name, table) for name, table in tables.items()}
    problems, _ = table_problems(tables)
    meta = next(iter(tables["meta"].values()))
    try:
        Policy.from_json(meta.get("policy"))
    except InputError as error:
        problems.append(f"meta: {error}")
    for key, document in tables["inbox"].items():
        try:
            Candidate.from_json(document)
        except InputError as error:
            problems.append(f"inbox document {key}: {error}")
    return tables, problems


def _cleaned(name: str, table: dict[str, Any]) -> dict[str, Any]:
    """A table with its text cleaned: statements as an import cleans them (``Statement.sanitised``),
    other documents of control characters and escapes. The table itself when nothing changes."""
    if name == "statements":
        cleaned = {key: _cleaned_statement(document) for key, document in table.items()}
        return table if all(cleaned[key] is table[key] for key in table) else cleaned
    if json_is_clean(orjson.dumps(table)):  # the usual case: one C pass over the table
        return table
    cleaned_table: dict[str, Any] = without_controls_in(table)
    return cleaned_table


def _cleaned_statement(document: dict[str, Any]) -> dict[str, Any]:
    try:
        statement = Statement.from_json(document)
    except InputError:
        return document  # not a statement: table_problems names it
    clean = statement.sanitised()
    return document if clean is statement else {**document, **clean.as_json()}
