"""Concurrent writers: real processes (the CLI and the store API) add at once; nothing is lost or torn."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import orjson
import pytest

from tests.helpers import TRACKER, added_ids, assert_healthy, child_env, fault_loops, fields, stored_ids, worker
from tracker.store import Store


def cli_adder(path: Path, count: int, tag: str) -> subprocess.Popen[str]:
    """A shell loop of ``tracker add``, each printing the id it recorded."""
    script = (
        f'for n in $(seq {count}); do "$0" --db "$1" add --party usa --issue nato --stance not-now '
        f'--date 2025-04-01 --summary "{tag} $n" --quote "$(printf "%0300d" 0)" || exit 1; done'
    )
    return subprocess.Popen(
        ["sh", "-c", script, str(TRACKER), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(TRACKER_LOCK_TIMEOUT="60"),
    )


def run_writers(path: Path, cli: int, api: int, *, cli_adds: int, api_adds: int, reader_seconds: float) -> None:
    base = stored_ids(path)
    reader = worker("read", str(path), str(reader_seconds))
    processes = [cli_adder(path, cli_adds, f"cli{n}") for n in range(cli)]
    processes += [worker("add", str(path), str(api_adds), f"api{n}", TRACKER_LOCK_TIMEOUT="60") for n in range(api)]
    returned: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        # the CLI prints the bare id; the API worker prints "added ID"
        returned += added_ids(out) or out.split()
    report = orjson.loads(reader.communicate(timeout=60)[0])

    assert len(returned) == cli * cli_adds + api * api_adds
    assert len(set(returned)) == len(returned), "every add returned its own id"
    stored = stored_ids(path)
    missing = set(returned) - stored
    assert not missing, f"{len(missing)} statements whose add returned are not in the file"
    assert stored == base | set(returned)
    assert_healthy(path)
    assert report["problems"] == [], report
    assert report["reads"] > 0


def test_two_writers_a_cli_and_the_api(store_path: Path) -> None:
    run_writers(store_path, cli=1, api=1, cli_adds=4, api_adds=30, reader_seconds=2)


def test_eight_writers_with_a_reader(store_path: Path) -> None:
    run_writers(store_path, cli=4, api=4, cli_adds=3, api_adds=25, reader_seconds=4)


def test_eight_api_writers_on_a_large_file(store_path: Path) -> None:
    """A larger file makes every write slower, so the writers really overlap and queue on the lock."""
    Store(store_path).import_statements([(f"item {n}", fields("seed", n)) for n in range(2000)])
    run_writers(store_path, cli=0, api=8, cli_adds=0, api_adds=10, reader_seconds=3)


def test_concurrent_corrections_of_one_statement_make_one_unbroken_chain(store_path: Path) -> None:
    """Each correction re-reads the file under the lock, so no two writers take the same revision number."""
    first = Store(store_path).add({"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"})
    writers = [worker("correct", str(store_path), first.id, "6", f"w{n}", TRACKER_LOCK_TIMEOUT="60") for n in range(4)]
    for process in writers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
    revisions = Store(store_path).history(first.id)
    assert [r.rev for r in revisions] == list(range(1, 26))
    assert_healthy(store_path)


@pytest.mark.slow
def test_many_rounds_of_racing_writers(store_path: Path) -> None:
    """``$TRACKER_FAULT_LOOPS`` rounds of four writers; quick in CI, long when asked."""
    for _ in range(max(1, fault_loops(15) // 5)):
        run_writers(store_path, cli=0, api=4, cli_adds=0, api_adds=8, reader_seconds=0.5)


def test_every_rewrite_gets_a_later_mtime_so_no_reader_misses_one(store_path: Path) -> None:
    """Readers trust (mtime, size, inode) to know the file changed. A same-size rewrite can recycle the
    inode, and a coarse or skewed clock can repeat an mtime; so each write makes the new file's mtime
    later than the one it replaces, even when the clock says otherwise (simulated: the file's mtime is
    set ahead of the clock before every write)."""
    from tracker.store import dump_tables, write_atomic

    reader = Store(store_path)
    tables = orjson.loads(store_path.read_bytes())
    for n in range(50):
        ahead = store_path.stat().st_mtime_ns + 3_600_000_000_000  # an hour ahead of the clock
        os.utime(store_path, ns=(ahead, ahead))
        reader.reload_if_changed()
        tables["meta"]["1"]["title"] = f"title {n % 10}"  # the same length every time
        write_atomic(store_path, dump_tables(tables))
        assert store_path.stat().st_mtime_ns > ahead
        assert reader.reload_if_changed(), f"rewrite {n} was missed"
        assert reader.title == f"title {n % 10}"


def test_threads_sharing_one_store_take_turns(store_path: Path) -> None:
    """Nested writes share the lock only within one thread; another thread (a dashboard worker) waits."""
    store = Store(store_path)
    inside, order = threading.Event(), []

    def slow_writer() -> None:
        with store.writing():
            inside.set()
            time.sleep(0.5)
            order.append("first writer done")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    inside.wait(10)
    added = store.add({"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"})
    order.append("second writer done")
    thread.join(10)
    assert order == ["first writer done", "second writer done"]
    assert added.id in stored_ids(store_path)
