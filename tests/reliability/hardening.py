"""Helpers for the hardening tests (issue 12): hand-written store files and the CLI run with extra controls.

Stores are edited as bytes and plain JSON, the way a hand edit, a git merge or
another tool leaves them, never through tracker's own code, so that these
tests say what a user sees whatever the package's layout.
"""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from tests.helpers import TRACKER, child_env, error_lines

ADD = ("add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01")
"""A valid ``tracker add``."""

GIGABYTES_2 = 2 << 30


def limit_memory(limit: int = GIGABYTES_2) -> Callable[[], None]:
    """A ``preexec_fn`` capping the child's address space, so a blow-up is a MemoryError, not the machine's."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run(
    *args: str,
    db: Path,
    timeout: float = 60,
    input: str | bytes | None = None,
    preexec_fn: Callable[[], None] | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """``tracker --db DB ARGS`` as a subprocess, like ``helpers.tracker`` but with stdin and a preexec hook."""
    return subprocess.run(
        [str(TRACKER), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input.decode() if isinstance(input, bytes) else input,
        env=child_env(**env),
        preexec_fn=preexec_fn,
    )


def one_error_line(stderr: str) -> str:
    """The single error line of a refused command (no traceback); fails otherwise."""
    assert "Traceback" not in stderr, stderr[-3000:]
    found = error_lines(stderr)
    assert len(found) == 1, f"expected one error line, got: {stderr[-3000:]!r}"
    return found[0]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def save(path: Path, tables: dict[str, Any]) -> None:
    """Write tables as a hand edit would: plain indented JSON, no lock, no temp file."""
    path.write_bytes(orjson.dumps(tables, option=orjson.OPT_INDENT_2))


def added(db: Path, *extra: str, **env: str) -> dict[str, Any]:
    """``tracker add`` (valid) through the CLI; returns the stored revision as ``--format json`` prints it."""
    done = run(*ADD, *extra, "--format", "json", db=db, timeout=60, input=None, preexec_fn=None, **env)
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = orjson.loads(done.stdout)
    return doc


def statement_doc(statement_id: str = "st_01JQ0000000000000000000000", **fields: Any) -> dict[str, Any]:
    """A statement document in the exact shape the store writes, with ``fields`` changed."""
    doc: dict[str, Any] = {
        "id": statement_id,
        "rev": 1,
        "party": "usa",
        "issue": "nato",
        "stance": "not-now",
        "stated_on": "2025-04-01",
        "summary": "",
        "quote": "",
        "speaker": "",
        "channel": "official",
        "conditions": [],
        "source": {"url": "", "title": "", "outlet": "", "published": ""},
        "grade": "",
        "tags": [],
        "note": "",
        "recorded_at": "2025-04-01T10:00:00.000000Z",
        "recorded_by": "tester",
        "retracted": False,
        "reason": "",
        "withdrawn_on": "",
    }
    doc.update(fields)
    return doc


def with_statements(path: Path, *docs: dict[str, Any]) -> None:
    """Append statement documents to the store at ``path`` by hand (TinyDB keys continue from the last)."""
    tables = load(path)
    table = tables["statements"]
    start = max((int(k) for k in table), default=0)
    for n, doc in enumerate(docs, start + 1):
        table[str(n)] = doc
    save(path, tables)


def files_in(folder: Path) -> list[str]:
    """Every name in ``folder``, links and dot files included."""
    return sorted(os.listdir(folder))


def mode_of(path: Path) -> int:
    return os.lstat(path).st_mode & 0o777
