"""Storage behind one door (issue 11, point 3): only the storage layer imports tinydb, and the Store's
public API speaks in domain objects, not TinyDB's tables and documents."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import tracker
from tracker.store import Store

PACKAGE = Path(tracker.__file__).parent


def _imported(source: Path) -> set[str]:
    """The top-level names of the packages a module imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_tinydb_adapter_imports_tinydb() -> None:
    importing = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "tinydb" in _imported(p))
    assert importing == ["storage/tinydb_adapter.py"]


def test_the_store_offers_no_raw_tables() -> None:
    for name in ("table", "documents", "raw_tables"):
        assert not hasattr(Store, name), name


HEAVY = ("httpx", "feedparser", "trafilatura", "textual")

LISTING = """
import json, sys
from tracker.cli import app
for args in ({args}):
    app(["--db", sys.argv[1], *args], standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})), file=sys.stderr)
"""


def test_listing_feeds_and_the_inbox_loads_no_network_code(store_path: Path, tmp_path: Path) -> None:
    """The Store returns Feed and Candidate objects without the network layer behind them."""
    from tracker.inbox_model import Candidate, Feed
    from tracker.model import Source

    store = Store(store_path)
    store.add_feed(Feed("fd_1", "https://example.org/feed"))
    store.add_candidates(
        [
            Candidate(
                "cand_1",
                "usa",
                "nato",
                summary="Rubio said NATO is off the table.",
                sources=(Source("https://e.org/1"),),
            )
        ]
    )
    commands = [["feeds", "list", "--format", "json"], ["inbox", "--format", "json"], ["inbox", "--status", "all"]]
    script = LISTING.format(args=", ".join(map(repr, commands)), heavy=set(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", script, str(store_path)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert '"cand_1"' in done.stdout and '"fd_1"' in done.stdout
