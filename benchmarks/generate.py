"""Synthetic stores for the benchmark: valid, deterministic, realistic in size.

A store of ``n`` statements has the default codebook plus extra parties and
issues (20 x 25 at 100,000 statements), ``n`` statement ids spread over eleven
years, and a few extra revisions (about 5 % corrected, 1 % retracted), so the
timeline has real work to do. Texts are cut from a fixed word soup, with the
lengths of the bundled record's fields (summary ~150 characters, note ~270,
quotes on most statements, conditions, tags and a source).

The file is built the way the store builds it (``Statement.as_json``, the
codebook tables, ``dump_tables``), so it is byte-for-byte the real format, and
``tracker check`` passes on it. Generation takes a few seconds at 100,000
statements; the results are cached in ``benchmarks/.cache/``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.ids import ulid
from tracker.model import CHANNELS, Issue, Party, Source, Statement
from tracker.store import Tables, default_tables, dump_tables
from tracker.transfer import export_bytes

GENERATOR_VERSION = 2
"""Bump when the generated data changes, so cached files are rebuilt."""

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2025, 12, 31)
RECORDING_STARTS = datetime(2024, 1, 1, tzinfo=UTC)

_SOUP = (
    "the ceasefire must include guarantees for security and a monitoring mission along the line of "
    "contact while sanctions relief depends on verified withdrawal from occupied territory and the return "
    "of prisoners negotiators said talks in Istanbul Riyadh and Geneva made progress on energy "
    "infrastructure the minister insisted that neutrality is not on the table and that any settlement "
    "must respect sovereignty and borders recognised in 1991 officials described the proposal as "
    "unrealistic a spokesperson told reporters that the delegation would consult allies before the next "
    "round the president called for an immediate full truce a leaked memo suggested phased relief of "
    "financial restrictions in exchange for a freeze of hostilities coalition partners pledged air "
    "defence and reconstruction funds analysts read the remarks as a hardening of the position on "
    "membership"
)
_WORDS = _SOUP.split()


@dataclass(frozen=True)
class Shape:
    """How big a generated store is."""

    statements: int
    parties: int
    issues: int

    @property
    def name(self) -> str:
        return f"{self.statements // 1000}k" if self.statements >= 1000 else str(self.statements)


def shape_for(statements: int) -> Shape:
    """The codebook grows with the record: 20 parties x 25 issues at 100,000 statements."""
    if statements >= 100_000:
        return Shape(statements, 20, 25)
    if statements >= 10_000:
        return Shape(statements, 12, 15)
    if statements >= 1_000:
        return Shape(statements, 8, 10)
    return Shape(statements, 5, 6)


@dataclass(frozen=True)
class Generated:
    """The files the benchmark uses for one size."""

    shape: Shape
    store: Path
    """The store with every statement."""
    empty: Path
    """The same codebook with no statements: the target of ``tracker import``."""
    export: Path
    """Every statement in ``tracker export`` shape (with revisions): the file ``tracker import`` reads."""
    revisions: int
    parties: tuple[str, ...]
    issues: tuple[str, ...]
    stances: dict[str, tuple[str, ...]]


def codebook_tables(shape: Shape) -> Tables:
    """The default codebook plus generated parties and issues, up to the shape's counts."""
    tables = default_tables(f"Synthetic record, {shape.statements} statements")
    parties = list(tables["parties"].values())
    issues = list(tables["issues"].values())
    for n in range(len(parties) + 1, shape.parties + 1):
        party = Party(
            f"party-{n:02d}", f"Party {n}", (f"Minister {n}", f"Capital {n}"), f"#{(n * 2654435) % 0xFFFFFF:06x}"
        )
        tables["parties"][str(n)] = party.as_json()
    for n in range(len(issues) + 1, shape.issues + 1):
        steps = [{"code": f"step-{k}", "label": f"Step {k} of issue {n}"} for k in range(3 + n % 4)]
        issue = Issue.from_json({
            "id": f"issue-{n:02d}",
            "name": f"Issue {n}",
            "question": f"Synthetic question number {n}",
            "keywords": [f"keyword{n}", f"topic{n}"],
            "scale": steps,
        })  # fmt: skip
        tables["issues"][str(n)] = issue.as_json()
    return tables


class _Text:
    """Cuts word-aligned snippets of a given length from a fixed soup of words."""

    def __init__(self, rng: random.Random) -> None:
        self.soup = " ".join(rng.choices(_WORDS, k=60_000))
        self.rng = rng

    def __call__(self, low: int, high: int) -> str:
        length = self.rng.randint(low, high)
        start = self.soup.find(" ", self.rng.randrange(len(self.soup) - high - 20)) + 1
        text = self.soup[start : start + length]
        return text[: text.rfind(" ")] if " " in text else text


