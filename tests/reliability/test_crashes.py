"""Crashes: writers killed with SIGKILL, at random and mid-write, never cost a returned statement or the file."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import (
    added_ids,
    assert_healthy,
    fault_loops,
    fields,
    schema_0,
    stored_ids,
    tracker,
    wait_for_event,
    worker,
)
from tracker.checks import find_problems
from tracker.store import Store


def temps(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def kill(process: subprocess.Popen[str]) -> str:
    """SIGKILL ``process``; what it printed before dying."""
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return out


def assert_intact(path: Path, returned: set[str]) -> None:
    """The file parses, loads, has no problem, and holds every statement whose add had returned."""
    missing = returned - stored_ids(path)
    assert not missing, f"{len(missing)} returned statements lost"
    Store(path).revisions()
    problems, _ = find_problems(path)
    assert problems == []


@pytest.mark.slow
def test_writers_killed_at_random_points_lose_nothing_that_returned(store_path: Path) -> None:
    """``$TRACKER_FAULT_LOOPS`` rounds; each kills two busy writers at random moments, mostly mid-write.

    The file is seeded large enough that a write takes a while, so a random kill usually lands
    inside one (the stale temp files counted below are the evidence).
    """
    Store(store_path).import_statements([(f"item {n}", fields("seed", n)) for n in range(1000)])
    rng = random.Random(6)
    returned: set[str] = set()
    killed_mid_write = 0
    for round_ in range(fault_loops(15)):
        writers = [worker("add", str(store_path), "-1", f"r{round_}w{n}") for n in range(2)]
        for process in writers:
            wait_for_event(process, "ready")
        for process in writers:
            time.sleep(rng.uniform(0.0, 0.3))
            returned.update(added_ids(kill(process)))
        killed_mid_write += bool(temps(store_path))
        assert_intact(store_path, returned)
    print(f"{fault_loops(15)} rounds, {len(returned)} statements returned, {killed_mid_write} left a temp file")
    # The next writer removes what the killed ones left, and the record is whole.
    done = tracker(
        "add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01", db=store_path
    )
    assert done.returncode == 0, done.stderr
    assert temps(store_path) == []
    assert_intact(store_path, returned | {done.stdout.strip()})
    assert_healthy(store_path)


@pytest.mark.parametrize("where", ["half-written", "fsync", "replace"])
def test_a_writer_killed_inside_the_write_leaves_the_old_file_whole(
    store_path: Path, where: str, reap: list[subprocess.Popen[str]]
) -> None:
    """Killed with half the temp file written, before its fsync, or before the rename: the old file stands."""
    kept = Store(store_path).add(fields("kept", 1))
    before = store_path.read_bytes()
    process = worker("stall", str(store_path), where)
    reap.append(process)
    wait_for_event(process, "stalled")
    assert temps(store_path), "the writer had a temp file open when it stopped"
    kill(process)

    assert store_path.read_bytes() == before, "the interrupted add changed nothing"
    assert_intact(store_path, {kept.id})
    left = temps(store_path)
    assert left, "the killed writer's temp file is still there"

    # The next run cleans up and works; readers were never confused by the temp file.
    done = tracker(
        "add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01", db=store_path
    )
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in left)
    assert_intact(store_path, {kept.id, done.stdout.strip()})
    assert_healthy(store_path)


def test_cleanup_only_touches_the_stores_own_temp_files(store_path: Path) -> None:
    folder = store_path.parent
    stale = folder / f".{store_path.name}.abcd1234.tmp"
    stale_backup = folder / f".{store_path.name}.20250101T000000.bak.abcd_234.tmp"
    others = [
        folder / ".other.json.abcd1234.tmp",  # another store's writer, which we do not lock out
        folder / f".{store_path.name}.csv.abcd1234.tmp",  # an export to positions.json.csv, unlocked
        folder / f"{store_path.name}.tmp",
        folder / "notes.tmp",
    ]
    for path in [stale, stale_backup, *others]:
        path.write_bytes(b"{half")
    Store(store_path).add(fields("x", 1))
    assert not stale.exists() and not stale_backup.exists()
    assert all(p.exists() for p in others)


def test_a_killed_migration_leaves_the_old_file_and_can_be_retried(
    tmp_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(schema_0())
    before = path.read_bytes()
    # The backup is written; the migrated file is written and synced but not yet renamed over the old one.
    process = worker("stall", str(path), "replace:2")
    reap.append(process)
    wait_for_event(process, "stalled")
    kill(process)
    assert path.read_bytes() == before
    backups = list(tmp_path.glob("old.json.*.bak"))
    assert [b.read_bytes() for b in backups] == [before]
    done = tracker("add", "--party", "usa", "--issue", "nato", "--stance", "not-now", "--date", "2025-04-01", db=path)
    assert done.returncode == 0, done.stderr
    assert_healthy(path)
