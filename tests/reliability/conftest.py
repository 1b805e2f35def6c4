"""Shared helpers for the reliability suite: real processes, real files, real faults."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tracker.store import Store, default_tables

HERE = Path(__file__).parent
WORKERS = HERE / "workers.py"
TRACKER = Path(sys.executable).parent / "tracker"


def fault_loops(default: int = 15) -> int:
    """How many times a fault loop runs: ``$TRACKER_FAULT_LOOPS`` (e.g. 500 before a release), else ``default``."""
    raw = os.environ.get("TRACKER_FAULT_LOOPS", "")
    return int(raw) if raw.strip() else default


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's (the autouse fixture has isolated it), plus ``extra``."""
    env = dict(os.environ)
    env.pop("TRACKER_DB", None)
    env.update(extra)
    return env


def tracker(*args: str, db: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``tracker`` console script on ``db``, as an analyst would."""
    return subprocess.run(
        [str(TRACKER), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(**env),
    )


def worker(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start ``workers.py ARGS`` in a new process; its stdout is a pipe of one-line events."""
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(**env),
    )


def wait_for(process: subprocess.Popen[str], word: str) -> str:
    """Read the worker's events until one starts with ``word``; fail if it exits first."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(word):
            return line.strip()
    process.wait(10)
    stderr = process.stderr.read() if process.stderr else ""
    raise AssertionError(f"worker exited {process.returncode} before {word!r}: {stderr[-2000:]}")


def added_ids(output: str) -> list[str]:
    """The ids a worker printed: every ``add`` that had returned."""
    return [line.split()[1] for line in output.splitlines() if line.startswith("added ")]


def stored_ids(path: Path) -> set[str]:
    """Statement ids in the file, read the way any program would (no tracker code)."""
    data = orjson.loads(path.read_bytes())
    return {doc["id"] for doc in data["statements"].values()}


def assert_healthy(path: Path) -> None:
    """The file parses, loads as a store, and ``tracker check`` (a separate process) finds no problem."""
    orjson.loads(path.read_bytes())
    Store(path).revisions()
    done = tracker("check", db=path)
    assert done.returncode == 0, done.stdout + done.stderr


def error_lines(stderr: str) -> list[str]:
    """The lines of stderr that carry an error: ``tracker: error: ...`` or click's ``Error: ...``."""
    return [line for line in stderr.splitlines() if line.startswith(("tracker: error:", "Error:"))]


def assert_one_clear_error(stderr: str, *words: str) -> str:
    """Exactly one error line (click's usage hint around it is allowed), no traceback; it names ``words``."""
    assert "Traceback" not in stderr, stderr
    found = error_lines(stderr)
    assert len(found) == 1, f"expected one error line, got: {stderr!r}"
    others = [line for line in stderr.splitlines() if line.strip() and line not in found]
    assert all(line.startswith(("Usage:", "Try ")) for line in others), stderr
    for word in words:
        assert word in found[0], f"{word!r} not in {found[0]!r}"
    return found[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (not the lock file, which is never removed), with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A new store with the default codebook, alone in its own folder."""
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "positions.json"
    Store.create(path, default_tables("Reliability"))
    return path


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started; any still running at the end are killed, so none outlives its test."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
