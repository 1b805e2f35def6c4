"""Shared fixtures: real store files in a temp folder, and the CLI run in-process through click's CliRunner.

Helpers the tests share live in ``tests/helpers.py``; this file keeps only fixtures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

pytest.register_assert_rewrite("tests.helpers")  # its asserts report like the tests' own

from tests.helpers import BUNDLED, Invoke  # noqa: E402
from tracker.cli import app  # noqa: E402
from tracker.store import Store, default_tables  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's store, user name or terminal colours."""
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A copy of the bundled 2025 record."""
    path = tmp_path / "demo.json"
    shutil.copyfile(BUNDLED, path)
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A new, empty store with the default codebook."""
    path = tmp_path / "positions.json"
    Store.create(path, default_tables("Test store"))
    return path


@pytest.fixture
def store(store_path: Path) -> Store:
    """The empty store at ``store_path``, opened."""
    return Store(store_path)


@pytest.fixture
def invoke() -> Invoke:
    """Run ``tracker ARGS`` in-process; ``db=`` adds ``--db``."""
    runner = CliRunner()

    def run(*args: str, db: Path | None = None, input: str | None = None) -> Result:
        full = (["--db", str(db)] if db else []) + list(args)
        return runner.invoke(app, full, input=input, catch_exceptions=False)

    return run
