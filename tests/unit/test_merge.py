"""The merge of two versions of a store (``storage.merge``), on real store files written by the Store.

Each test makes a base store, copies it as "ours" and "theirs", writes to each
through the Store as two analysts would, and merges the three files' bytes
as git's driver does. The property tests at the end replay random work on two
branches and compare the merge with one store that received every write.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

import tracker.store as store_module
from tests.helpers import schema_0
from tracker.checks import table_problems
from tracker.dates import format_instant
from tracker.errors import InputError, StoreError
from tracker.inbox_model import Candidate, FeedUpdate
from tracker.ingest import inbox
from tracker.model import Issue, Party, Source
from tracker.storage.merge import Merged, merge_files
from tracker.store import Store, default_tables, dump_tables


def fields(**overrides: Any) -> dict[str, Any]:
    """An analyst's fields for a valid, stated statement."""
    base: dict[str, Any] = {
        "party": "russia",
        "issue": "nato",
        "stance": "renounce",
        "stated_on": "2025-02-12",
        "speaker": "Peskov",
        "channel": "spokesperson",
        "grade": "B2",
    }
    return {**base, **overrides}


@dataclass
class Versions:
    """A base store and two copies of it, ours and theirs, in a temp folder."""

    folder: Path
    base: Path
    ours: Path
    theirs: Path

    def store(self, side: str) -> Store:
        return Store(getattr(self, side))

    def merge(self, *, swapped: bool = False) -> Merged:
        """git's merge of the three files; ``swapped``: theirs merged into ours the other way round."""
        ours, theirs = (self.theirs, self.ours) if swapped else (self.ours, self.theirs)
        return merge_files(self.base.read_bytes(), ours.read_bytes(), theirs.read_bytes(), Path("positions.json"))

    def merged_store(self, merged: Merged | None = None) -> Store:
        """The merge written as a store file, opened as every command opens one."""
        path = self.folder / "merged.json"
        path.write_bytes(dump_tables((merged or self.merge()).tables))
        return Store(path)


@pytest.fixture
def versions(tmp_path: Path) -> Versions:
    base = tmp_path / "base.json"
    Store.create(base, default_tables("Shared record"))
    Store(base).add(fields())
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    shutil.copyfile(base, ours)
    shutil.copyfile(base, theirs)
    return Versions(tmp_path, base, ours, theirs)


def first_id(versions: Versions) -> str:
    return Store(versions.base).revisions()[0].id


def clean(merged: Merged) -> Merged:
    """The merge, asserted free of conflicts and of problems `tracker check` would list."""
    assert merged.conflicts == ()
    problems, _ = table_problems(orjson.loads(dump_tables(merged.tables)))
    assert problems == []
    return merged


def same_bytes_either_way(versions: Versions) -> bytes:
    """Merging theirs into ours and ours into theirs gives one file: the two clones agree."""
    one, other = dump_tables(versions.merge().tables), dump_tables(versions.merge(swapped=True).tables)
    assert one == other
    return one


# -- statements: a union of revisions -------------------------------------------------


def test_statements_added_on_both_sides_are_all_kept_under_distinct_keys(versions: Versions) -> None:
    mine = versions.store("ours").add(fields(stance="not-now", speaker="Lavrov"))
    yours = [versions.store("theirs").add(fields(issue="kursk", stance="surrender")) for _ in range(2)]
    merged = clean(versions.merge())
    statements = merged.tables["statements"]
    # Both sides wrote their new statements as document "2"; the merge gives each its own key.
    assert orjson.loads(versions.ours.read_bytes())["statements"].keys() == {"1", "2"}
    assert orjson.loads(versions.theirs.read_bytes())["statements"].keys() == {"1", "2", "3"}
    assert sorted(statements, key=int) == ["1", "2", "3", "4"]
    assert statements["1"] == orjson.loads(versions.base.read_bytes())["statements"]["1"]  # the base keeps its key
    store = versions.merged_store(merged)
    assert {s.id for s in store.revisions()} == {first_id(versions), mine.id, *(s.id for s in yours)}
    same_bytes_either_way(versions)