def _ulid(rng: random.Random, moment: datetime) -> str:
    return ulid(int(moment.timestamp() * 1000), rng.getrandbits(80))


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def statements(shape: Shape, tables: Tables, seed: int = 7) -> list[Statement]:
    """Every revision, in the order recorded: ``shape.statements`` ids plus corrections and retractions."""
    rng = random.Random(seed)
    text = _Text(rng)
    parties = [p["id"] for p in tables["parties"].values()]
    issues = {i["id"]: [s["code"] for s in i["scale"]] for i in tables["issues"].values()}
    issue_ids = list(issues)
    days = (LAST_DAY - FIRST_DAY).days
    outlets = ("Reuters", "AP", "TASS", "Ukrainska Pravda", "Politico Europe", "Kyiv Independent", "RIA")
    step = timedelta(seconds=(2 * 365 * 86400) / max(shape.statements, 1))
    moment = RECORDING_STARTS
    found: list[Statement] = []
    for _ in range(shape.statements):
        moment += step
        issue = rng.choice(issue_ids)
        stated = FIRST_DAY + timedelta(days=rng.randrange(days))
        published = stated + timedelta(days=rng.randrange(3))
        found.append(
            Statement(
                id=f"st_{_ulid(rng, moment)}",
                rev=1,
                party=rng.choice(parties),
                issue=issue,
                stance=rng.choice(issues[issue]),
                stated_on=stated.isoformat(),
                summary=text(80, 250),
                quote=text(40, 260) if rng.random() < 0.7 else "",
                speaker=text(8, 40),
                channel=rng.choice(CHANNELS),
                conditions=tuple(text(20, 70) for _ in range(rng.randrange(3))),
                source=Source(
                    url=f"https://news.example.org/{stated.year}/{rng.getrandbits(40):x}",
                    title=text(30, 90),
                    outlet=rng.choice(outlets),
                    published=published.isoformat(),
                ),
                grade=f"{rng.choice('ABCDEF')}{rng.randint(1, 6)}",
                tags=tuple(rng.sample(("baseline", "summit", "leak", "tv", "press", "treaty"), rng.randrange(3))),
                note=text(0, 540),
                recorded_at=_instant(moment),
                recorded_by=rng.choice(("analyst-a", "analyst-b", "importer")),
            )
        )
    later: list[Statement] = []
    for original in rng.sample(found, shape.statements // 20):  # corrections
        moment += step
        later.append(
            Statement.from_json({
                **original.as_json(),
                "rev": 2,
                "stance": rng.choice(issues[original.issue]),
                "grade": f"{rng.choice('ABCDEF')}{rng.randint(1, 6)}",
                "recorded_at": _instant(moment),
                "reason": "re-coded after reading the transcript",
            })
        )  # fmt: skip
    corrected = {s.id for s in later}
    for original in rng.sample(found, shape.statements // 100):  # retractions
        if original.id in corrected:
            continue
        moment += step
        withdrawn = date.fromisoformat(original.stated_on) + timedelta(days=rng.randrange(400))
        later.append(
            Statement.from_json({
                **original.as_json(),
                "rev": 2,
                "retracted": True,
                "reason": "misattributed" if rng.random() < 0.5 else "offer withdrawn",
                "withdrawn_on": "" if rng.random() < 0.5 else min(withdrawn, LAST_DAY).isoformat(),
                "recorded_at": _instant(moment),
            })
        )  # fmt: skip
    return found + later


def generate(statements_count: int, folder: Path, *, seed: int = 7) -> Generated:
    """The store, its empty twin and its export for one size; reuses cached files."""
    shape = shape_for(statements_count)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"v{GENERATOR_VERSION}-s{seed}-{shape.statements}"
    store, empty, export = (folder / f"{stem}-{kind}.json" for kind in ("store", "empty", "export"))
    tables = codebook_tables(shape)
    marker = folder / f"{stem}.done"
    revisions = 0
    if marker.exists() and all(p.exists() for p in (store, empty, export)):
        revisions = int(marker.read_text())
    else:
        empty.write_bytes(dump_tables(tables))
        found = statements(shape, tables, seed)
        revisions = len(found)
        full = {**tables, "statements": {str(n): s.as_json() for n, s in enumerate(found, 1)}}
        store.write_bytes(dump_tables(full))
        export.write_bytes(export_bytes(found, "json")[0])  # what `tracker export` writes
        marker.write_text(str(revisions))
    return Generated(
        shape=shape,
        store=store,
        empty=empty,
        export=export,
        revisions=revisions,
        parties=tuple(p["id"] for p in tables["parties"].values()),
        issues=tuple(i["id"] for i in tables["issues"].values()),
        stances={i["id"]: tuple(s["code"] for s in i["scale"]) for i in tables["issues"].values()},
    )
