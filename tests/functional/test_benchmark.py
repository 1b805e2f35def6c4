"""The benchmark cannot rot: its generator makes valid stores, and one quick run prints the table.

No timing is asserted here (the machine is shared and noisy); the benchmark
itself prints ratios and marks its targets.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracker.checks import find_problems
from tracker.store import Store

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from generate import generate  # noqa: E402

ROWS = (
    "baseline: python -c json.load",
    "reference: python -c 'import rich.console'",
    "tracker matrix",
    "tracker diff (one year)",
    "tracker gap (one year)",
    "tracker log --party P --issue I",
    "tracker show ID",
    "tracker matrix, cold (no cache)",
    "tracker log --party P --issue I, cold",
    "tracker add",
    "tracker import (whole set)",
    "dashboard first paint",
    "dashboard ] step",
    "dashboard reload after an external add",
    "dashboard reload, poll to screen",
)


def test_the_generator_makes_a_valid_store_its_empty_twin_and_its_export(tmp_path: Path) -> None:
    data = generate(200, tmp_path)
    problems, summary = find_problems(data.store)
    assert problems == [], problems
    assert summary.startswith("200 statements, ")
    assert data.revisions > 200  # corrections and retractions on top
    store = Store(data.store)
    assert len(store.codebook.parties) == data.shape.parties
    assert len(store.codebook.issues) == data.shape.issues
    assert store.timeline().change_dates()
    assert find_problems(data.empty) == ([], find_problems(data.empty)[1])
    again = generate(200, tmp_path)  # cached: the same files
    assert again.store == data.store and again.revisions == data.revisions


def test_one_quick_run_prints_every_row(tmp_path: Path) -> None:
    script = BENCHMARKS / "run.py"
    result = subprocess.run(
        [sys.executable, str(script), "--sizes", "60", "--runs", "1", "--steps", "2", "--cache", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    names = [line.split("|")[1].strip() for line in lines[1:]]
    assert names == list(ROWS), result.stdout
    table = {line.split("|")[1].strip(): line for line in lines[1:]}
    for name in ROWS[:10]:  # every command ran and was measured (the dashboard rows may say n/a)
        assert " ms " in table[name] and "failed" not in table[name], table[name]
    for name in ROWS[-2:]:  # the reload was measured: it loaded the writer's cache and showed the new statement
        assert " ms " in table[name] and "failed" not in table[name], table[name]
    assert "Machine:" in result.stdout


def test_the_stores_are_made_in_a_child_so_the_measuring_process_stays_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux carries a spawning process's peak RSS into its child's ``ru_maxrss``: a parent that had
    built 100,000 statements would make every measured command look as large as itself."""
    import generate as generator
    from run import generate_in_child

    generate_in_child(200, tmp_path)

    def built_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("the measuring process built the statements itself")

    monkeypatch.setattr(generator, "statements", built_here)
    data = generator.generate(200, tmp_path)  # the child's files, found in the cache
    assert data.store.exists() and data.export.exists() and data.revisions > 200