def test_the_same_revisions_on_both_sides_collapse(versions: Versions) -> None:
    versions.store("ours").add(fields(stance="not-now"))
    versions.store("ours").correct(first_id(versions), {"grade": "A1"})
    shutil.copyfile(versions.ours, versions.theirs)  # theirs pulled ours, then both merge with the old base
    merged = clean(versions.merge())
    assert dump_tables(merged.tables) == versions.ours.read_bytes()
    assert merged.notes == ()


def test_two_corrections_of_one_statement_are_both_kept_numbered_by_record_time(versions: Versions) -> None:
    statement = first_id(versions)
    earlier = versions.store("theirs").correct(statement, {"grade": "A1"}, reason="transcript found")
    later = versions.store("ours").correct(statement, {"speaker": "Dmitry Peskov"}, reason="full name")
    assert earlier.rev == later.rev == 2 and earlier.recorded_at < later.recorded_at
    merged = clean(versions.merge())
    history = versions.merged_store(merged).history(statement)
    assert [(s.rev, s.reason) for s in history] == [(1, ""), (2, "transcript found"), (3, "full name")]
    # The later correction is the latest, as written: built on revision 1, it does not carry A1.
    assert (history[-1].speaker, history[-1].grade) == ("Dmitry Peskov", "B2")
    (note,) = merged.notes
    assert statement in note and "2 (theirs" in note and "3 (ours" in note
    same_bytes_either_way(versions)


def test_a_retraction_after_the_other_sides_correction_is_clean_and_counts(versions: Versions) -> None:
    statement = first_id(versions)
    versions.store("ours").correct(statement, {"grade": "A1"})
    versions.store("theirs").retract(statement, "misattributed")
    merged = clean(versions.merge())
    history = versions.merged_store(merged).history(statement)
    assert [(s.rev, s.grade, s.retracted) for s in history] == [(1, "B2", False), (2, "A1", False), (3, "B2", True)]
    assert ("russia", "nato") not in versions.merged_store(merged).timeline().matrix("2025-12-31").cells
    same_bytes_either_way(versions)


def test_a_correction_after_the_other_sides_retraction_is_a_conflict(versions: Versions) -> None:
    """No one store could have recorded it (a retracted statement cannot be corrected), and as the
    latest revision it would silently bring the statement back: a person decides."""
    statement = first_id(versions)
    versions.store("theirs").retract(statement, "misattributed")
    versions.store("ours").correct(statement, {"grade": "A1"})
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert statement in conflict and "retracted in theirs" in conflict and "corrected in ours" in conflict
    history = versions.merged_store(merged).history(statement)  # both kept: nothing is lost
    assert [(s.rev, s.retracted) for s in history] == [(1, False), (2, True), (3, False)]


def test_two_retractions_agree_unless_their_dates_differ(versions: Versions, tmp_path: Path) -> None:
    statement = first_id(versions)
    versions.store("ours").retract(statement, "never said")
    versions.store("theirs").retract(statement, "misquoted")
    assert clean(versions.merge()).notes  # both kept, numbered, and said so

    shutil.copyfile(versions.base, versions.ours)
    shutil.copyfile(versions.base, versions.theirs)
    versions.store("ours").retract(statement, "offer withdrawn", withdrawn_on="2025-03-01")
    versions.store("theirs").retract(statement, "offer withdrawn", withdrawn_on="2025-04-01")
    (conflict,) = versions.merge().conflicts
    assert "retracted again in theirs" in conflict and "2025-04-01" in conflict


def test_one_revision_with_different_content_on_each_side_is_a_conflict(versions: Versions) -> None:
    """A revision is never edited; a hand edit of one side's copy cannot be merged by guessing."""
    data = orjson.loads(versions.theirs.read_bytes())
    data["statements"]["1"]["quote"] = "edited by hand"
    versions.theirs.write_bytes(dump_tables(data))
    versions.store("theirs").add(fields(stance="not-now"))
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert first_id(versions) in conflict and "rev 1" in conflict and "quote" in conflict and "kept ours" in conflict
    store = versions.merged_store(merged)  # still a store tracker reads, with theirs' new statement
    assert [s.quote for s in store.history(first_id(versions))] == [""]
    assert len(store.revisions()) == 2


