"""The installed console script, run as an analyst runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import TRACKER


def tracker(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TRACKER), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def assert_clean_failure(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert TRACKER.exists(), f"console script not installed at {TRACKER}"
    work = tmp_path / "work"
    work.mkdir()
    return work


def test_the_console_script_end_to_end(folder: Path) -> None:
    created = tracker("init", "--demo", cwd=folder)
    assert created.returncode == 0, created.stderr
    store = folder / "positions.json"
    assert store.exists()

    shown = tracker("matrix", "--as-of", "2025-03-31", "--format", "json", cwd=folder)
    assert shown.returncode == 0, shown.stderr
    grid = json.loads(shown.stdout)
    assert grid["as_of"] == "2025-03-31" and grid["cells"]

    added = tracker(
        "add", "--party", "europe", "--issue", "sanctions", "--stance", "tighten", "--date", "2025-03-30",
        "--speaker", "Kallas", "--grade", "B2", cwd=folder,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    new_id = added.stdout.strip()
    assert new_id.startswith("st_")

    after = json.loads(tracker("matrix", "--as-of", "2025-03-31", "--format", "json", cwd=folder).stdout)
    cell = next(c for c in after["cells"] if (c["party"], c["issue"]) == ("europe", "sanctions"))
    assert cell["statement_id"] == new_id

    before = store.read_bytes()
    bad = tracker("add", "--party", "atlantis", "--issue", "nato", "--stance", "renounce", "--date", "2025-03-30",
                  cwd=folder)  # fmt: skip
    assert_clean_failure(bad, "atlantis")
    bad_date = tracker("add", "--party", "russia", "--issue", "nato", "--stance", "renounce", "--date", "2025-02-30",
                       cwd=folder)  # fmt: skip
    assert_clean_failure(bad_date, "2025-02-30")
    assert store.read_bytes() == before


def test_no_store_says_how_to_make_one(folder: Path) -> None:
    assert_clean_failure(tracker("matrix", cwd=folder), "tracker init")
    assert not (folder / "positions.json").exists()


def test_a_usage_error_is_one_line_naming_the_command(folder: Path) -> None:
    assert_clean_failure(tracker("matrix", "--format", "xml", cwd=folder), "xml", "tracker matrix --help")


def test_a_malformed_store_is_one_line(folder: Path) -> None:
    store = folder / "positions.json"
    store.write_bytes(b'{"meta": {"1": {"schema": 1}}, "statements": [')
    assert_clean_failure(tracker("matrix", cwd=folder), "positions.json")
    assert store.read_bytes() == b'{"meta": {"1": {"schema": 1}}, "statements": ['
