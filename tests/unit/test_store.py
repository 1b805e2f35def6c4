"""The store: real files in a temp folder, deterministic bytes, atomic writes, append-only revisions."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import ESCAPES, MARKUP, assert_clean
from tracker.errors import InputError, StoreError
from tracker.model import Issue, Party, Statement
from tracker.store import Store, default_tables


def fields(**overrides: Any) -> dict[str, Any]:
    """An analyst's fields for a valid statement."""
    base: dict[str, Any] = {
        "party": "russia",
        "issue": "nato",
        "stance": "renounce",
        "stated_on": "2025-02-12",
        "speaker": "Peskov",
        "summary": "Neutrality first.",
        "grade": "B2",
        "source": {"url": "https://e.example/a", "title": "Peskov on NATO", "outlet": "TASS", "published": ""},
    }
    return {**base, **overrides}


def documents(path: Path) -> list[dict[str, Any]]:
    """The statement documents as they are in the file."""
    return list(json.loads(path.read_bytes())["statements"].values())


def stray_files(folder: Path) -> list[str]:
    """Anything in the folder but stores, lock files and backups: temp files left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


# -- the file ------------------------------------------------------------------------


def test_file_is_sorted_and_indented(store: Store) -> None:
    store.add(fields(conditions=["Ukraine neutral"], quote="Ни шагу назад"))
    raw = store.path.read_bytes()
    expected = json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert raw == expected.encode()


def test_same_data_gives_identical_bytes(tmp_path: Path) -> None:
    one = Store.create(tmp_path / "one.json", default_tables("Same"))
    two = Store.create(tmp_path / "two.json", default_tables("Same"))
    assert one.path.read_bytes() == two.path.read_bytes()
    # Writing the file's own data back through the store leaves it byte for byte.
    info = one.path.stat()
    before, written = one.path.read_bytes(), (info.st_ino, info.st_mtime_ns)
    party = one.codebook.parties[0]
    one.update_party(party.id, name="Renamed")  # an update that changes nothing is refused: change, then undo
    one.update_party(party.id, name=party.name)
    # Not the inode alone: the file system may give a freed one (the index cache's) to the new file.
    assert (one.path.stat().st_ino, one.path.stat().st_mtime_ns) != written, "the file was written again"
    assert one.path.read_bytes() == before


def test_writes_leave_no_temp_files(store: Store) -> None:
    first = store.add(fields())
    store.correct(first.id, {"stance": "unrealistic"})
    store.retract(first.id, "wrong")
    assert stray_files(store.path.parent) == []


def test_a_second_store_sees_the_first_ones_write(store_path: Path) -> None:
    reader, writer = Store(store_path), Store(store_path)
    assert reader.timeline().matrix("2025-12-31").cells == {}
    added = writer.add(fields())
    cell = reader.timeline().cell("russia", "nato", "2025-12-31")
    assert cell is not None and cell.statement.id == added.id
    assert reader.reload_if_changed() is False
    writer.correct(added.id, {"stance": "unrealistic"})
    assert reader.reload_if_changed() is True
    assert [s.rev for s in reader.history(added.id)] == [1, 2]


def test_a_store_notices_its_file_gone_or_spoiled(store_path: Path) -> None:
    store = Store(store_path)
    store.add(fields())
    store_path.write_bytes(b"{spoiled")
    with pytest.raises(StoreError, match=r"positions\.json"):
        store.revisions()
    with pytest.raises(StoreError):
        store.add(fields(stated_on="2025-02-13"))
    assert store_path.read_bytes() == b"{spoiled"  # never overwritten with what the store held before
    store_path.unlink()
    with pytest.raises(StoreError, match=r"positions\.json"):
        store.timeline()
    with pytest.raises(StoreError):
        store.add(fields(stated_on="2025-02-14"))
    assert not store_path.exists()


def test_writers_in_two_stores_do_not_lose_each_others_statements(store_path: Path) -> None:
    one, two = Store(store_path), Store(store_path)
    one.add(fields())
    two.add(fields(party="ukraine", stance="join-now"))
    one.add(fields(party="usa", stance="unrealistic"))
    assert len({d["id"] for d in documents(store_path)}) == 3


def test_concurrent_processes_keep_every_write(store_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from tracker.store import Store
        store = Store({str(store_path)!r})
        for n in range(8):
            store.add({{"party": "usa", "issue": "kursk", "stance": "exchange", "stated_on": "2025-03-%02d" % (n + 1)}})
        """
    )
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0, 0]
    docs = documents(store_path)
    assert len(docs) == 24
    assert len({d["id"] for d in docs}) == 24
    assert stray_files(store_path.parent) == []


# -- ids and revisions ---------------------------------------------------------------