def test_a_statement_id_recorded_new_on_both_sides_is_a_conflict(versions: Versions, tmp_path: Path) -> None:
    record = [{**fields(), "id": "st_SHARED1"}]
    for side, stance in (("ours", "not-now"), ("theirs", "unrealistic")):
        versions.store(side).import_statements([("item 1", {**record[0], "stance": stance})])
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert "st_SHARED1" in conflict and "new statement in ours" in conflict
    assert [s.rev for s in versions.merged_store(merged).history("st_SHARED1")] == [1, 2]


def test_a_sides_own_order_of_revisions_is_kept_against_its_clock(versions: Versions) -> None:
    """A correction copies the revision before it: the merge never puts it first, whatever the times say."""
    statement = first_id(versions)
    versions.store("ours").correct(statement, {"grade": "A1"})
    data = orjson.loads(versions.ours.read_bytes())
    data["statements"]["2"]["recorded_at"] = "2000-01-01T00:00:00.000000Z"  # a clock set back
    versions.ours.write_bytes(dump_tables(data))
    merged = clean(versions.merge())
    assert [(s.rev, s.grade) for s in versions.merged_store(merged).history(statement)] == [(1, "B2"), (2, "A1")]


# -- the codebook, meta, feeds and the inbox: three-way ------------------------------


def test_the_codebook_extended_differently_on_each_side_merges(versions: Versions) -> None:
    ours, theirs = versions.store("ours"), versions.store("theirs")
    ours.add_party(Party("china", "China", ("Xi",)))
    ours.update_party("usa", aliases=["Lutnick"])
    ours.update_issue("nato", keywords=["Article 5"])
    theirs.add_issue(Issue.from_json({"id": "prisoners", "name": "Prisoners", "scale": ["none", "all-for-all"]}))
    theirs.update_party("usa", aliases=["Bessent"])
    theirs.update_issue("kursk", keywords=["Sudzha"])
    theirs.add(fields(issue="prisoners", stance="all-for-all"))
    merged = clean(versions.merge())
    book = versions.merged_store(merged).codebook
    assert [p.id for p in book.parties][-1] == "china" and book.issue("prisoners") is not None
    usa = book.require_party("usa")
    assert usa.aliases[-2:] == ("Bessent", "Lutnick")  # both additions, sorted when both sides added
    assert "Article 5" in book.require_issue("nato").keywords and "Sudzha" in book.require_issue("kursk").keywords
    same_bytes_either_way(versions)


def test_a_code_redefined_differently_is_one_conflict_line_and_ours_is_kept(versions: Versions) -> None:
    versions.store("ours").update_party("usa", name="US government")
    versions.store("theirs").update_party("usa", name="USA (Trump administration)")
    versions.store("theirs").add(fields(stance="not-now"))
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert conflict == (
        "party 'usa': name is 'US government' in ours and 'USA (Trump administration)' in theirs "
        "(was 'United States'); kept ours"
    )
    store = versions.merged_store(merged)
    assert store.codebook.require_party("usa").name == "US government" and len(store.revisions()) == 2


def test_an_issue_added_on_both_sides_with_different_scales_is_a_conflict(versions: Versions) -> None:
    versions.store("ours").add_issue(Issue.from_json({"id": "prisoners", "scale": ["none", "some", "all"]}))
    versions.store("theirs").add_issue(Issue.from_json({"id": "prisoners", "scale": ["none", "all"]}))
    (conflict,) = versions.merge().conflicts
    assert conflict.startswith("issue 'prisoners': scale is none · some · all in ours and none · all in theirs")


