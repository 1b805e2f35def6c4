"""Feeds followed and candidates found: the ingest side's records, as the Store keeps and returns them.

Frozen, like the statements in ``model.py``: ``from_json`` reads a stored
document and ``as_json`` writes one. The shapes are DESIGN.md's: a
candidate's ``as_json`` is also what ``inbox``, ``fetch`` and ``pull`` print
with ``--format json``; ``feeds list --format json`` prints a feed's
:meth:`Feed.listing`. Stored documents are read leniently (a field that is
missing, or not text, reads as empty), as the inbox always was; only a
candidate status outside :class:`CandidateStatus` is refused.

Nothing here touches the network: the Store hands these out without loading
httpx or feedparser (``tracker/ingest`` does the fetching). :func:`merged`
decides, without the network either, what a pull's candidates add to the
inbox: one statement reported by several outlets is one candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import InputError
from .model import Source

CANDIDATE_FIELDS = (
    "id", "status", "party", "issue", "speaker", "quote", "summary", "stated_on", "channel", "suggested_stance",
    "cue", "sources", "fetched_at", "statement_id",
)  # fmt: skip
"""The inbox candidate's JSON shape (DESIGN.md), in its order."""

DEFAULT_CHANNEL = "media-report"
"""The channel of a candidate whose sentence implies none: it was read in the press, not heard from the party."""

FEED_FIELDS = ("id", "name", "url", "title", "last_pulled", "last_status", "etag", "last_modified")
"""What ``feeds list --format json`` shows of a feed, in its order."""


