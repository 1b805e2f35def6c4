"""The inbox's rules over the Store's feeds and candidates: following a feed, saving a pull, deciding.

The records are :mod:`tracker.inbox_model`'s and the Store keeps them; what is
here is what the CLI and the dashboard share: new ids, the checks on a feed
URL, and what accepting a candidate records (its fields, as reviewed, and
every report of it: the first as the statement's source, the rest as
``corroborated_by``). Every change is one Store write
block, after re-reading the file, so two tracker processes never lose each
other's candidates, and an accept lands the statement and the candidate's new
status together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .. import statement_input
from ..dates import now_instant
from ..errors import InputError
from ..ids import ulid
from ..inbox_model import Candidate, CandidateStatus, Feed, FeedUpdate, InboxMerge
from ..model import Statement, is_web_url, sanitise
from ..store import Store
from . import addresses


def new_feed_id() -> str:
    return f"fd_{ulid()}"


def new_candidate_id() -> str:
    return f"cand_{ulid()}"


# -- feeds ----------------------------------------------------------------------------


def check_feed_url(url: str, *, allow_private: bool = False) -> str:
    """``url`` if it is an absolute http(s) URL at an address we may read; the one-line reason otherwise.

    Without ``allow_private`` an IP literal that is not public (or a
    ``localhost`` name) is refused here, without any network: a name is
    checked at each pull, once resolved, as every address fetched is.
    """
    url = sanitise(url)
    if not is_web_url(url):  # the rule a statement's source URL follows too
        raise InputError(f"not a feed URL: {url!r} (give an absolute http:// or https:// address)")
    host = urlsplit(url).hostname
    assert host is not None  # is_web_url: it has one
    if not allow_private and (reason := addresses.refusal(host)):
        raise InputError(f"not following {url}: {reason}, {addresses.HINT}")
    return url


def feeds(store: Store) -> list[Feed]:
    """Every feed, in the order they were added."""
    return store.feeds()


def add_feed(store: Store, url: str, name: str = "", *, allow_private: bool | None = None, title: str = "") -> Feed:
    """Follow the feed at ``url``; a URL already followed is refused, and so is a private address unless
    ``allow_private`` (None: as ``TRACKER_ALLOW_PRIVATE`` says). ``title``: the feed's own, if it was read."""
    allowed = addresses.allowed_by_environment() if allow_private is None else allow_private
    checked = check_feed_url(url, allow_private=allowed)
    feed = Feed(id=new_feed_id(), url=checked, name=sanitise(name), title=sanitise(title), added_at=now_instant())
    return store.add_feed(feed)


def remove_feed(store: Store, feed_id: str) -> Feed:
    """Stop following a feed; its candidates stay in the inbox."""
    return store.remove_feed(feed_id)


def select_feeds(store: Store, feed_ids: Iterable[str] = ()) -> list[Feed]:
    """The feeds to pull: those named, or all of them."""
    wanted = list(feed_ids)
    if not wanted:
        return store.feeds()
    return [store.feed(feed_id) for feed_id in wanted]


# -- candidates ---------------------------------------------------------------------


def candidates(store: Store, status: str = "new") -> list[Candidate]:
    """Candidates with this status (``all``: every one), oldest first."""
    if status == "all":
        return store.candidates()
    try:
        wanted = CandidateStatus(status)
    except ValueError:
        raise InputError(f"unknown status {status!r} (use new, accepted, rejected or all)") from None
    return store.candidates(wanted)


def save_pull(store: Store, feed_changes: Mapping[str, FeedUpdate], found: Iterable[Candidate]) -> InboxMerge:
    """Record what a pull learnt in one locked write: feed state, and what its candidates add to the inbox.

    See :meth:`Store.add_candidates`: a statement the inbox holds gains the new
    reports as sources, what it has decided is dropped, the rest is added.
    """
    with store.writing():
        result = store.add_candidates(found)
        store.update_feeds(feed_changes)  # a feed removed while we pulled is simply not updated
    return result


OVERRIDES = ("party", "issue", "stance", "date", "summary", "quote", "speaker", "channel", "grade")
"""What ``inbox accept`` may change of a candidate before it is recorded (the dashboard's form: every field)."""


def accept(store: Store, candidate_id: str, **overrides: str | None) -> Statement:
    """Record a new candidate as a statement, with the fields given (:data:`OVERRIDES`) changed.

    Without a stance the suggested one is taken (the analyst accepting it is the
    decision); a candidate with none, or without a date, needs it given.
    """
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise ValueError(f"not overrides: {', '.join(unknown)}")
    with store.writing():
        candidate = store.candidate(candidate_id)
        candidate.require_new()
        given = candidate.as_input() | {name: value for name, value in overrides.items() if value is not None}
        if not given["stance"]:
            raise InputError(f"candidate {candidate_id} has no suggested stance: give the stance", field="stance")
        if not given["date"]:
            raise InputError(f"candidate {candidate_id} has no date: give the date it was stated", field="stated_on")
        # As `add` and the dashboard form parse: codes, names, aliases and labels alike.
        fields = statement_input.parse(given, store.codebook, new=True).check()
        return record(store, candidate_id, fields)


def record(store: Store, candidate_id: str, fields: Mapping[str, Any]) -> Statement:
    """Record ``fields`` (a statement as ``statement_input.parse`` gives it) as candidate ``candidate_id``'s
    statement, and mark the candidate accepted, in one write.

    The candidate's other reports become the statement's ``corroborated_by``
    (all but the one its source names). The dashboard's form lands here too.
    """
    with store.writing():
        candidate = store.candidate(candidate_id)
        candidate.require_new()
        url = (fields.get("source") or {}).get("url", "")
        others = [source.as_json() for source in candidate.sources if source.url != url]
        if len(others) == len(candidate.sources) and not url:
            others = others[1:]  # no source given: the first report is not a corroboration of itself
        # The store's lock is re-entrant: the statement and the candidate's new status land under one hold.
        statement = store.add({**fields, "corroborated_by": others} if others else dict(fields))
        store.update_candidate(candidate.accepted(statement.id))
    return statement


def reject(store: Store, candidate_id: str) -> Candidate:
    """Mark a new candidate rejected; it stays in the file so the same statement is not proposed again."""
    with store.writing():
        candidate = store.candidate(candidate_id)
        candidate.require_new()
        return store.update_candidate(candidate.rejected())


def restore(store: Store, candidate_id: str) -> Candidate:
    """Bring a rejected candidate back for review (undoes :func:`reject`)."""
    with store.writing():
        return store.update_candidate(store.candidate(candidate_id).restored())