def test_a_stance_removed_on_one_side_and_used_on_the_other_is_a_conflict(versions: Versions) -> None:
    data = orjson.loads(versions.ours.read_bytes())
    nato = next(doc for doc in data["issues"].values() if doc["id"] == "nato")
    nato["scale"] = [step for step in nato["scale"] if step["code"] != "join-now"]  # a hand edit: no command removes
    versions.ours.write_bytes(dump_tables(data))
    used = versions.store("theirs").add(fields(party="ukraine", stance="join-now"))
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert "issue 'nato'" in conflict and "join-now" in conflict and used.id in conflict
    store = versions.merged_store(merged)  # the scale that has the stance is kept: every statement loads
    assert store.codebook.require_issue("nato").stance("join-now") is not None
    assert store.history(used.id)[0].stance == "join-now"


def test_meta_merges_field_by_field(versions: Versions) -> None:
    from tracker.evidence import Policy

    versions.store("ours").set_policy(Policy.from_json({"min_grade": "B2", "window_days": 7}))
    data = orjson.loads(versions.theirs.read_bytes())
    data["meta"]["1"]["title"] = "Talks 2025"
    versions.theirs.write_bytes(dump_tables(data))
    store = versions.merged_store(clean(versions.merge()))
    assert (store.title, store.policy.min_grade) == ("Talks 2025", "B2")


def found(store: Store, sentence: str, fetched_at: str) -> list[Candidate]:
    """A pull that found ``sentence`` in one article (the id is new, as in a real pull)."""
    candidate = Candidate(
        id=inbox.new_candidate_id(),
        party="russia",
        issue="kursk",
        speaker="Vladimir Putin",
        summary=sentence,
        stated_on="2025-03-14",
        sources=(Source(url="https://news.example/kursk", published="2025-03-14"),),
        fetched_at=fetched_at,
    )
    return list(inbox.save_pull(store, {}, [candidate]).added)


def test_a_sentence_both_sides_pulled_is_one_candidate_with_its_decision(versions: Versions) -> None:
    (mine,) = found(versions.store("ours"), "Putin said they must surrender.", "2025-03-14T19:00:00.000000Z")
    (yours,) = found(versions.store("theirs"), "Putin said they must surrender.", "2025-03-14T20:00:00.000000Z")
    statement = inbox.accept(versions.store("theirs"), yours.id, stance="surrender")
    merged = clean(versions.merge())
    (candidate,) = versions.merged_store(merged).candidates()
    # One candidate: under the id of the copy decided, and accepted as the statement theirs made of it.
    assert (candidate.id, candidate.status, candidate.statement_id) == (yours.id, "accepted", statement.id)
    assert mine.id != yours.id
    same_bytes_either_way(versions)


def test_a_candidate_decided_differently_is_a_conflict(versions: Versions) -> None:
    (candidate,) = found(versions.store("base"), "Zelensky rejected the truce.", "2025-03-14T19:00:00.000000Z")
    shutil.copyfile(versions.base, versions.ours)
    shutil.copyfile(versions.base, versions.theirs)
    inbox.accept(versions.store("ours"), candidate.id, stance="surrender")
    inbox.reject(versions.store("theirs"), candidate.id)
    merged = versions.merge()
    (conflict,) = merged.conflicts
    assert (
        conflict.startswith(f"candidate {candidate.id!r}") and "'accepted' in ours and 'rejected' in theirs" in conflict
    )
    assert versions.merged_store(merged).candidate(candidate.id).status == "accepted"


def test_a_feeds_pull_state_comes_from_the_later_pull(versions: Versions) -> None:
    feed = inbox.add_feed(versions.store("base"), "https://news.example/rss", "Wire", allow_private=False)
    shutil.copyfile(versions.base, versions.ours)
    shutil.copyfile(versions.base, versions.theirs)
    for side, when, etag in (
        ("theirs", "2025-03-14T10:00:00.000000Z", "v2"),
        ("ours", "2025-03-14T09:00:00.000000Z", "v1"),
    ):
        update = FeedUpdate(last_pulled=when, last_status="ok", etag=etag, seen=(etag,))
        versions.store(side).update_feeds({feed.id: update})
    (merged_feed,) = versions.merged_store(clean(versions.merge())).feeds()
    assert (merged_feed.etag, merged_feed.seen, merged_feed.last_pulled) == (
        "v2",
        ("v2",),
        "2025-03-14T10:00:00.000000Z",
    )
    same_bytes_either_way(versions)


