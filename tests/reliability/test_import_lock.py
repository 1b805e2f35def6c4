"""An import reads and checks its file before it takes the store's lock: a slow source holds up no other writer."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.helpers import ADD, TRACKER, assert_healthy, child_env, schema_0, snapshot, stored_ids, tracker
from tracker.errors import InputError
from tracker.store import Store

ITEM = {"party": "russia", "issue": "nato", "stance": "renounce", "stated_on": "2025-01-01", "summary": "Piped in."}

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def test_another_writer_is_not_held_up_by_an_import_reading_a_slow_pipe(store_path: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "incoming.json"
    os.mkfifo(pipe)
    importing = subprocess.Popen(
        [str(TRACKER), "--db", str(store_path), "import", "--format", "json", str(pipe)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(TRACKER_LOCK_TIMEOUT="30"),
    )
    try:
        with open(pipe, "wb") as feed:  # opens once the import has opened its end
            feed.write(b"[" + orjson.dumps(ITEM) + b",\n")
            feed.flush()
            time.sleep(0.5)  # the import is now parsing, waiting for the rest
            started = time.monotonic()
            added = tracker(*ADD, db=store_path, TRACKER_LOCK_TIMEOUT="2")
            waited = time.monotonic() - started
            feed.write(orjson.dumps({**ITEM, "stated_on": "2025-01-02"}) + b"]\n")
        out, err = importing.communicate(timeout=60)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert added.returncode == 0, added.stderr
    assert waited < 2, "the add waited for the import's lock"
    assert importing.returncode == 0, err
    assert "Imported 2 statements" in out
    assert added.stdout.strip() in stored_ids(store_path) and len(stored_ids(store_path)) == 3
    assert_healthy(store_path)


def test_a_broken_file_leaves_an_older_store_as_it_was(tmp_path: Path) -> None:
    """Nothing is migrated, nor backed up, for an import that was never going to happen."""
    path = tmp_path / "old.json"
    path.write_bytes(schema_0())
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"[" + orjson.dumps(ITEM) + b",\n{")
    before = snapshot(tmp_path)
    done = tracker("import", str(broken), db=path)
    assert done.returncode == 2 and "not valid JSON" in done.stderr
    assert snapshot(tmp_path) == before


def test_an_id_another_writer_stored_while_the_file_was_read_stops_the_import(store_path: Path) -> None:
    store = Store(store_path)
    taken = "st_01J0000000000000000000CLSH"

    def records() -> Iterator[tuple[str, dict[str, str]]]:
        yield "item 1", {**ITEM, "id": taken}
        # Meanwhile another writer stores a statement with that id: the import holds no lock while it reads.
        Store(store_path).import_statements([("row 1", {**ITEM, "id": taken})])

    with pytest.raises(InputError, match="added to the store while the file was read; nothing was imported"):
        store.import_statements(records())
    assert [s.id for s in Store(store_path).revisions()] == [taken]
