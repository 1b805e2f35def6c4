"""Benchmark: how good the inbox's candidates are, measured on the labelled set.

    python benchmarks/ingest_quality.py              # the table
    python benchmarks/ingest_quality.py --details    # and every miss, false candidate and wrong field
    python benchmarks/ingest_quality.py --json       # the numbers, for a script

The labelled set is ``tests/fixtures/ingest/labelled/``: news pages (the seed
digest's articles, and pages written with the hard patterns of news English)
and ``labels.json``, the statements an analyst would record from them, with
the conventions they follow. Each page is read as a pull reads an article
(``read_article``: trafilatura's main text, the feed's outlet and date), its
candidates found with the store's codebook (the default one, plus a party
added by name only, as labels.json says), and all of them folded into one
inbox as a pull folds them (``inbox_model.merged``: one statement several
outlets carry is one candidate).

A candidate *is* a labelled statement when it has the statement's issue, one
of its sources is a page the statement is on, and its summary (the reporter's
sentence) contains one of the statement's evidence texts. Then:

- recall: labelled statements some candidate is;
- precision: candidates that are a labelled statement (a duplicate is one, and is counted below);
- party, speaker, exact quote, stance top-1: over the statements found, the
  candidate an analyst would take (one from the statement's main evidence if
  there is one) has the label's party, speaker (case and spacing aside), quote
  (spacing aside) and suggested stance;
- duplicates: candidates beyond the first that are the same labelled statement.

Channel, date and corroboration are shown too, without targets. Nothing here
touches the network or anything outside the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "fixtures" / "ingest" / "labelled"
sys.path.insert(0, str(ROOT))

from tracker import codebook as default_codebook  # noqa: E402
from tracker.inbox_model import Candidate, merged  # noqa: E402
from tracker.ingest.extract import find_candidates, read_article  # noqa: E402
from tracker.model import Codebook, Party, codebook_from_tables  # noqa: E402

TARGETS = {"recall": 0.9, "precision": 0.7, "party": 0.9, "speaker": 0.9, "quote": 0.9, "stance": 0.6}
FETCHED_AT = "2025-04-01T00:00:00.000000Z"


def _spaced(text: str) -> str:
    return " ".join(text.split())


def codebook(labels: dict[str, Any]) -> Codebook:
    """The default codebook with the parties labels.json adds, as ``tracker parties add ID --name N`` adds them."""
    book = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)
    added = tuple(Party(p["id"], p["name"]) for p in labels.get("codebook", {}).get("add_parties", []))
    return Codebook(parties=book.parties + added, issues=book.issues)


def inbox(labels: dict[str, Any], book: Codebook, folder: Path = LABELLED) -> list[Candidate]:
    """Every page read as a pull reads it, its candidates folded into one inbox."""
    found: list[Candidate] = []
    counter = iter(range(1, 10**6))
    for page in labels["pages"]:
        article = read_article(
            (folder / page["file"]).read_bytes(), url=page["url"], outlet=page["outlet"], published=page["published"]
        )
        found += find_candidates(article, book, fetched_at=FETCHED_AT, new_id=lambda: f"cand_{next(counter)}")
    result = merged([], found)
    return list(result.added)


@dataclass
class Scored:
    """One labelled statement and the candidates that are it."""

    label: dict[str, Any]
    main: list[Candidate] = field(default_factory=list)
    """From the statement's main evidence."""
    also: list[Candidate] = field(default_factory=list)
    """From a sentence that carries it again."""

    @property
    def taken(self) -> Candidate | None:
        return (self.main or self.also or [None])[0]


def _evidence_in(candidate: Candidate, evidence: list[dict[str, str]], urls: dict[str, str]) -> bool:
    sources = {source.url for source in candidate.sources}
    summary = _spaced(candidate.summary)
    return any(urls[e["page"]] in sources and _spaced(e["text"]) in summary for e in evidence)


def score(labels: dict[str, Any], candidates: list[Candidate]) -> tuple[list[Scored], list[Candidate]]:
    """Each labelled statement with the candidates that are it; and the candidates that are none."""
    urls = {page["file"]: page["url"] for page in labels["pages"]}
    scored = [Scored(label) for label in labels["statements"]]
    unmatched: list[Candidate] = []
    for candidate in candidates:
        hit = False
        for entry in scored:
            label = entry.label
            if candidate.issue != label["issue"]:
                continue
            if _evidence_in(candidate, label["evidence"], urls):
                entry.main.append(candidate)
                hit = True
                break
            if _evidence_in(candidate, label["also"], urls):
                entry.also.append(candidate)
                hit = True
                break
        if not hit:
            unmatched.append(candidate)
    return scored, unmatched