def test_a_feed_followed_on_both_sides_is_one_feed(versions: Versions) -> None:
    for side in ("ours", "theirs"):
        inbox.add_feed(versions.store(side), "https://news.example/rss", "Wire", allow_private=False)
    (feed,) = versions.merged_store(clean(versions.merge())).feeds()
    assert feed.url == "https://news.example/rss"
    same_bytes_either_way(versions)


def test_a_feed_removed_on_one_side_goes_even_if_the_other_pulled_it(versions: Versions) -> None:
    feed = inbox.add_feed(versions.store("base"), "https://news.example/rss", allow_private=False)
    shutil.copyfile(versions.base, versions.ours)
    shutil.copyfile(versions.base, versions.theirs)
    inbox.remove_feed(versions.store("ours"), feed.id)
    pulled = FeedUpdate(last_pulled="2025-03-14T10:00:00.000000Z", last_status="ok", etag="v2", seen=("e1",))
    versions.store("theirs").update_feeds({feed.id: pulled})  # a pull decides nothing: the removal stands
    assert versions.merged_store(clean(versions.merge())).feeds() == []


def test_a_code_removed_on_one_side_and_changed_on_the_other_is_kept_changed(versions: Versions) -> None:
    data = orjson.loads(versions.ours.read_bytes())
    data["parties"] = {key: doc for key, doc in data["parties"].items() if doc["id"] != "europe"}  # a hand edit
    versions.ours.write_bytes(dump_tables(data))
    versions.store("theirs").update_party("europe", name="European Union")
    merged = versions.merge()
    assert merged.conflicts == ("party 'europe': changed in theirs, removed in ours; kept it, changed",)
    assert versions.merged_store(merged).codebook.require_party("europe").name == "European Union"


# -- the files ------------------------------------------------------------------------


def test_no_base_merges_two_stores_made_apart(tmp_path: Path) -> None:
    """git gives an empty base when both sides added the file: everything is new on one side or both."""
    paths = [tmp_path / f"{side}.json" for side in ("ours", "theirs")]
    for path, stance in zip(paths, ("not-now", "renounce"), strict=True):
        Store.create(path, default_tables("Shared record"))
        Store(path).add(fields(stance=stance))
    merged = clean(merge_files(b"", paths[0].read_bytes(), paths[1].read_bytes(), Path("positions.json")))
    assert len(merged.tables["statements"]) == 2 and len(merged.tables["parties"]) == 4


def test_a_side_of_an_older_schema_is_migrated_first(versions: Versions) -> None:
    versions.base.write_bytes(schema_0())
    versions.ours.write_bytes(schema_0())
    shutil.copyfile(versions.base, versions.theirs)
    added = Store(versions.theirs).add(fields(stance="not-now"))  # the first write migrates theirs
    merged = clean(versions.merge())
    assert merged.tables["meta"]["1"]["schema"] == 1 and "inbox" in merged.tables
    assert added.id in {doc["id"] for doc in merged.tables["statements"].values()}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", ["(theirs)", "empty"]),
        (b"[1, 2]", ["(theirs)", "not a tracker store"]),
        (b'{"meta": {"1": {"schema": 99}}}', ["(theirs)", "newer tracker"]),
        (b"<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n", ["(theirs)", "conflict markers"]),
    ],
    ids=["empty", "foreign", "newer", "markers"],
)
def test_a_version_that_is_no_store_is_one_error_naming_it(
    versions: Versions, content: bytes, words: list[str]
) -> None:
    versions.theirs.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        versions.merge()
    for word in words:
        assert word in str(raised.value)


# -- properties: random work on two branches ------------------------------------------


