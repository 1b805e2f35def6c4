"""Fixtures for the reliability suite: real processes, real files, real faults.

Its helpers (child processes, file checks) live in ``tests/helpers.py``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.helpers import Ids, fields
from tracker.store import Store, default_tables


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


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store with a statement, a feed and an inbox candidate, and a folder of files to import."""
    folder = tmp_path_factory.mktemp("bad-arguments")
    store = folder / "store" / "positions.json"
    store.parent.mkdir()
    Store.create(store, default_tables("Bad arguments"))
    opened = Store(store)
    Ids.statement = opened.add(fields("base", 1)).id
    extra = folder / "extra"
    extra.mkdir()
    (extra / "more.json").write_bytes(orjson.dumps([fields("import", 2)]))
    from tracker.inbox_model import Candidate
    from tracker.ingest import inbox

    Ids.feed = inbox.add_feed(opened, "https://example.org/feed.xml", "Example").id
    candidate = {
        "id": inbox.new_candidate_id(), "status": "new", "party": "usa", "issue": "nato",
        "sentence": "Rubio said NATO membership is not on the table.", "speaker": "Rubio",
        "url": "https://example.org/a", "title": "A", "outlet": "Example", "published": "2025-04-01",
        "fetched_at": "2025-04-02T00:00:00.000000Z", "statement_id": None,
    }  # fmt: skip
    inbox.save_pull(opened, {}, [Candidate.from_json(candidate)])
    Ids.candidate = str(candidate["id"])
    return store, extra
