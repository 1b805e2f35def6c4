"""Timeline.diff on hand-built stores: every kind, the shift, toward/away, the window, known-at."""

from __future__ import annotations

from typing import Any

from tracker.dates import now_instant
from tracker.store import Store

D0, D1, D2, D3 = "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"


def said(store: Store, party: str, issue: str, stance: str, on: str, **extra: Any) -> str:
    """Record one statement and return its id."""
    fields = {
        "party": party,
        "issue": issue,
        "stance": stance,
        "stated_on": on,
        "speaker": f"{party} speaker",
        "grade": "B2",
    }
    return store.add({**fields, **extra}).id


def diff_json(store: Store, start: str, end: str, **options: Any) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = (
        store.timeline(options.pop("known_at", None)).diff(start, end, **options).as_json()["changes"]
    )
    return changes


def only(changes: list[dict[str, Any]], party: str, issue: str = "nato") -> dict[str, Any]:
    found = [c for c in changes if c["party"] == party and c["issue"] == issue]
    assert len(found) == 1, changes
    return found[0]


def test_new_position_has_no_before_and_no_shift(store: Store) -> None:
    sid = said(store, "usa", "nato", "not-now", D2)
    change = only(diff_json(store, D1, D3), "usa")
    assert change["kind"] == "new"
    assert change["before"] is None
    assert change["after"]["stance"] == "not-now"
    assert change["after"]["statement_id"] == sid
    assert change["shift"] is None
    assert change["movement"] is None
    assert change["statements"] == [sid]


def test_changed_reports_shift_and_the_path_inside_the_window(store: Store) -> None:
    said(store, "usa", "nato", "irreversible-path", D0)
    first = said(store, "usa", "nato", "renounce", "2025-02-10")
    second = said(store, "usa", "nato", "unrealistic", D2)
    change = only(diff_json(store, D1, D3), "usa")
    assert change["kind"] == "changed"
    assert (change["before"]["stance"], change["after"]["stance"]) == ("irreversible-path", "unrealistic")
    assert change["shift"] == 3 - 1
    assert change["statements"] == [first, second]


def test_window_is_open_at_from_and_closed_at_to(store: Store) -> None:
    said(store, "russia", "kursk", "expel-by-force", D1)
    at_to = said(store, "russia", "kursk", "surrender", D2)
    change = only(diff_json(store, D1, D2), "russia", "kursk")
    assert change["statements"] == [at_to]
    assert change["before"]["stated_on"] == D1


def test_movement_toward_the_others(store: Store) -> None:
    # Others at TO: ukraine 0, russia 4, europe 4. usa 1 -> 2: distances 1+3+3=7 -> 2+2+2=6.
    said(store, "ukraine", "nato", "join-now", D0)
    said(store, "russia", "nato", "renounce", D0)
    said(store, "europe", "nato", "renounce", D0)
    said(store, "usa", "nato", "irreversible-path", D0)
    said(store, "usa", "nato", "not-now", D2)
    change = only(diff_json(store, D1, D3), "usa")
    assert change["shift"] == 1
    assert change["movement"] == "toward"


def test_movement_away_from_the_others(store: Store) -> None:
    # Others at TO: russia 4, usa 2. ukraine 1 -> 0: distances 3+1=4 -> 4+2=6.
    said(store, "russia", "nato", "renounce", D0)
    said(store, "usa", "nato", "not-now", D0)
    said(store, "ukraine", "nato", "irreversible-path", D0)
    said(store, "ukraine", "nato", "join-now", D2)
    change = only(diff_json(store, D1, D3), "ukraine")
    assert change["shift"] == -1
    assert change["movement"] == "away"


def test_movement_uses_every_other_party_even_when_filtered(store: Store) -> None:
    said(store, "ukraine", "nato", "join-now", D0)
    said(store, "russia", "nato", "renounce", D0)
    said(store, "europe", "nato", "renounce", D0)
    said(store, "usa", "nato", "irreversible-path", D0)
    said(store, "usa", "nato", "not-now", D2)
    changes = diff_json(store, D1, D3, parties=["usa"])
    assert [c["party"] for c in changes] == ["usa"]
    assert changes[0]["movement"] == "toward"


def test_movement_is_null_without_other_positions(store: Store) -> None:
    said(store, "usa", "nato", "irreversible-path", D0)
    said(store, "usa", "nato", "not-now", D2)
    assert only(diff_json(store, D1, D3), "usa")["movement"] is None


def test_withdrawn_when_the_only_position_is_withdrawn_inside_the_window(store: Store) -> None:
    sid = said(store, "usa", "kursk", "exchange", D0)
    store.retract(sid, "offer withdrawn", withdrawn_on=D2)
    change = only(diff_json(store, D1, D3), "usa", "kursk")
    assert change["kind"] == "withdrawn"
    assert change["before"]["statement_id"] == sid
    assert change["after"] is None
    assert change["shift"] is None


def test_withdrawal_falls_back_to_the_earlier_position(store: Store) -> None:
    said(store, "usa", "kursk", "negotiated-withdrawal", D0)
    later = said(store, "usa", "kursk", "exchange", "2025-01-15")
    store.retract(later, "walked back", withdrawn_on=D2)
    change = only(diff_json(store, D1, D3), "usa", "kursk")
    assert change["kind"] == "withdrawn"  # said as a withdrawal, never as a move (issue 13)
    assert (change["before"]["stance"], change["after"]["stance"]) == ("exchange", "negotiated-withdrawal")


def test_retraction_without_date_means_it_never_stood(store: Store) -> None:
    sid = said(store, "usa", "kursk", "exchange", D2)
    store.retract(sid, "misattributed")
    assert diff_json(store, D1, D3) == []


def test_restated_only_when_asked(store: Store) -> None:
    said(store, "russia", "sanctions", "lift", D0)
    again = said(store, "russia", "sanctions", "lift", D2)
    assert diff_json(store, D1, D3) == []
    change = only(diff_json(store, D1, D3, restated=True), "russia", "sanctions")
    assert change["kind"] == "restated"
    assert change["shift"] == 0
    assert change["statements"] == [again]


def test_known_at_before_a_correction_shows_the_first_record(store: Store) -> None:
    said(store, "usa", "nato", "irreversible-path", D0)
    sid = said(store, "usa", "nato", "renounce", D2)
    before_correction = now_instant()
    store.correct(sid, {"stance": "not-now"}, reason="misread the transcript")

    from tracker.dates import parse_instant

    then = diff_json(store, D1, D3, known_at=parse_instant(before_correction))
    now = diff_json(store, D1, D3)
    assert only(then, "usa")["after"]["stance"] == "renounce"
    assert only(now, "usa")["after"]["stance"] == "not-now"


def test_no_changes_is_an_empty_list(store: Store) -> None:
    said(store, "usa", "nato", "not-now", D0)
    assert diff_json(store, D2, D3) == []


def test_changes_come_in_codebook_order(store: Store) -> None:
    for party, issue, stance in [
        ("usa", "sanctions", "tighten"),
        ("russia", "nato", "renounce"),
        ("ukraine", "nato", "join-now"),
        ("russia", "kursk", "surrender"),
    ]:
        said(store, party, issue, stance, D2)
    order = [(c["issue"], c["party"]) for c in diff_json(store, D1, D3)]
    assert order == [("nato", "russia"), ("nato", "ukraine"), ("kursk", "russia"), ("sanctions", "usa")]
