"""The cyclic collector is the entry points' business: the library never touches it (issue 11, point 2)."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
import threading
from pathlib import Path

import tracker
from tracker import gcpolicy
from tracker.store import Store

PACKAGE = Path(tracker.__file__).parent

FIELDS = {"party": "usa", "issue": "nato", "stance": "not-now", "summary": "A position."}


def _imports_gc(source: Path) -> bool:
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "gc" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "gc" and not node.level:
            return True
    return False


def test_only_the_policy_module_imports_gc() -> None:
    importing = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if _imports_gc(p))
    assert importing == ["gcpolicy.py"]


def test_the_scan_does_see_an_import_of_gc(tmp_path: Path) -> None:
    """The check above is not vacuous."""
    for line in ("import gc", "import os, gc as collector", "from gc import freeze"):
        (tmp_path / "m.py").write_text(f"{line}\n")
        assert _imports_gc(tmp_path / "m.py"), line
    (tmp_path / "m.py").write_text("from .gc import x\nimport gcpolicy\n")
    assert not _imports_gc(tmp_path / "m.py")


def _reload_after_external_writes(path: Path, count: int) -> None:
    """``count`` times: another writer (its own Store, its own locked write to the real file) adds a
    statement, and the reader re-reads the file and rebuilds what the dashboard shows."""
    reader, writer = Store(path), Store(path)
    reader.timeline()
    for n in range(count):
        added = writer.add({**FIELDS, "stated_on": f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}"})
        assert reader.reload_if_changed(), f"write {n} was missed"
        assert reader.timeline().statements("usa", "nato")[0].id == added.id
        assert reader.history(added.id) == [added]


def test_a_hundred_reloads_leave_the_collector_as_they_found_it(store_path: Path) -> None:
    before = (gc.get_freeze_count(), gc.isenabled(), gc.get_threshold())
    _reload_after_external_writes(store_path, 100)
    assert (gc.get_freeze_count(), gc.isenabled(), gc.get_threshold()) == before


DASHBOARD_SESSION = """
import gc, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tracker import gcpolicy
from tracker.store import Store
from tests.unit.test_gcpolicy import _reload_after_external_writes

path = Path(sys.argv[1])
gcpolicy.command_line()
store = Store(path)
assert not gc.isenabled()
gcpolicy.dashboard()
assert gc.isenabled() and gc.get_threshold() == gcpolicy.DASHBOARD_THRESHOLDS
frozen = gc.get_freeze_count()
assert frozen > 0
_reload_after_external_writes(path, 100)
print(frozen, gc.get_freeze_count(), gcpolicy._decided)
"""


def test_a_long_dashboard_session_does_not_grow_the_frozen_count(store_path: Path) -> None:
    """Under the policies ``tracker`` itself applies (command line, then dashboard), 100 reloads after
    other writers' writes: what was frozen at the start only shrinks."""
    script = DASHBOARD_SESSION.format(root=str(Path(__file__).parents[2]))
    done = subprocess.run([sys.executable, "-c", script, str(store_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    at_start, at_end, decided = done.stdout.split(maxsplit=2)
    assert int(at_end) <= int(at_start)
    assert decided.strip() == "['command-line', 'dashboard']"


def test_the_command_line_entry_point_turns_the_collector_off() -> None:
    script = (
        "import gc, sys\nfrom tracker import cli\nsys.argv = ['tracker', '--help']\n"
        "try:\n    cli.run()\nexcept SystemExit:\n    pass\nprint(gc.isenabled(), gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["False", "0"]


def test_a_worker_thread_cannot_decide_the_policy() -> None:
    caught: list[BaseException] = []

    def decide() -> None:
        try:
            gcpolicy.dashboard()
        except RuntimeError as error:
            caught.append(error)

    before = (gc.get_freeze_count(), gc.isenabled(), gc.get_threshold())
    worker = threading.Thread(target=decide)
    worker.start()
    worker.join(10)
    assert caught and "main thread" in str(caught[0])
    assert (gc.get_freeze_count(), gc.isenabled(), gc.get_threshold()) == before