def test_ids_are_st_strings_not_tinydb_integers(store: Store) -> None:
    added = [store.add(fields(stated_on=f"2025-01-0{n}")) for n in range(1, 4)]
    for statement, doc in zip(added, documents(store.path), strict=True):
        assert isinstance(doc["id"], str) and doc["id"].startswith("st_")
        assert doc["id"] == statement.id
        assert doc["rev"] == 1
    assert len({s.id for s in added}) == 3


def test_add_records_who_and_when(store: Store) -> None:
    added = store.add(fields())
    assert added.recorded_by == "tester"
    assert added.recorded_at.endswith("Z") and added.recorded_at[:4].isdigit()
    assert added.retracted is False


def test_correct_and_retract_append_and_never_modify(store: Store) -> None:
    first = store.add(fields())
    rev1 = documents(store.path)[0]
    second = store.correct(first.id, {"stance": "unrealistic", "source": {"title": "Better title"}}, reason="misread")
    third = store.retract(first.id, "not said")
    docs = documents(store.path)
    assert docs[0] == rev1
    assert [d["rev"] for d in docs] == [1, 2, 3]
    assert {d["id"] for d in docs} == {first.id}
    assert (second.rev, second.stance, second.reason) == (2, "unrealistic", "misread")
    assert second.source.title == "Better title" and second.source.url == first.source.url
    assert second.speaker == first.speaker
    assert (third.rev, third.retracted, third.reason, third.stance) == (3, True, "not said", "unrealistic")
    assert first.recorded_at <= second.recorded_at <= third.recorded_at
    assert store.history(first.id) == [first, second, third]


def test_history_of_an_unknown_id_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="st_nope"):
        store.history("st_nope")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"party": "china"}, "unknown party"),
        ({"stance": "maybe"}, "unknown stance"),
        ({"stated_on": "2025-02-30"}, "not a real date"),
        ({"grade": "Z9"}, "Admiralty"),
        ({"channel": "rumour"}, "channel"),
        ({"summary": 42}, "summary"),
    ],
)
def test_bad_fields_are_refused_and_the_file_is_unchanged(store: Store, bad: dict[str, Any], message: str) -> None:
    store.add(fields())
    before = store.path.read_bytes()
    with pytest.raises(InputError, match=message):
        store.add(fields(**bad))
    assert store.path.read_bytes() == before


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda s, i: s.correct(i, {}), "nothing to correct"),
        (lambda s, i: s.correct(i, {"stance": "renounce"}), "nothing to correct"),
        (lambda s, i: s.correct(i, {"stance": "maybe"}), "unknown stance"),
        (lambda s, i: s.correct("st_nope", {"stance": "unrealistic"}), "no statement"),
        (lambda s, i: s.retract(i, "  "), "reason"),
        (lambda s, i: s.retract(i, "why", withdrawn_on="2025-01-01"), "cannot withdraw"),
    ],
)
def test_refused_revisions_leave_the_file_unchanged(store: Store, step: Any, message: str) -> None:
    first = store.add(fields())
    before = store.path.read_bytes()
    with pytest.raises(InputError, match=message):
        step(store, first.id)
    assert store.path.read_bytes() == before


def test_a_retracted_statement_takes_no_more_revisions(store: Store) -> None:
    first = store.add(fields())
    store.retract(first.id, "wrong")
    before = store.path.read_bytes()
    with pytest.raises(InputError, match="retracted"):
        store.correct(first.id, {"stance": "unrealistic"})
    with pytest.raises(InputError, match="already retracted"):
        store.retract(first.id, "again")
    assert store.path.read_bytes() == before


def test_retract_with_a_date_makes_it_stand_only_before(store: Store) -> None:
    first = store.add(fields(stated_on="2025-02-12"))
    store.retract(first.id, "walked back", withdrawn_on="2025-03-01")
    timeline = store.timeline()
    assert timeline.cell("russia", "nato", "2025-02-11") is None
    standing = timeline.cell("russia", "nato", "2025-02-28")
    assert standing is not None and standing.statement.id == first.id
    assert timeline.cell("russia", "nato", "2025-03-01") is None
    assert timeline.cell("russia", "nato", "2025-12-31") is None


def test_untrusted_text_is_sanitised_on_the_way_in(store: Store) -> None:
    dirty = " ".join(ESCAPES.values())
    added = store.add(fields(quote=dirty, summary=dirty, speaker=ESCAPES["window_title"], conditions=[dirty]))
    assert_clean(store.path.read_text())
    assert_clean(added.quote)
    markup = store.add(fields(quote=MARKUP["link"], stated_on="2025-02-13"))
    assert Store(store.path).history(markup.id)[0].quote == MARKUP["link"]


# -- opening and creating ------------------------------------------------------------


def test_opening_what_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="tracker init"):
        Store(tmp_path / "missing.json")
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)
    for name, content in {
        "empty.json": b"",
        "garbage.json": b"{not json",
        "list.json": b"[1, 2]",
        "nometa.json": b'{"statements": {}}',
    }.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(StoreError, match=name):
            Store(tmp_path / name)


