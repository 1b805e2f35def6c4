"""Every read command says the same with the index cache as without it (issue 18).

On the bundled record and on a generated store of 10,000 statements with
corrections, retractions and conflicts, each read command is run twice: with
no cache (none beside the store, and none can be written: the file is read
whole) and on a warm cache, where the commands that show a part of the record
must not parse the file at all.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import BUNDLED, Invoke
from tracker.storage import index_cache, tinydb_adapter
from tracker.store import Store

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from generate import generate  # noqa: E402

FORMATS = ("table", "json")


def _commands(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """(the commands a warm cache answers without parsing the file, the other read commands), with
    arguments taken from the store itself: its busiest cell, a statement with revisions, its dates."""
    store = Store(path)
    latest = store.latest()
    cells: dict[tuple[str, str], int] = {}
    for statement in latest:
        cells[(statement.party, statement.issue)] = cells.get((statement.party, statement.issue), 0) + 1
    party, issue = max(cells, key=cells.__getitem__)
    revised = next((s for s in latest if s.rev > 1), latest[0])
    days = sorted(s.stated_on for s in latest)
    first, middle, last = days[0], days[len(days) // 2], days[-1]
    fast: list[list[str]] = []
    for kind in FORMATS:
        fast += [
            ["matrix", "--as-of", middle, "-f", kind],
            ["matrix", "--as-of", last, "-f", kind],
            ["matrix", "--as-of", last, "--known-at", "2025-03-01T00:00:00Z", "-f", kind],
            ["diff", first, middle, "-f", kind],
            ["diff", middle, last, "-f", kind],
            ["matrix", "--as-of", last, "--min-grade", "C3", "-f", kind],  # another policy: from the rows
            ["diff", first, last, "--include-reported", "-f", kind],
            ["log", "--party", party, "--issue", issue, "-f", kind],
            ["log", "--issue", issue, "-f", kind],  # the kept index's cells of one issue
            ["show", revised.id, "-f", kind],
            ["show", revised.id.lower(), "-f", kind],
            ["gap", "--since", first, "--until", last, "-f", kind],
            ["parties", "-f", kind],
            ["issues", "-f", kind],
            ["feeds", "list", "-f", kind],
            ["inbox", "--status", "all", "-f", kind],
        ]
    fast += [["brief", middle, last], ["policy"], ["log", "-f", "json"]]
    whole = [["log", "--revisions", "--party", party, "-f", "json"], ["export"], ["check"]]
    return fast, whole


def _outputs(invoke: Invoke, path: Path, commands: list[list[str]]) -> list[tuple[int, str]]:
    return [(result.exit_code, result.stdout) for result in (invoke(*args, db=path) for args in commands)]


def _same_with_and_without(invoke: Invoke, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, whole = _commands(path)
    cache = index_cache.cache_path(path)
    index_cache.forget(path)
    cache.mkdir()  # no cache, and none can be written: every command reads the file
    cold = _outputs(invoke, path, fast + whole)
    assert all(code in (0, 1) for code, _ in cold), cold
    cache.rmdir()
    Store(path).write_index()  # as a write, or `tracker check`, leaves it
    assert index_cache.load(path, index_cache.identity_of(path.stat())) is not None
    warm_whole = _outputs(invoke, path, whole)
    with monkeypatch.context() as patched:

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("the file was parsed")

        patched.setattr(tinydb_adapter, "parse_tables", refuse)
        warm_fast = _outputs(invoke, path, fast)
    for args, before, after in zip(fast + whole, cold, warm_fast + warm_whole, strict=True):
        assert before == after, f"tracker {' '.join(args)} differs with the cache"


def test_the_bundled_record_reads_the_same_with_the_cache(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "positions.json"
    shutil.copyfile(BUNDLED, path)
    _same_with_and_without(invoke, path, monkeypatch)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated store of 10,000 statements (and its corrections and retractions)."""
    return generate(10_000, tmp_path_factory.mktemp("generated")).store


def test_a_generated_record_reads_the_same_with_the_cache(
    generated: Path, tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "positions.json"
    shutil.copyfile(generated, path)
    revisions = Store(path).revisions()
    assert len({s.id for s in revisions}) == 10_000
    assert any(s.rev > 1 and not s.retracted for s in revisions), "it has corrections"
    assert any(s.retracted for s in revisions), "and retractions"
    _same_with_and_without(invoke, path, monkeypatch)
    conflicts = json.loads(invoke("matrix", "-f", "json", db=path).stdout)["cells"]
    assert any(cell.get("conflicts") for cell in conflicts), "and conflicts"
