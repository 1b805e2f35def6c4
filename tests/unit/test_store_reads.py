"""The Store's reads for the dashboard: several histories in one pass, and "has the file changed?"."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import tracker.store
from tracker.model import Statement, from_stored
from tracker.store import Store


def fields(day: int = 1, **overrides: Any) -> dict[str, Any]:
    return {"party": "russia", "issue": "nato", "stance": "renounce", "stated_on": f"2025-02-{day:02d}", **overrides}


def test_histories_are_every_revision_of_each_id_in_order(store_path: Path) -> None:
    store = Store(store_path)
    first = store.add(fields(1))
    store.correct(first.id, {"summary": "Reworded."}, reason="typo")
    store.retract(first.id, "misattributed")
    second = store.add(fields(2, party="usa", stance="not-now"))
    found = store.histories([first.id, second.id, "st_not_there"])
    assert set(found) == {first.id, second.id}, "an id the store lacks is left out"
    assert [s.rev for s in found[first.id]] == [1, 2, 3]
    assert found[first.id] == store.history(first.id) and found[second.id] == [second]
    assert store.histories([]) == {}


def test_histories_build_statements_only_for_the_ids_asked(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(store_path)
    with store.writing():
        added = [store.add(fields(1 + n % 28, summary=f"Statement {n}.")) for n in range(200)]
    store.correct(added[7].id, {"summary": "Corrected."})
    reader = Store(store_path)
    reader.timeline()  # what the dashboard has read before it asks for a cell's history
    built: list[str] = []
    real = from_stored

    def counted(document: Any) -> Statement:
        built.append(document["id"])
        return real(document)

    monkeypatch.setattr(tracker.store, "from_stored", counted)
    found = reader.histories({added[7].id})
    assert [s.rev for s in found[added[7].id]] == [1, 2]
    assert built == [added[7].id, added[7].id]


def test_changed_on_disk_compares_a_stat_and_reads_nothing(store_path: Path) -> None:
    reader, writer = Store(store_path), Store(store_path)
    assert not reader.changed_on_disk()
    writer.add(fields())
    generation = reader._db.generation
    assert reader.changed_on_disk() and reader.changed_on_disk(), "asking twice: it still has not read"
    assert reader._db.generation == generation, "nothing was re-read"
    assert reader.reload_if_changed() and not reader.changed_on_disk()
    reader.add(fields(2))
    assert not reader.changed_on_disk(), "its own write is what it holds"
    assert writer.changed_on_disk()
    os.unlink(store_path)
    assert reader.changed_on_disk(), "a store that has gone has changed"
