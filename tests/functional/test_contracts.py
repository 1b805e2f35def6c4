"""The import contracts in pyproject.toml hold, and they bite: a forbidden import breaks the right one.

``lint-imports`` reads the imports statically, so one inside a function or
under ``TYPE_CHECKING`` counts as much as one at the top of a module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

CORE = "The core imports no UI, no network and no command layer"
NO_TINYDB = "The dashboard does not speak TinyDB"
STORE = "In the dashboard only tracker.tui.session imports the store"


def lint_imports(package_home: Path) -> subprocess.CompletedProcess[str]:
    """Check the contracts on the ``tracker`` package found in ``package_home``."""
    env = dict(os.environ, PYTHONPATH=str(package_home))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)],
        capture_output=True,
        text=True,
        cwd=package_home,
        env=env,
        timeout=120,
    )


def test_the_contracts_hold_on_the_package() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (CORE, NO_TINYDB, STORE):
        assert f"{name} KEPT" in done.stdout, done.stdout


BREAKS = {
    "the model imports rich": ("model.py", "import rich\n", CORE, "tracker.model -> rich"),
    "the store imports the CLI in a function": (
        "store.py",
        "def _late() -> None:\n    from . import cli  # noqa: F401\n",
        CORE,
        "tracker.store -> tracker.cli",
    ),
    "dates import httpx": ("dates.py", "import httpx\n", CORE, "tracker.dates -> httpx"),
    "the timeline imports an ingest module": (
        "timeline.py",
        "from .ingest import fetch\n",
        CORE,
        "tracker.timeline -> tracker.ingest.fetch",
    ),
    "a dashboard widget imports tinydb": (
        "tui/components/legend.py",
        "import tinydb\n",
        NO_TINYDB,
        "tracker.tui.components.legend -> tinydb",
    ),
    "a dashboard screen imports the store": (
        "tui/screens/help.py",
        "from ...store import Store\n",
        STORE,
        "tracker.tui.screens.help -> tracker.store",
    ),
}


@pytest.mark.parametrize(("module", "added", "contract", "chain"), BREAKS.values(), ids=BREAKS.keys())
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, added: str, contract: str, chain: str
) -> None:
    shutil.copytree(ROOT / "tracker", tmp_path / "tracker", ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = tmp_path / "tracker" / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + added, encoding="utf-8")

    done = lint_imports(tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{contract} BROKEN" in done.stdout, done.stdout
    assert "Contracts: 2 kept, 1 broken." in done.stdout, done.stdout
    assert chain in done.stdout, done.stdout