@dataclass
class Clock:
    """The store's record time and new ids, set by the test: each write is stamped as the test says,
    so a write can be replayed into another store exactly."""

    now: str = ""
    next_id: str = ""
    start: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def tick(self, step: int) -> str:
        self.now = format_instant(self.start + timedelta(seconds=step))
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(store_module, "now_instant", lambda: made.now)
    monkeypatch.setattr(store_module, "new_statement_id", lambda: made.next_id)
    return made


@dataclass(frozen=True)
class Op:
    """One analyst's write on one branch, as it can be replayed: where, when, what, on what."""

    side: str
    at: int
    kind: str
    target: str
    data: dict[str, Any]

    def apply(self, store: Store, clock: Clock) -> None:
        clock.tick(self.at)
        if self.kind == "add":
            clock.next_id = self.target
            store.add(self.data)
        elif self.kind == "correct":
            store.correct(self.target, self.data, reason=f"fix {self.at}")
        elif self.kind == "retract":
            store.retract(self.target, "withdrawn", withdrawn_on=self.data["until"])
        elif self.kind == "party":
            store.add_party(Party(self.target, self.target.title()))
        else:
            store.update_party(self.target, aliases=[self.data["alias"]])


SCALES = {
    "nato": ["join-now", "irreversible-path", "not-now", "unrealistic", "renounce"],
    "kursk": ["exchange", "surrender"],
}
GRADES = [f"{r}{c}" for r in "ABC" for c in "123"]


def random_work(rng: random.Random, base: Store, *, shared: bool, steps: int) -> Iterator[Op]:
    """Random adds, corrections and retractions (and codebook growth) on two branches, in record-time order.

    ``shared``: both branches may revise the same statement of the base. Without it,
    each base statement belongs to at most one branch, and a branch revises only
    its own and those: then "one store receiving every write in record-time
    order" is well defined, and it records exactly what the two branches did. With
    it, concurrent revisions of one statement are written, by design, each on the
    revision the branch saw: a correction made after the other branch's does not
    carry its change, and a correction after the other branch's retraction is
    one a single store would refuse (the merge reports it as a conflict).
    """
    base_ids = sorted({s.id for s in base.revisions()})
    owner = {sid: rng.choice(["ours", "theirs", "none"]) for sid in base_ids}
    visible = {side: [sid for sid in base_ids if shared or owner[sid] == side] for side in ("ours", "theirs")}
    retracted: dict[str, set[str]] = {"ours": set(), "theirs": set()}
    parties = {"ours": ["russia", "usa"], "theirs": ["russia", "usa"]}
    for step in range(1, steps + 1):
        side = rng.choice(["ours", "theirs"])
        kind = rng.choices(["add", "correct", "retract", "party", "alias"], [4, 4, 2, 1, 1])[0]
        live = [sid for sid in visible[side] if sid not in retracted[side]]
        if kind == "add" or (kind in ("correct", "retract") and not live):
            issue = rng.choice(sorted(SCALES))
            day = f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            record = fields(
                party=rng.choice(parties[side]), issue=issue, stance=rng.choice(SCALES[issue]), stated_on=day,
                grade=rng.choice(GRADES),
            )  # fmt: skip
            visible[side].append(f"st_p{step:04d}")
            yield Op(side, step, "add", f"st_p{step:04d}", record)
        elif kind == "correct":
            change = rng.choice(
                [{"grade": rng.choice(GRADES)}, {"speaker": f"speaker {step}"}, {"summary": f"s{step}"}]
            )
            yield Op(side, step, "correct", rng.choice(live), change)
        elif kind == "retract":
            target = rng.choice(live)
            retracted[side].add(target)
            yield Op(side, step, "retract", target, {"until": rng.choice(["", "2025-12-31"])})
        elif kind == "party":
            parties[side].append(f"{side}{step}")
            yield Op(side, step, "party", f"{side}{step}", {})
        else:
            yield Op(side, step, "alias", "usa", {"alias": f"alias {step}"})