def test_a_newer_schema_asks_for_an_upgrade(tmp_path: Path) -> None:
    tables = default_tables()
    tables["meta"]["1"]["schema"] = 99
    path = tmp_path / "new.json"
    path.write_text(json.dumps(tables))
    with pytest.raises(StoreError, match="upgrade"):
        Store(path)


def test_create_refuses_to_overwrite_and_force_keeps_a_backup(store_path: Path) -> None:
    Store(store_path).add(fields())
    before = store_path.read_bytes()
    with pytest.raises(StoreError, match="already exists") as refused:
        Store.create(store_path, default_tables("Other"))
    assert refused.value.field == "force", "the command line says --force, from the field"
    assert store_path.read_bytes() == before
    fresh = Store.create(store_path, default_tables("Other"), force=True)
    assert fresh.title == "Other" and fresh.revisions() == []
    backups = list(store_path.parent.glob(f"{store_path.name}.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


# -- import and the codebook ---------------------------------------------------------


def test_import_validates_everything_then_writes_once(store: Store) -> None:
    before = store.path.read_bytes()
    with pytest.raises(InputError, match=r"item 2: .*unknown party"):
        store.import_statements([("item 1", fields()), ("item 2", fields(party="china")), ("item 3", fields())])
    assert store.path.read_bytes() == before
    done = store.import_statements([("item 1", fields()), ("item 2", fields(party="ukraine", stance="join-now"))])
    assert [s.rev for s in done] == [1, 1]
    assert len(documents(store.path)) == 2


def test_import_keeps_given_ids_and_refuses_duplicates(store: Store) -> None:
    store.import_statements([("item 1", fields(id="st_given"))])
    assert store.history("st_given")[0].rev == 1
    before = store.path.read_bytes()
    with pytest.raises(InputError, match="st_given"):
        store.import_statements([("item 1", fields(id="st_given"))])
    with pytest.raises(InputError, match=r"item 2: .*st_twice"):
        store.import_statements([("item 1", fields(id="st_twice")), ("item 2", fields(id="st_twice"))])
    assert store.path.read_bytes() == before


def test_import_with_revisions_keeps_the_history(store: Store) -> None:
    rev1 = Statement.from_json({**fields(), "id": "st_h", "rev": 1, "recorded_at": "2025-02-12T10:00:00.000000Z"})
    rev2 = Statement.from_json(
        {**rev1.as_json(), "rev": 2, "stance": "unrealistic", "recorded_at": "2025-02-13T10:00:00.000000Z"}
    )
    store.import_statements([("item 1", {"revisions": [rev1.as_json(), rev2.as_json()]})])
    assert store.history("st_h") == [rev1, rev2]
    before = store.path.read_bytes()
    for bad, message in (
        ([rev2.as_json()], "numbered"),
        ([rev1.as_json(), {**rev2.as_json(), "id": "st_other"}], "same id"),
        ([], "non-empty"),
    ):
        with pytest.raises(InputError, match=message):
            store.import_statements([("item 1", {"revisions": bad})])
    assert store.path.read_bytes() == before


def test_codebook_can_be_extended(store: Store) -> None:
    store.add_party(Party("china", "China", ("Beijing",)))
    store.add_issue(Issue.from_json({"id": "prisoners", "scale": ["all-for-all", "none"]}))
    reopened = Store(store.path)
    assert reopened.codebook.require_party("china").aliases == ("Beijing",)
    assert reopened.add({**fields(), "party": "china", "issue": "prisoners", "stance": "none"}).rev == 1
    with pytest.raises(InputError, match="already exists"):
        store.add_party(Party("china", "China"))
    with pytest.raises(InputError):
        store.add_party(Party("Not OK", "x"))
    updated = store.update_party("china", aliases=["Xi", "Beijing"])
    assert updated.aliases == ("Beijing", "Xi")


def test_a_stance_gains_cues_and_keeps_them_through_other_updates(store_path: Path) -> None:
    store = Store(store_path)
    issue = store.add_cues("kursk", "surrender", ["raise the white flag", "surrender", "raise the white flag"])
    cues = issue.stance("surrender").cues  # type: ignore[union-attr]
    assert cues[-1] == "raise the white flag" and cues.count("surrender") == 1  # nothing twice
    store.update_issue("kursk", keywords=["Sudzha"])
    again = Store(store_path).codebook.require_stance("kursk", "surrender")
    assert again.cues == cues
    with pytest.raises(InputError, match="unknown stance 'flag' for issue 'kursk'"):
        store.add_cues("kursk", "flag", ["x"])
    with pytest.raises(InputError, match="unknown issue 'mars'"):
        store.add_cues("mars", "surrender", ["x"])
