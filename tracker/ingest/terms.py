"""The codebook's words as patterns: party aliases, issue keywords and stance cues.

Every rule of matching is data (``tracker parties update --alias``, ``issues
update --keyword``, ``issues update --stance CODE --cue``); this module turns
a codebook into compiled patterns once (cached by codebook) and answers which
party, issue or stance a piece of text names. A party's name is always one of
its aliases: ``tracker parties add china --name China`` is enough for "China"
to be recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..model import Codebook


def plain(text: str) -> str:
    """``text`` with typographic apostrophes made straight (same length: positions stay valid)."""
    return text.replace("’", "'").replace("‘", "'")


def _term(term: str, *, plural: bool) -> str:
    """One alias, keyword or cue as a whole-word pattern ("Putin" matches "Putin's", not "Putinism")."""
    words = plain(term).split()
    body = r"\s+".join(map(re.escape, words)) + ("(?:e?s)?" if plural else "")
    # An all-capitals term ("US", "EU", "NATO") is an acronym: match its case, so "us" is not the United States.
    if term.upper() != term or not any(c.isalpha() for c in term):
        body = f"(?i:{body})"
    return rf"(?<!\w){body}(?!\w)"


def pattern(terms: Iterable[str], *, plural: bool = False) -> re.Pattern[str] | None:
    """One pattern for all of ``terms``, longest first so "White House" wins over "White"; None for none."""
    alternatives = [_term(t, plural=plural) for t in sorted({t for t in terms if t.strip()}, key=len, reverse=True)]
    return re.compile("|".join(alternatives)) if alternatives else None


@dataclass(frozen=True, slots=True)
class Finder:
    """The pattern of one party's aliases, one issue's keywords or one stance's cue, with a cheap first test:
    a sentence that holds none of the terms' first words (in lower case) is not searched at all."""

    code: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...]

    def search(self, text: str, lowered: str) -> re.Match[str] | None:
        """The first match in ``text`` (already :func:`plain`; ``lowered`` is it in lower case)."""
        if not any(needle in lowered for needle in self.needles):
            return None
        return self.pattern.search(text)


def finder(code: str, terms: Iterable[str], *, plural: bool = False) -> Finder | None:
    listed = [t for t in terms if t.strip()]
    compiled = pattern(listed, plural=plural)
    if compiled is None:
        return None
    return Finder(code, compiled, tuple(sorted({plain(t).lower().split()[0] for t in listed})))


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue phrase of one stance."""

    stance: str
    text: str
    finder: Finder


@dataclass(frozen=True, slots=True)
class Terms:
    """A codebook's words, compiled."""

    parties: tuple[Finder, ...]
    issues: tuple[Finder, ...]
    """Issue keywords."""
    cues: dict[str, tuple[Cue, ...]]
    """Each issue's stance cues."""
    implied: tuple[Finder, ...]
    """Cues of two words or more, of one issue only: they mark a sentence as speaking to it without its keyword
    ("a halt on energy strikes" is about the ceasefire)."""
    names: frozenset[str]
    """The parties' own names, lower case: a country speaking ("Russia says"), never a person."""


@lru_cache(maxsize=8)
def terms_of(book: Codebook) -> Terms:
    """The codebook's patterns (built once for each codebook a process sees)."""
    parties = tuple(found for p in book.parties if (found := finder(p.id, (p.name, *p.aliases))))
    issues = tuple(found for i in book.issues if (found := finder(i.id, i.keywords, plural=True)))
    cues = {
        issue.id: tuple(
            Cue(stance.code, cue, found)
            for stance in issue.scale
            for cue in stance.cues
            if (found := finder(stance.code, [cue]))
        )
        for issue in book.issues
    }
    owners: dict[str, set[str]] = {}
    for issue_id, listed in cues.items():
        for cue in listed:
            owners.setdefault(_key(cue.text), set()).add(issue_id)
    implied = []
    for issue_id, listed in cues.items():
        phrases = [c.text for c in listed if len(c.text.split()) > 1 and len(owners[_key(c.text)]) == 1]
        if (found := finder(issue_id, phrases)) is not None:
            implied.append(found)
    return Terms(parties, issues, cues, tuple(implied), frozenset(p.name.lower() for p in book.parties))


def _key(cue: str) -> str:
    return " ".join(plain(cue).lower().split())


def positions(text: str, finders: Sequence[Finder]) -> list[tuple[int, str]]:
    """(where it is first named, id) for every id whose terms ``text`` (already :func:`plain`) names, in order."""
    lowered = text.lower()
    return sorted((found.start(), f.code) for f in finders if (found := f.search(text, lowered)))


def first(text: str, finders: Sequence[Finder]) -> str:
    """The id named earliest in ``text`` (already :func:`plain`), or empty."""
    hits = positions(text, finders)
    return hits[0][1] if hits else ""