def seeded_base(folder: Path, rng: random.Random, clock: Clock) -> Path:
    base = folder / "base.json"
    Store.create(base, default_tables("Shared record"))
    store = Store(base)
    for n in range(6):
        clock.tick(-100 + n)
        clock.next_id = f"st_base{n}"
        issue = rng.choice(sorted(SCALES))
        store.add(fields(party=rng.choice(["russia", "usa"]), issue=issue, stance=rng.choice(SCALES[issue])))
    return base


def run_branches(folder: Path, seed: int, clock: Clock, *, shared: bool) -> tuple[Versions, list[Op]]:
    rng = random.Random(seed)
    base = seeded_base(folder, rng, clock)
    versions = Versions(folder, base, folder / "ours.json", folder / "theirs.json")
    shutil.copyfile(base, versions.ours)
    shutil.copyfile(base, versions.theirs)
    done: list[Op] = []
    for op in random_work(rng, Store(base), shared=shared, steps=24):
        try:
            op.apply(versions.store(op.side), clock)
        except InputError:  # "nothing to correct": the random change left the statement as it was
            continue
        done.append(op)
    return versions, done


def writes(tables: dict[str, Any]) -> list[bytes]:
    """Every statement revision of some tables, as content (keys aside), sorted."""
    return sorted(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) for doc in tables["statements"].values())


def cells(store: Store, day: str) -> list[str]:
    return sorted(json.dumps(cell.as_json(), sort_keys=True) for cell in store.timeline().matrix(day).cells.values())


@pytest.mark.parametrize("seed", range(12))
def test_the_merge_is_what_one_store_receiving_every_write_records(tmp_path: Path, clock: Clock, seed: int) -> None:
    versions, done = run_branches(tmp_path, seed, clock, shared=False)
    single = tmp_path / "single.json"
    shutil.copyfile(versions.base, single)
    for op in done:  # every write of both branches, in record-time order, into one store
        op.apply(Store(single), clock)
    merged = clean(versions.merge())
    assert dump_tables(merged.tables) == same_bytes_either_way(versions)
    everything = orjson.loads(single.read_bytes())
    assert writes(merged.tables) == writes(everything)  # exactly the union of revisions, numbered as one store would
    store, one = versions.merged_store(merged), Store(single)
    for day in ("2025-01-15", "2025-06-30", "2026-01-01"):
        assert cells(store, day) == cells(one, day)
    assert {(p.id, frozenset(p.aliases)) for p in store.codebook.parties} == {
        (p.id, frozenset(p.aliases)) for p in one.codebook.parties
    }


@pytest.mark.parametrize("seed", range(12))
def test_concurrent_revisions_of_one_statement_lose_nothing(tmp_path: Path, clock: Clock, seed: int) -> None:
    versions, _ = run_branches(tmp_path, 1000 + seed, clock, shared=True)
    merged = versions.merge()
    sides = [orjson.loads(path.read_bytes())["statements"].values() for path in (versions.ours, versions.theirs)]

    def content(doc: dict[str, Any]) -> tuple[str, bytes]:
        return doc["id"], orjson.dumps({k: v for k, v in doc.items() if k != "rev"}, option=orjson.OPT_SORT_KEYS)

    union = {content(doc) for side in sides for doc in side}
    assert {content(doc) for doc in merged.tables["statements"].values()} == union  # every write, each once
    store = versions.merged_store(merged)
    for statement_id in {sid for sid, _ in union}:
        history = store.history(statement_id)
        assert [s.rev for s in history] == list(range(1, len(history) + 1))
        for side in sides:  # each branch's own order of its revisions is kept
            own = [content(d)[1] for d in sorted((d for d in side if d["id"] == statement_id), key=lambda d: d["rev"])]
            order = [content(s.as_json())[1] for s in history]
            assert [order.index(write) for write in own] == sorted(order.index(write) for write in own)
        # The clock only moves forward here, so the latest revision is the one recorded last.
        assert history[-1].recorded_at == max(s.recorded_at for s in history)
    for conflict in merged.conflicts:  # the only conflict such work can make
        assert "retracted in" in conflict
    if not merged.conflicts:
        assert dump_tables(merged.tables) == same_bytes_either_way(versions)
