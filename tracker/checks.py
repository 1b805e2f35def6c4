"""``tracker check``: every problem in a store file, listed, never raised one at a time.

Works on the parsed file's documents (``storage.schema``), not through the
Store, so that it can describe a file the Store refuses to load.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .dates import is_instant
from .errors import SHOWN, InputError, StoreError
from .model import SCHEMA, Codebook, Issue, Party, Statement, sanitise
from .storage.files import stale_temps
from .storage.lock import held_now
from .storage.schema import Tables, duplicate_keys, in_order, parse_tables


def find_problems(path: Path) -> tuple[list[str], str]:
    """(problems, one-line summary) for the store at ``path``; StoreError if it is no store at all.

    A file that cannot be read as a store (empty, truncated, not JSON, no tables, a newer schema)
    is unusable, as every other command says with exit 2, not a store with problems (exit 1): it
    is the StoreError, the one line naming the file and what is wrong.
    """
    if not path.exists():
        raise StoreError(f"no store at {path}: create one with `tracker init`")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None
    tables = parse_tables(raw, path, allow_duplicates=True)  # conflict markers too: parse_tables says how
    problems, summary = table_problems(tables)
    duplicates = duplicate_problems(raw, tables)
    if duplicates:
        problems = duplicates + problems
        summary = f"{summary.rpartition(': ')[0]}: {len(problems)} problem(s)"
    return problems, summary + "".join(f"; {note}" for note in leftover_temp_notes(path))


def duplicate_problems(raw: bytes, tables: Tables) -> list[str]:
    """A key the file holds twice in one object: every command refuses the file, as any JSON reader
    would keep only the last (``tables``, parsed from ``raw``, hold only that one)."""
    found = duplicate_keys(raw, tables)
    return [f"{duplicate} (a hand-resolved merge?): only the last is read; keep one" for duplicate in found]


def leftover_temp_notes(path: Path) -> list[str]:
    """Temp files an interrupted write left beside the store, for the summary.

    A note, not a problem: the store is whole without them (that is what the
    temp file is for) and the next write removes them. None while a writer
    holds the lock: the temp file is then most likely its own, being written.
    """
    real = Path(os.path.realpath(path))  # temp files are made beside a link's target
    temps = stale_temps(real)
    if not temps or held_now(f"{real}.lock"):
        return []
    return [
        f"leftover temp file {temp.name} from an interrupted write (harmless: the next write removes it)"
        for temp in sorted(temps)
    ]


def _codes(tables: Tables, problems: list[str]) -> Codebook:
    parties: list[Party] = []
    issues: list[Issue] = []
    for kind, table, cls, into in (
        ("party", "parties", Party, parties),
        ("issue", "issues", Issue, issues),
    ):
        seen: set[str] = set()
        for doc in in_order(tables[table]):
            try:
                item: Any = cls.from_json(doc)
            except InputError as error:
                problems.append(f"{kind} {doc.get('id')!r}: {error}")
                continue
            problems.extend(item.problems())
            if item.id in seen:
                problems.append(f"duplicate {kind} id {item.id!r}")
            seen.add(item.id)
            into.append(item)
    return Codebook(tuple(parties), tuple(issues))


def table_problems(tables: Tables) -> tuple[list[str], str]:
    """Every problem in already-parsed tables."""
    problems: list[str] = []
    meta = next(iter(tables["meta"].values()))
    if meta.get("schema") != SCHEMA:
        problems.append(f"schema {meta.get('schema')} is not {SCHEMA}")
    book = _codes(tables, problems)
    revisions: dict[str, list[int]] = defaultdict(list)
    for key, doc in tables["statements"].items():
        where = statement_label(key, doc)
        try:
            statement = Statement.from_json(doc)
        except InputError as error:
            problems.append(f"{where}: {error}")
            continue
        if not statement.id:
            problems.append(f"{where}: no id")
        else:
            revisions[statement.id].append(statement.rev)
        if not statement.recorded_at:
            problems.append(f"{where}: no recorded_at")
        elif not is_instant(statement.recorded_at):
            problems.append(
                f"{where}: recorded_at {statement.recorded_at!r} is not a UTC instant like 2025-03-01T10:00:00.000000Z"
            )
        problems.extend(f"{where}: {problem}" for problem in statement.problems(book))
        problems.extend(f"{where}: {problem}" for problem in text_problems(statement))
    for statement_id, revs in revisions.items():
        duplicates = sorted({r for r in revs if revs.count(r) > 1})
        if duplicates:
            problems.append(f"statement {statement_id}: duplicate revision(s) {duplicates}")
        elif sorted(revs) != list(range(1, len(revs) + 1)):
            problems.append(f"statement {statement_id}: broken revision chain {sorted(revs)} (expected 1..{len(revs)})")
    summary = (
        f"{len(revisions)} statements, {len(tables['statements'])} revisions, "
        f"{len(book.parties)} parties, {len(book.issues)} issues: "
        + ("no problems" if not problems else f"{len(problems)} problem(s)")
    )
    return problems, summary


def statement_label(key: str, doc: Mapping[str, Any]) -> str:
    """How ``check`` names a statement document: ``statement <id> rev <n>``, else by its key in the table.

    The id as a hand edit left it may hold an escape sequence or a page of text:
    it is named cleaned and cut, so the report itself is safe to print (the id's
    problem is reported on its own, by ``Statement.field_problems``).
    """
    statement_id, rev = doc.get("id"), doc.get("rev", "?")
    name = sanitise(statement_id) if isinstance(statement_id, str) else ""
    if len(name) > SHOWN:
        name = name[: SHOWN - 1] + "…"
    return f"statement {name or f'(document {key}, no id)'} rev {sanitise(str(rev))[:SHOWN]}"


_TEXT_FIELDS = (
    "summary", "quote", "speaker", "note", "conditions", "tags", "source", "corroborated_by", "recorded_by", "reason",
)  # fmt: skip
"""A revision's free-text fields, as ``check`` names them."""


def text_problems(statement: Statement) -> list[str]:
    """Which of a revision's text fields hold control characters or escape sequences, if any.

    Tracker removes them on the way in (``Statement.sanitised``), ``recorded_by``
    (``$TRACKER_USER``) included, so these came from a hand edit or another tool.
    """
    clean = statement.sanitised()
    if clean == statement:
        return []
    fields = [name for name in _TEXT_FIELDS if getattr(clean, name) != getattr(statement, name)]
    return [f"{', '.join(fields)}: control characters or escape sequences (not written by tracker)"]
