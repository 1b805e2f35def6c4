"""Feeds and candidates as domain objects: their JSON shapes, and the Store's typed methods for them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tracker.errors import InputError, StoreError
from tracker.inbox_model import (
    CANDIDATE_FIELDS,
    FEED_FIELDS,
    Candidate,
    CandidateStatus,
    Feed,
    FeedUpdate,
    merged,
    same_statement,
)
from tracker.model import Source
from tracker.store import Store

SOURCE = {"url": "https://example.org/a", "title": "A", "outlet": "Example", "published": "2025-04-01"}
DOCUMENT = {
    "id": "cand_1", "status": "new", "party": "usa", "issue": "nato", "speaker": "Marco Rubio",
    "quote": "NATO membership is not on the table", "summary": "“NATO membership is not on the table,” Rubio said.",
    "stated_on": "2025-04-01", "channel": "official", "suggested_stance": "not-now", "cue": "not on the table",
    "sources": [SOURCE], "fetched_at": "2025-04-02T00:00:00.000000Z", "statement_id": None,
}  # fmt: skip
OLD_DOCUMENT = {
    "id": "cand_1", "status": "rejected", "party": "usa", "issue": "nato",
    "sentence": "Rubio said NATO membership is not on the table.", "speaker": "Rubio",
    "url": "https://example.org/a", "title": "A", "outlet": "Example", "published": "2025-04-01",
    "fetched_at": "2025-04-02T00:00:00.000000Z", "statement_id": None,
}  # fmt: skip
"""A candidate as stores kept them before candidates were statements (a sentence and its article)."""


def candidate(n: int, url: str = "", **changes: object) -> Candidate:
    source = {**SOURCE, "url": url or f"https://example.org/{n}"}
    return Candidate.from_json({**DOCUMENT, "id": f"cand_{n}", "sources": [source], **changes})


def test_a_candidate_is_its_stored_document_and_its_json() -> None:
    found = Candidate.from_json(DOCUMENT)
    assert found.status is CandidateStatus.NEW and found.statement_id is None
    assert found.as_json() == DOCUMENT and tuple(found.as_json()) == CANDIDATE_FIELDS
    assert found.source == Source(**SOURCE) and found.corroboration == 1
    accepted = found.accepted("st_1")
    assert (accepted.status, accepted.statement_id, found.status) == ("accepted", "st_1", "new")
    assert accepted.as_json()["status"] == "accepted" and json.dumps(accepted.as_json())
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.status = CandidateStatus.REJECTED  # type: ignore[misc]


def test_a_candidate_document_is_read_leniently_but_not_its_status() -> None:
    sparse = Candidate.from_json({"id": "cand_2", "party": "usa", "issue": "nato", "speaker": None, "title": 7})
    assert (sparse.summary, sparse.speaker, sparse.source.title, sparse.status) == ("", "", "7", CandidateStatus.NEW)
    odd = Candidate.from_json({**DOCUMENT, "sources": [SOURCE, "not a source", {"url": 5}]})
    assert odd.sources == (Source(**SOURCE), Source(url="5"))
    with pytest.raises(InputError, match="unknown status 'maybe'"):
        Candidate.from_json({**DOCUMENT, "status": "maybe"})


def test_a_candidate_from_an_older_store_reads_as_a_statement_with_one_source() -> None:
    old = Candidate.from_json(OLD_DOCUMENT)
    assert (old.summary, old.quote, old.speaker, old.stated_on) == (OLD_DOCUMENT["sentence"], "", "Rubio", "2025-04-01")
    assert old.sources == (Source(**SOURCE),) and old.status is CandidateStatus.REJECTED
    assert tuple(old.as_json()) == CANDIDATE_FIELDS and "sentence" not in old.as_json()


def test_a_candidate_is_the_statement_form_pre_filled() -> None:
    found = candidate(1, channel="")
    assert found.as_input() == {
        "party": "usa", "issue": "nato", "stance": "not-now", "date": "2025-04-01", "summary": DOCUMENT["summary"],
        "quote": DOCUMENT["quote"], "speaker": "Marco Rubio", "channel": "media-report",
        "url": "https://example.org/1", "title": "A", "outlet": "Example", "published": "2025-04-01", "grade": "",
    }  # fmt: skip


def test_a_rejected_candidate_can_be_restored_and_only_it() -> None:
    found = candidate(1)
    assert found.rejected().restored() == found
    with pytest.raises(InputError, match="not rejected"):
        found.restored()
    with pytest.raises(InputError, match="accepted as statement st_1: retract the statement instead"):
        found.accepted("st_1").restored()


def test_deciding_twice_is_refused() -> None:
    found = Candidate.from_json(DOCUMENT)
    found.require_new()
    for decided, message in (
        (found.accepted("st_9"), "candidate cand_1 is already accepted as statement st_9"),
        (found.rejected(), "candidate cand_1 is already rejected"),
    ):
        with pytest.raises(InputError) as refused:
            decided.require_new()
        assert str(refused.value) == message


def test_a_feed_is_its_stored_document_and_lists_a_part_of_it() -> None:
    document = {
        "id": "fd_1", "url": "https://example.org/feed", "name": "Wire", "title": "The Wire", "etag": '"v1"',
        "last_modified": "", "last_pulled": "2025-04-02T00:00:00.000000Z", "last_status": "ok",
        "added_at": "2025-04-01T00:00:00.000000Z", "seen": ["a", "b"],
    }  # fmt: skip
    feed = Feed.from_json(document)
    assert feed.seen == ("a", "b") and feed.as_json() == document
    assert tuple(feed.listing()) == FEED_FIELDS and feed.listing()["title"] == "The Wire"
    assert Feed.from_json({"id": "fd_2", "url": "u", "seen": "not a list"}).seen == ()


def test_a_feed_update_changes_only_what_the_pull_learnt() -> None:
    assert FeedUpdate("t", "unchanged").as_json() == {"last_pulled": "t", "last_status": "unchanged"}
    full = FeedUpdate("t", "ok", title="T", seen=("a",), etag="e", last_modified="m").as_json()
    assert full == {
        "last_pulled": "t",
        "last_status": "ok",
        "title": "T",
        "seen": ["a"],
        "etag": "e",
        "last_modified": "m",
    }


def test_the_store_keeps_feeds(store_path: Path) -> None:
    store = Store(store_path)
    one, two = Feed("fd_1", "https://example.org/1"), Feed("fd_2", "https://example.org/2", name="Two")
    assert store.add_feed(one) == one and store.add_feed(two) == two
    with pytest.raises(InputError, match="already followed"):
        store.add_feed(Feed("fd_3", one.url))
    assert Store(store_path).feeds() == [one, two] and store.feed("fd_2") == two
    store.update_feeds({"fd_2": FeedUpdate("t", "ok", seen=("x",)), "fd_gone": FeedUpdate("t", "ok")})
    assert Store(store_path).feed("fd_2") == dataclasses.replace(two, last_pulled="t", last_status="ok", seen=("x",))
    assert store.remove_feed("fd_1") == one and [f.id for f in Store(store_path).feeds()] == ["fd_2"]
    with pytest.raises(InputError, match="no feed with id 'fd_1'"):
        store.feed("fd_1")


def test_the_same_quote_in_other_words_of_punctuation_is_the_same_statement() -> None:
    one = candidate(1)
    assert same_statement(one, candidate(2, quote="NATO membership is not on the table."))
    assert same_statement(one, candidate(2, quote="“NATO membership is NOT on the table”"))
    assert not same_statement(one, candidate(2, quote="NATO membership is on the table"))
    assert not same_statement(one, candidate(2, issue="ceasefire"))
    assert not same_statement(one, candidate(2, quote=""))  # a quote and indirect speech: not known to be one
    indirect = candidate(3, quote="", speaker="Rubio")
    assert same_statement(indirect, candidate(4, quote="", speaker="Marco Rubio"))  # one speaker, one day
    assert not same_statement(indirect, candidate(4, quote="", speaker="Marco Rubio", stated_on="2025-04-02"))


def test_one_statement_from_several_outlets_is_one_candidate_with_every_source() -> None:
    first, second, third = candidate(1), candidate(2, speaker="Rubio"), candidate(3)
    result = merged([], [first, second, third])
    assert [c.id for c in result.added] == ["cand_1"] and result.corroborated == ()
    (only,) = result.added
    assert [s.url for s in only.sources] == [f"https://example.org/{n}" for n in (1, 2, 3)]
    assert only.corroboration == 3 and only.speaker == "Marco Rubio"  # the fuller name kept

    again = merged([only], [candidate(4, url="https://example.org/2"), candidate(5)])
    assert again.known == 1 and again.added == ()  # the same article read again: nothing new
    assert [s.url for s in again.corroborated[0].sources][-1] == "https://example.org/5"
    decided = merged([only.rejected()], [candidate(6)])
    assert (decided.added, decided.corroborated, decided.known) == ((), (), 1)  # a rejected statement stays away


def test_the_store_keeps_candidates(store_path: Path) -> None:
    store = Store(store_path)
    first, second = candidate(1), candidate(2, quote="Another quote")
    added = store.add_candidates([first, second, candidate(3, url=first.source.url, quote="x", summary=first.summary)])
    assert list(added.added) == [first, second], "the same article's sentence again"
    assert store.add_candidates([candidate(4, url=second.source.url, quote="Another quote")]).known == 1
    store.update_candidate(second.rejected())
    reread = Store(store_path)
    assert reread.candidates() == [first, second.rejected()]
    assert reread.candidates(CandidateStatus.NEW) == [first] and reread.candidate("cand_2").status == "rejected"
    with pytest.raises(InputError, match="no candidate with id 'cand_9'"):
        store.update_candidate(candidate(9))


def test_the_store_adds_more_reports_to_a_candidate_waiting_for_review(store_path: Path) -> None:
    store = Store(store_path)
    store.add_candidates([candidate(1)])
    result = store.add_candidates([candidate(2)])
    assert result.added == () and [c.id for c in result.corroborated] == ["cand_1"]
    (held,) = Store(store_path).candidates()
    assert [s.url for s in held.sources] == ["https://example.org/1", "https://example.org/2"]


def test_a_damaged_candidate_names_the_file(store_path: Path) -> None:
    data = json.loads(store_path.read_bytes())
    data["inbox"] = {"1": {**DOCUMENT, "status": "maybe"}}
    store_path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match=f"^{store_path}: inbox document 1: candidate 'cand_1': unknown status"):
        Store(store_path).candidates()