def metrics(scored: list[Scored], unmatched: list[Candidate]) -> dict[str, Any]:
    found = [entry for entry in scored if entry.taken is not None]
    total = sum(len(entry.main) + len(entry.also) for entry in scored) + len(unmatched)

    def share(test: Any) -> float:
        return sum(1 for entry in found if test(entry.label, entry.taken)) / len(found) if found else 0.0

    multi = [e for e in found if len({p["page"] for p in e.label["evidence"]}) > 1]
    return {
        "statements": len(scored),
        "candidates": total,
        "recall": len(found) / len(scored) if scored else 0.0,
        "precision": (total - len(unmatched)) / total if total else 0.0,
        "party": share(lambda label, c: c.party == label["party"]),
        "speaker": share(lambda label, c: _spaced(c.speaker).casefold() == _spaced(label["speaker"]).casefold()),
        "quote": share(lambda label, c: _spaced(c.quote) == _spaced(label["quote"])),
        "stance": share(lambda label, c: c.suggested_stance == label["stance"]),
        "duplicates": sum(len(e.main) + len(e.also) - 1 for e in found),
        "channel": share(lambda label, c: c.channel == label["channel"]),
        "stated_on": share(lambda label, c: c.stated_on == label["stated_on"]),
        "corroborated": f"{sum(1 for e in multi if e.taken and e.taken.corroboration > 1)}/{len(multi)}",
    }


ROWS = (
    ("recall", "candidate recall (labelled statements found)"),
    ("precision", "precision (candidates that are a labelled statement)"),
    ("party", "party attribution"),
    ("speaker", "speaker attribution"),
    ("quote", "exact quote"),
    ("stance", "stance suggestion, top-1"),
    ("duplicates", "duplicates (candidates beyond the first for one statement)"),
    ("channel", "channel (no target)"),
    ("stated_on", "date stated (no target)"),
    ("corroborated", "statements in several outlets that are one candidate with their sources (no target)"),
)


def table(numbers: dict[str, Any]) -> str:
    lines = [
        f"{numbers['statements']} labelled statements, {numbers['candidates']} candidates",
        "",
        "| measure | value | target |",
        "|---|---|---|",
    ]
    for key, title in ROWS:
        value = numbers[key]
        if key in TARGETS:
            met = "met" if value >= TARGETS[key] else "NOT MET"
            lines.append(f"| {title} | {value:.2f} | ≥ {TARGETS[key]:.1f} ({met}) |")
        else:
            lines.append(f"| {title} | {value if isinstance(value, str) else round(value, 2)} | |")
    return "\n".join(lines)


def details(scored: list[Scored], unmatched: list[Candidate]) -> str:
    lines: list[str] = []
    for entry in scored:
        label, taken = entry.label, entry.taken
        if taken is None:
            lines.append(f"MISSED {label['id']}: {label['party']} · {label['issue']} · {label['speaker']}")
            continue
        for name, got, want in (
            ("party", taken.party, label["party"]),
            ("speaker", taken.speaker, label["speaker"]),
            ("quote", taken.quote, label["quote"]),
            ("stance", taken.suggested_stance, label["stance"]),
            ("channel", taken.channel, label["channel"]),
            ("stated_on", taken.stated_on, label["stated_on"]),
        ):
            got, want = _spaced(got), _spaced(want)
            if got != want if name == "quote" else got.casefold() != want.casefold():
                lines.append(f"WRONG {label['id']} {name}: {got!r} (labelled {want!r})")
        extra = len(entry.main) + len(entry.also) - 1
        if extra:
            lines.append(f"DUPLICATE {label['id']}: {extra} more")
    for candidate in unmatched:
        lines.append(
            f"FALSE {candidate.party} · {candidate.issue} · {candidate.speaker!r}: {candidate.summary[:150]!r}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--details", action="store_true", help="also list every miss, false candidate and wrong field")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    labels = json.loads((LABELLED / "labels.json").read_text())
    book = codebook(labels)
    scored, unmatched = score(labels, inbox(labels, book))
    numbers = metrics(scored, unmatched)
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        print(table(numbers))
        if args.details:
            print()
            print(details(scored, unmatched))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
