"""Feeds followed and candidates found: the ingest side's records, as the Store keeps and returns them.

Frozen, like the statements in ``model.py``: ``from_json`` reads a stored
document and ``as_json`` writes one. The shapes are DESIGN.md's: a
candidate's ``as_json`` is also what ``inbox``, ``fetch`` and ``pull`` print
with ``--format json``; ``feeds list --format json`` prints a feed's
:meth:`Feed.listing`. Stored documents are read leniently (a field that is
missing, or not text, reads as empty), as the inbox always was; only a
candidate status outside :class:`CandidateStatus` is refused.

Nothing here touches the network: the Store hands these out without loading
httpx or feedparser (``tracker/ingest`` does the fetching).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import InputError

CANDIDATE_FIELDS = (
    "id", "status", "party", "issue", "sentence", "speaker", "url", "title", "outlet", "published",
    "fetched_at", "statement_id",
)  # fmt: skip
"""The inbox candidate's JSON shape (DESIGN.md), in its order."""

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
    """Dropped; kept in the file so the same sentence from the same article is not proposed again."""


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
    """A sentence from an article that names a party and an issue: a statement, if the analyst says so."""

    id: str
    """``cand_`` + ULID (empty in a dry run, where nothing is stored)."""
    party: str
    issue: str
    sentence: str
    """The sentence as read, which becomes the statement's quote."""
    status: CandidateStatus = CandidateStatus.NEW
    speaker: str = ""
    """Who the sentence attributes it to, if the extractor found one."""
    url: str = ""
    """The article's address; with its title, outlet and date, the statement's source."""
    title: str = ""
    outlet: str = ""
    published: str = ""
    """ISO date, or empty (an undated page: the analyst gives the date)."""
    fetched_at: str = ""
    statement_id: str | None = None
    """The statement it became, once accepted."""

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Candidate:
        """A candidate from its stored document; an unknown status is an :class:`InputError`."""
        raw_status = document.get("status", CandidateStatus.NEW.value)
        try:
            status = CandidateStatus(raw_status)
        except ValueError:
            raise InputError(f"candidate {_text(document, 'id')!r}: unknown status {raw_status!r}") from None
        statement_id = document.get("statement_id")
        return cls(
            id=_text(document, "id"),
            party=_text(document, "party"),
            issue=_text(document, "issue"),
            sentence=_text(document, "sentence"),
            status=status,
            speaker=_text(document, "speaker"),
            url=_text(document, "url"),
            title=_text(document, "title"),
            outlet=_text(document, "outlet"),
            published=_text(document, "published"),
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
            "sentence": self.sentence,
            "speaker": self.speaker,
            "url": self.url,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "fetched_at": self.fetched_at,
            "statement_id": self.statement_id,
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
