"""A write is all or nothing, even when one command changes several tables (``inbox accept`` records the
statement and marks the candidate): a fault at any point leaves both changes or neither."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.helpers import assert_healthy, snapshot, wait_for_event, worker
from tracker.errors import InputError, StoreError
from tracker.inbox_model import Candidate, Feed
from tracker.store import Store

inbox = pytest.importorskip("tracker.ingest.inbox")


def candidate(n: int) -> dict[str, Any]:
    return {
        "id": f"cand_{n:026d}", "status": "new", "party": "usa", "issue": "nato",
        "sentence": f"Rubio said NATO membership is not on the table ({n}).", "speaker": "Rubio",
        "url": f"https://example.org/{n}", "title": "A", "outlet": "Example", "published": "2025-04-01",
        "fetched_at": "2025-04-02T00:00:00.000000Z", "statement_id": None,
    }  # fmt: skip


def consistent(path: Path) -> tuple[bool, bool]:
    """(was the candidate accepted, was its statement recorded), read straight from the file."""
    data = orjson.loads(path.read_bytes())
    accepted = [c for c in data["inbox"].values() if c["status"] == "accepted"]
    recorded = {d["id"] for d in data["statements"].values()}
    assert all(c["statement_id"] in recorded for c in accepted), "an accepted candidate points at no statement"
    return bool(accepted), bool(recorded)


@pytest.fixture
def with_candidate(store_path: Path) -> Path:
    inbox.save_pull(Store(store_path), {}, [Candidate.from_json(candidate(1))])
    return store_path


def test_a_failing_block_writes_nothing(store_path: Path) -> None:
    store = Store(store_path)
    before = store_path.read_bytes()
    with pytest.raises(InputError), store.writing():
        store.add_feed(Feed(id="fd_1", url="https://example.org/feed"))
        store.add({"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"})
        raise InputError("changed my mind")
    assert store_path.read_bytes() == before
    assert store.feeds() == [] and store.revisions() == [], "memory forgets it too"


def test_inbox_accept_is_one_write(with_candidate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renames: list[str] = []
    real = os.replace

    def counting(source: Any, target: Any) -> None:
        if not str(target).endswith(".idx"):  # the index cache beside the store is not the store
            renames.append(str(target))
        real(source, target)

    monkeypatch.setattr(os, "replace", counting)
    inbox.accept(Store(with_candidate), candidate(1)["id"], stance="not-now")
    assert renames == [str(with_candidate)], "the statement and the candidate's new status land in one file write"
    assert consistent(with_candidate) == (True, True)


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_full_disk_at_any_write_of_an_accept_leaves_both_changes_or_neither(
    with_candidate: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    """The disk fills up at the nth file written: the accept fails with nothing changed, or it had
    already finished in fewer writes. Never the statement without the candidate's status, or the reverse."""
    before = snapshot(with_candidate.parent)
    real, count = os.fsync, [0]

    def fills_up(fd: int) -> None:
        if os.path.isfile(f"/proc/self/fd/{fd}"):
            count[0] += 1
            if count[0] == nth:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fills_up)
    try:
        inbox.accept(Store(with_candidate), candidate(1)["id"], stance="not-now")
    except StoreError as error:
        assert "No space left" in str(error)
        failed = True
    else:
        failed = False
    monkeypatch.undo()
    if failed:
        assert snapshot(with_candidate.parent) == before
        assert consistent(with_candidate) == (False, False)
    else:
        assert consistent(with_candidate) == (True, True)


@pytest.mark.parametrize("where", ["half-written", "fsync", "replace"])
def test_an_accept_killed_mid_write_leaves_neither_change(
    with_candidate: Path, where: str, reap: list[subprocess.Popen[str]]
) -> None:
    before = with_candidate.read_bytes()
    process = worker("stall", str(with_candidate), where, "accept", candidate(1)["id"])
    reap.append(process)
    wait_for_event(process, "stalled")
    process.kill()
    process.wait(10)
    assert with_candidate.read_bytes() == before
    assert consistent(with_candidate) == (False, False)
    # and it can simply be accepted again: once
    statement = inbox.accept(Store(with_candidate), candidate(1)["id"], stance="not-now")
    assert consistent(with_candidate) == (True, True)
    assert [s.id for s in Store(with_candidate).revisions()] == [statement.id]
    assert_healthy(with_candidate)
