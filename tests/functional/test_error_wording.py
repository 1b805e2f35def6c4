"""The core names the input a problem is with; the command line says its option (issue 11, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Invoke
from tracker.errors import FetchError, InputError, StoreError, TrackerError
from tracker.ingest.fetch import Fetcher
from tracker.store import Store, default_tables


def test_a_retraction_without_a_reason(invoke: Invoke, store_path: Path) -> None:
    store = Store(store_path)
    statement = store.add({"party": "usa", "issue": "nato", "stance": "not-now", "stated_on": "2025-04-01"})
    with pytest.raises(InputError) as refused:
        store.retract(statement.id, " ")
    assert (str(refused.value), refused.value.field) == ("a retraction needs a reason", "reason")
    done = invoke("retract", statement.id, db=store_path)
    assert (done.exit_code, done.stderr) == (2, "tracker: error: a retraction needs a reason (--reason)\n")


def test_creating_over_a_store(invoke: Invoke, store_path: Path) -> None:
    with pytest.raises(StoreError) as refused:
        Store.create(store_path, default_tables())
    assert (str(refused.value), refused.value.field) == (f"{store_path} already exists", "force")
    done = invoke("init", db=store_path)
    assert done.exit_code == 2
    assert done.stderr == f"tracker: error: {store_path} already exists (use --force to replace it; a backup is kept)\n"


def test_an_error_without_a_field_is_said_as_it_is(invoke: Invoke, store_path: Path) -> None:
    done = invoke("show", "st_nothing", db=store_path)
    assert done.stderr == "tracker: error: no statement with id 'st_nothing'\n"


def test_a_failed_fetch_is_not_the_users_input() -> None:
    error = Fetcher.Error("https://example.org/\x1b[31mfeed", "HTTP 503 Service\nUnavailable", transient=True)
    assert isinstance(error, FetchError) and isinstance(error, TrackerError)
    assert not isinstance(error, InputError)
    url, reason = "https://example.org/feed", "HTTP 503 Service Unavailable"
    assert (error.url, error.reason, error.transient, str(error)) == (url, reason, True, f"{url}: {reason}")
