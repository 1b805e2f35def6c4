"""The fast read path gives exactly what the general one gives.

``Statement.from_json`` has a fast path for documents in the stored shape,
``Timeline.from_documents`` indexes documents without building a Statement
for each, ``Statement.sanitised`` returns the statement itself when it is
clean, and ``Store.latest`` filters before it builds. Each is checked here
against the plain way on generated and on odd data.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tracker.errors import InputError
from tracker.model import Source, Statement, codebook_from_tables, is_stored, sanitise
from tracker.store import Store, default_tables, dump_tables
from tracker.timeline import Timeline

PARTIES = ("russia", "ukraine", "usa", "europe")
STANCES = {"nato": ("join-now", "not-now", "renounce"), "kursk": ("hold-as-leverage", "exchange", "surrender")}


def _record(rng: random.Random, n: int) -> list[Statement]:
    """A small random record with corrections, retractions and withdrawals."""
    found: list[Statement] = []
    for k in range(n):
        issue = rng.choice(list(STANCES))
        found.append(
            Statement(
                id=f"st_{k:04d}",
                rev=1,
                party=rng.choice(PARTIES),
                issue=issue,
                stance=rng.choice(STANCES[issue]),
                stated_on=f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
                summary=f"summary {k}",
                conditions=("a condition",) if k % 3 else (),
                source=Source(url=f"https://example.org/{k}"),
                grade="B2",
                tags=("tag",) if k % 2 else (),
                recorded_at=f"2025-10-01T00:00:{k % 60:02d}.{k:06d}Z",
                recorded_by="tester",
            )
        )
    later: list[Statement] = []
    for original in rng.sample(found, n // 4):
        kind = rng.random()
        later.append(
            replace(
                original,
                rev=2,
                stance=rng.choice(STANCES[original.issue]) if kind < 0.5 else original.stance,
                retracted=kind >= 0.5,
                reason="re-coded" if kind < 0.5 else "withdrawn",
                withdrawn_on="" if kind >= 0.75 or kind < 0.5 else f"2025-{rng.randint(10, 12)}-01",
                recorded_at=f"2025-11-01T00:00:00.{original.rev:06d}Z",
            )
        )
    return found + later


def _cells(timeline: Timeline, day: str) -> dict[Any, Any]:
    return {key: (c.statement, c.version) for key, c in timeline.matrix(day).cells.items()}


@pytest.mark.parametrize("seed", range(5))
def test_a_timeline_of_documents_answers_as_one_of_statements(seed: int) -> None:
    rng = random.Random(seed)
    revisions = _record(rng, 120)
    tables = default_tables()
    codebook = codebook_from_tables(tables["parties"].values(), tables["issues"].values())
    documents = [s.as_json() for s in revisions]
    rng.shuffle(documents)  # file order need not be record order
    for known_at in (None, "2025-10-15T00:00:00.000000Z"):
        plain = Timeline(codebook, sorted(revisions, key=lambda s: (s.recorded_at, s.rev)), known_at=known_at)
        fast = Timeline.from_documents(codebook, documents, known_at=known_at)
        assert fast.change_dates() == plain.change_dates()
        for day in ("2025-01-01", "2025-05-15", "2025-09-30", "2025-10-15", "2025-12-31"):
            assert _cells(fast, day) == _cells(plain, day)
            assert fast.diff("2025-03-01", day, restated=True) == plain.diff("2025-03-01", day, restated=True)
        for party in PARTIES:
            for issue in STANCES:
                assert fast.statements(party, issue) == plain.statements(party, issue)
                assert fast.between(party, issue, "2025-02-01", "2025-08-01") == plain.between(
                    party, issue, "2025-02-01", "2025-08-01"
                )


def test_the_fast_path_of_from_json_is_the_general_one() -> None:
    statement = _record(random.Random(1), 1)[0]
    stored = statement.as_json()
    assert is_stored(stored)
    assert Statement.from_json(stored) == statement
    odd: list[dict[str, Any]] = [
        {**stored, "channel": ""},  # empty channel means official, on both paths
        {**stored, "summary": None},  # None is empty text: general path
        {k: v for k, v in stored.items() if k != "withdrawn_on"},  # an older document
        {**stored, "conditions": "one condition"},
        {**stored, "source": None},
    ]
    for doc in odd:
        assert not is_stored(doc) or doc["channel"] == ""
        general = Statement.from_json(dict(doc, extra=1))  # an extra key keeps it off no path
        assert Statement.from_json(doc) == general
    # A corroborated statement is stored with one more field, and takes the fast path too.
    corroborated = replace(statement, corroborated_by=(Source("https://b.example/1", "B", "B", "2025-01-02"),))
    document = corroborated.as_json()
    assert is_stored(document) and Statement.from_json(document) == corroborated
    for bad in ("a source", [1], [{"url": 1}], [{"url": "u"}]):
        assert not is_stored({**document, "corroborated_by": bad})


@pytest.mark.parametrize(
    "change",
    [{"rev": "2"}, {"rev": True}, {"retracted": "yes"}, {"summary": 5}, {"tags": [1]}, {"source": {"url": 3}}],
)
def test_bad_types_are_still_input_errors(change: dict[str, Any]) -> None:
    stored = _record(random.Random(2), 1)[0].as_json()
    bad = {**stored, **change}
    assert not is_stored(bad)
    with pytest.raises(InputError):
        Statement.from_json(bad)


def _sanitised_plainly(s: Statement) -> Statement:
    return replace(
        s,
        summary=sanitise(s.summary),
        quote=sanitise(s.quote),
        speaker=sanitise(s.speaker),
        note=sanitise(s.note),
        conditions=tuple(c for c in map(sanitise, s.conditions) if c),
        tags=tuple(t for t in map(sanitise, s.tags) if t),
        source=Source(*(sanitise(v) for v in (s.source.url, s.source.title, s.source.outlet, s.source.published))),
        reason=sanitise(s.reason),
    )


def test_sanitised_is_the_statement_itself_only_when_nothing_changes() -> None:
    rng = random.Random(3)
    alphabet = [*"abc xyz" * 30, *map(chr, range(0x250)), "\u200b", "\u202e", "\ufeff", "\u3000", "\x1b", "\r", "\n"]
    base = _record(rng, 1)[0]
    clean = 0
    for _ in range(3000):

        def text() -> str:
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))

        s = replace(
            base,
            summary=text(),
            quote=text(),
            note=text(),
            reason=text(),
            conditions=tuple(text() for _ in range(rng.randrange(3))),
            tags=tuple(text() for _ in range(rng.randrange(3))),
            source=Source(text(), text(), text(), text()),
        )
        result = s.sanitised()
        assert result == _sanitised_plainly(s)
        clean += result is s
    assert clean  # the fast path was taken at least once


def test_latest_is_what_log_lists(tmp_path: Path) -> None:
    revisions = _record(random.Random(4), 80)
    tables = default_tables()
    tables["statements"] = {str(n): s.as_json() for n, s in enumerate(revisions, 1)}
    path = tmp_path / "positions.json"
    path.write_bytes(dump_tables(tables))
    store = Store(path)
    newest: dict[str, Statement] = {}
    for s in store.revisions():
        if s.id not in newest or s.rev > newest[s.id].rev:
            newest[s.id] = s
    expected = sorted(newest.values(), key=lambda s: s.id)

    def by_id(found: list[Statement]) -> list[Statement]:
        assert [(s.recorded_at, s.rev) for s in found] == sorted((s.recorded_at, s.rev) for s in found)
        return sorted(found, key=lambda s: s.id)

    assert by_id(store.latest()) == expected
    assert by_id(store.latest(["usa"], ["nato"])) == [s for s in expected if s.party == "usa" and s.issue == "nato"]
    assert by_id(store.latest(issues=["kursk"])) == [s for s in expected if s.issue == "kursk"]