def _text(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    return value if isinstance(value, str) else "" if value is None else str(value)


class CandidateStatus(StrEnum):
    """Where a candidate is in review: waiting, or decided one way or the other."""

    NEW = "new"
    ACCEPTED = "accepted"
    """Recorded as a statement (the candidate's ``statement_id``)."""
    REJECTED = "rejected"
    """Dropped; kept in the file so the same statement is not proposed again (``inbox restore`` undoes it)."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """A feed entry whose article timed out: a pull does not fetch it again before ``not_before``."""

    key: str
    """The entry's key, as in :attr:`Feed.seen`."""
    not_before: str
    """UTC instant in the stored form."""
    failures: int = 1
    """Timeouts in a row; each one doubles the wait."""

    @classmethod
    def from_json(cls, key: str, document: object) -> Backoff | None:
        """One stored back-off, or None if it is not one (read leniently, as the rest of a feed)."""
        if not isinstance(document, Mapping):
            return None
        failures = document.get("failures")
        count = failures if isinstance(failures, int) and not isinstance(failures, bool) and failures > 0 else 1
        return cls(str(key), _text(document, "not_before"), count)

    def as_json(self) -> dict[str, Any]:
        return {"not_before": self.not_before, "failures": self.failures}


def _backoff(document: Mapping[str, Any]) -> tuple[Backoff, ...]:
    stored = document.get("backoff")
    if not isinstance(stored, Mapping):  # missing (a file from before back-offs): none
        return ()
    found = (Backoff.from_json(key, value) for key, value in stored.items())
    return tuple(entry for entry in found if entry is not None)


def _backoff_json(entries: tuple[Backoff, ...]) -> dict[str, Any]:
    return {entry.key: entry.as_json() for entry in entries}


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS or Atom feed followed, with what the last pull learnt of it."""

    id: str
    """``fd_`` + ULID."""
    url: str
    name: str = ""
    """A short name the analyst gave; also the outlet of its articles."""
    title: str = ""
    """The feed's own title, as of the last pull."""
    etag: str = ""
    """The validators of the last complete pull, sent back so an unchanged feed costs a 304."""
    last_modified: str = ""
    last_pulled: str = ""
    """UTC instant of the last pull, or empty."""
    last_status: str = ""
    """How the last pull went: ``ok``, ``unchanged``, ``failed: why``, ``ok; N article(s) to retry``."""
    added_at: str = ""
    seen: tuple[str, ...] = ()
    """The keys of the entries already read (only those still in the feed)."""
    backoff: tuple[Backoff, ...] = ()
    """Entries whose article timed out, and when each may be tried again (stored only when there are any)."""

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Feed:
        """A feed from its stored document."""
        seen = document.get("seen")
        return cls(
            id=_text(document, "id"),
            url=_text(document, "url"),
            name=_text(document, "name"),
            title=_text(document, "title"),
            etag=_text(document, "etag"),
            last_modified=_text(document, "last_modified"),
            last_pulled=_text(document, "last_pulled"),
            last_status=_text(document, "last_status"),
            added_at=_text(document, "added_at"),
            seen=tuple(str(key) for key in seen) if isinstance(seen, list) else (),
            backoff=_backoff(document),
        )

    def as_json(self) -> dict[str, Any]:
        """The stored document."""
        return {
            "id": self.id,
            "url": self.url,
            "name": self.name,
            "title": self.title,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "last_pulled": self.last_pulled,
            "last_status": self.last_status,
            "added_at": self.added_at,
            "seen": list(self.seen),
        } | ({"backoff": _backoff_json(self.backoff)} if self.backoff else {})

    def listing(self) -> dict[str, Any]:
        """What ``feeds list --format json`` shows (:data:`FEED_FIELDS`)."""
        document = self.as_json()
        return {name: document[name] for name in FEED_FIELDS}


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """What one pull learnt of one feed, applied to the feed as the file holds it when the pull is saved.

    None leaves a field as it is: a feed that failed or answered 304 changes
    only when it was pulled and how it went, and one with articles left to
    retry keeps its old validators (a 304 would hide those entries).
    """

    last_pulled: str
    last_status: str
    title: str | None = None
    seen: tuple[str, ...] | None = None
    etag: str | None = None
    last_modified: str | None = None
    backoff: tuple[Backoff, ...] | None = None
    """The feed's back-offs after this pull (empty clears them); None when it had and has none."""

    def as_json(self) -> dict[str, Any]:
        """The fields to merge into the stored feed document."""
        changes: dict[str, Any] = {"last_pulled": self.last_pulled, "last_status": self.last_status}
        for name in ("title", "etag", "last_modified"):
            value = getattr(self, name)
            if value is not None:
                changes[name] = value
        if self.seen is not None:
            changes["seen"] = list(self.seen)
        if self.backoff is not None:
            changes["backoff"] = _backoff_json(self.backoff)
        return changes


@dataclass(frozen=True, slots=True)
class Candidate:
    """A statement proposed from the news: the analyst accepts it (correcting what needs it) or rejects it."""

    id: str
    """``cand_`` + ULID (empty in a dry run, where nothing is stored)."""
    party: str
    """The speaker's party."""
    issue: str
    status: CandidateStatus = CandidateStatus.NEW
    speaker: str = ""
    """Who speaks (or holds the position), as fully as the article names them; empty if none was found."""
    quote: str = ""
    """Only the words inside quotation marks, as printed; empty for indirect speech."""
    summary: str = ""
    """The reporter's sentence that carries it."""
    stated_on: str = ""
    """ISO date: the day the article gives for the statement, else its publication date; empty if neither."""
    channel: str = ""
    """The channel the sentence implies (``official`` for a readout, ``media-report`` for "reportedly", …)."""
    suggested_stance: str = ""
    """The stance the codebook's cues suggest (empty when none matched): a suggestion, never recorded as is."""
    cue: str = ""
    """The cue phrase that suggested it."""
    sources: tuple[Source, ...] = ()
    """Every report of the statement: several outlets carrying one quote are one candidate."""
    fetched_at: str = ""
    statement_id: str | None = None
    """The statement it became, once accepted."""

    @property
    def source(self) -> Source:
        """The first report (what an accepted statement's ``source`` is)."""
        return self.sources[0] if self.sources else Source()

    @property
    def corroboration(self) -> int:
        """How many reports carry it."""
        return len(self.sources)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Candidate:
        """A candidate from its stored document; an unknown status is an :class:`InputError`.

        A document from before candidates were statements (``sentence`` and the
        article's ``url``, ``title``, ``outlet``, ``published``) reads as one:
        its sentence is the summary, the article its one source.
        """
        raw_status = document.get("status", CandidateStatus.NEW.value)
        try:
            status = CandidateStatus(raw_status)
        except ValueError:
            raise InputError(f"candidate {_text(document, 'id')!r}: unknown status {raw_status!r}") from None
        statement_id = document.get("statement_id")
        stored = document.get("sources")
        if isinstance(stored, list):
            sources = tuple(_source(item) for item in stored if isinstance(item, Mapping))
        else:
            old = Source(*(_text(document, name) for name in ("url", "title", "outlet", "published")))
            sources = (old,) if old != Source() else ()
        return cls(
            id=_text(document, "id"),
            party=_text(document, "party"),
            issue=_text(document, "issue"),
            status=status,
            speaker=_text(document, "speaker"),
            quote=_text(document, "quote"),
            summary=_text(document, "summary") or _text(document, "sentence"),
            stated_on=_text(document, "stated_on") or (sources[0].published if sources else ""),
            channel=_text(document, "channel"),
            suggested_stance=_text(document, "suggested_stance"),
            cue=_text(document, "cue"),
            sources=sources,
            fetched_at=_text(document, "fetched_at"),
            statement_id=str(statement_id) if statement_id else None,
        )

    def as_json(self) -> dict[str, Any]:
        """The stored document, which is also the JSON the commands print (:data:`CANDIDATE_FIELDS`)."""
        return {
            "id": self.id,
            "status": self.status.value,
            "party": self.party,
            "issue": self.issue,
            "speaker": self.speaker,
            "quote": self.quote,
            "summary": self.summary,
            "stated_on": self.stated_on,
            "channel": self.channel,
            "suggested_stance": self.suggested_stance,
            "cue": self.cue,
            "sources": [source.as_json() for source in self.sources],
            "fetched_at": self.fetched_at,
            "statement_id": self.statement_id,
        }

    def as_input(self) -> dict[str, str]:
        """The candidate as the statement an analyst reviews, in ``statement_input``'s field names.

        What ``inbox accept`` records unless told otherwise, and what the
        dashboard's form opens with: the suggested stance, the first report as
        the source, the channel the sentence implies (else :data:`DEFAULT_CHANNEL`),
        no grade (the analyst's call).
        """
        source = self.source
        return {
            "party": self.party,
            "issue": self.issue,
            "stance": self.suggested_stance,
            "date": self.stated_on,
            "summary": self.summary,
            "quote": self.quote,
            "speaker": self.speaker,
            "channel": self.channel or DEFAULT_CHANNEL,
            "url": source.url,
            "title": source.title,
            "outlet": source.outlet,
            "published": source.published,
            "grade": "",
        }

    def require_new(self) -> None:
        """Refuse to decide a candidate twice."""
        if self.status is not CandidateStatus.NEW:
            recorded = self.status is CandidateStatus.ACCEPTED and self.statement_id
            extra = f" as statement {self.statement_id}" if recorded else ""
            raise InputError(f"candidate {self.id} is already {self.status}{extra}")

    def accepted(self, statement_id: str) -> Candidate:
        """This candidate, recorded as statement ``statement_id``."""
        return replace(self, status=CandidateStatus.ACCEPTED, statement_id=statement_id)

    def rejected(self) -> Candidate:
        """This candidate, dropped."""
        return replace(self, status=CandidateStatus.REJECTED)

    def restored(self) -> Candidate:
        """This rejected candidate, back in review; an accepted one is refused (its statement stands)."""
        if self.status is CandidateStatus.ACCEPTED:
            raise InputError(
                f"candidate {self.id} is accepted as statement {self.statement_id}: retract the statement instead"
            )
        if self.status is CandidateStatus.NEW:
            raise InputError(f"candidate {self.id} is not rejected: it is waiting for review")
        return replace(self, status=CandidateStatus.NEW)

    def corroborated(self, other: Candidate) -> Candidate:
        """This candidate with ``other``'s reports added (those of an address it has not already)."""
        known = {source.url for source in self.sources}
        more = tuple(source for source in other.sources if source.url not in known)
        speaker = other.speaker if _fuller(other.speaker, self.speaker) else self.speaker
        return replace(self, sources=self.sources + more, speaker=speaker)


def _source(document: Mapping[str, Any]) -> Source:
    return Source(*(_text(document, name) for name in ("url", "title", "outlet", "published")))


def _fuller(name: str, than: str) -> bool:
    """True when ``name`` is a longer form of ``than`` ("Sergei Lavrov" of "Lavrov")."""
    return bool(than) and len(name) > len(than) and name.split()[-1:] == than.split()[-1:]


# -- the same statement, reported again ------------------------------------------------

_WORDS = re.compile(r"\w+")


def _said(text: str) -> str:
    """A quotation as compared across outlets: its words, lower case (punctuation and quotation styles vary)."""
    return " ".join(_WORDS.findall(text.replace("’", "'").lower()))


def same_statement(one: Candidate, other: Candidate) -> bool:
    """True when two candidates propose the same statement: one party and issue, and the same quotation
    (in its words: outlets punctuate it differently), or the same speaker on the same day and neither quotes."""
    if (one.party, one.issue) != (other.party, other.issue):
        return False
    if one.quote and other.quote:
        return _said(one.quote) == _said(other.quote)
    if one.quote or other.quote:
        return False
    speakers = [_said(c.speaker).split()[-1:] for c in (one, other)]
    return bool(speakers[0]) and speakers[0] == speakers[1] and one.stated_on == other.stated_on


@dataclass(frozen=True, slots=True)
class InboxMerge:
    """What the inbox does with the candidates a pull found."""

    added: tuple[Candidate, ...] = ()
    """Statements it did not hold: new candidates."""
    corroborated: tuple[Candidate, ...] = ()
    """Candidates waiting for review that more reports now carry (as they are now, with every source)."""
    known: int = 0
    """Found again (the same article read again, or a statement already decided): dropped."""


def merged(inbox: Iterable[Candidate], found: Iterable[Candidate]) -> InboxMerge:
    """Fold ``found`` into ``inbox``: a statement the inbox holds gains the new reports' sources (if it waits for
    review) or is dropped (if decided: a rejected statement does not come back); the rest are added.

    A candidate from an article already read (one of its sources), proposing the same statement or the same
    sentence, is the article read again: dropped. Candidates found together merge with each other too (three
    outlets in one pull).
    """
    by_cell: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in inbox:
        by_cell.setdefault((candidate.party, candidate.issue), []).append(candidate)
    added: dict[str, Candidate] = {}
    changed: dict[str, Candidate] = {}
    known = 0
    for candidate in found:
        cell = by_cell.setdefault((candidate.party, candidate.issue), [])
        urls = {source.url for source in candidate.sources}
        match = next((held for held in cell if _same_report(held, candidate, urls)), None)
        if match is not None:
            known += 1
            continue
        match = next((held for held in cell if same_statement(held, candidate)), None)
        if match is None:
            cell.append(candidate)
            added[candidate.id] = candidate
            continue
        if match.status is not CandidateStatus.NEW:
            known += 1
            continue
        grown = match.corroborated(candidate)
        cell[cell.index(match)] = grown
        (added if match.id in added else changed)[match.id] = grown
    return InboxMerge(tuple(added.values()), tuple(changed.values()), known)


def _same_report(held: Candidate, candidate: Candidate, urls: set[str]) -> bool:
    """``candidate`` comes from an article ``held`` was read from, and proposes what it does (or its sentence)."""
    if not urls & {source.url for source in held.sources}:
        return False
    return held.summary == candidate.summary or same_statement(held, candidate)
