"""The ingest side of the store: the ``feeds`` and ``inbox`` tables.

Documents carry stable string ids (``fd_`` / ``cand_`` + ULID); TinyDB's
integer keys are only used to address a document inside one write. Every
change happens inside ``store.writing()``, after re-reading the file, so two
tracker processes never lose each other's candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from tinydb import where

from ..dates import now_instant
from ..errors import InputError
from ..ids import ulid
from ..model import Statement, sanitise
from ..store import Store

STATUSES = ("new", "accepted", "rejected")
DEFAULT_CHANNEL = "media-report"
"""An accepted candidate was read in the press, not heard from the party itself."""


def new_feed_id() -> str:
    return f"fd_{ulid()}"


def new_candidate_id() -> str:
    return f"cand_{ulid()}"


def _ordered(table: Mapping[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(table.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0)


def _find(store: Store, table: str, doc_id: str, what: str) -> tuple[int, dict[str, Any]]:
    for key, doc in store.documents(table).items():
        if doc.get("id") == doc_id:
            return int(key), doc
    raise InputError(f"no {what} with id {doc_id!r} (see `tracker {'feeds list' if table == 'feeds' else 'inbox'}`)")


# -- feeds ----------------------------------------------------------------------------


def check_feed_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL; the one-line reason otherwise."""
    url = sanitise(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not a feed URL: {url!r} (give an absolute http:// or https:// address)")
    return url


def feeds(store: Store) -> list[dict[str, Any]]:
    """Every feed, in the order they were added."""
    return [doc for _, doc in _ordered(store.documents("feeds"))]


def add_feed(store: Store, url: str, name: str = "") -> dict[str, Any]:
    url = check_feed_url(url)
    doc = {
        "id": new_feed_id(),
        "url": url,
        "name": sanitise(name),
        "title": "",
        "etag": "",
        "last_modified": "",
        "last_pulled": "",
        "last_status": "",
        "added_at": now_instant(),
        "seen": [],
    }
    with store.writing() as tables:
        if any(f.get("url") == url for f in tables["feeds"].values()):
            raise InputError(f"feed {url} is already followed")
        store.table("feeds").insert(doc)
    return doc


def remove_feed(store: Store, feed_id: str) -> dict[str, Any]:
    with store.writing():
        key, doc = _find(store, "feeds", feed_id, "feed")
        store.table("feeds").remove(doc_ids=[key])
    return doc


def select_feeds(store: Store, feed_ids: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The feeds to pull: those named, or all of them."""
    wanted = list(feed_ids)
    every = feeds(store)
    if not wanted:
        return every
    return [_find(store, "feeds", feed_id, "feed")[1] for feed_id in wanted]


# -- candidates ---------------------------------------------------------------------


def candidates(store: Store, status: str = "new") -> list[dict[str, Any]]:
    """Candidates with this status (``all``: every one), oldest first."""
    if status != "all" and status not in STATUSES:
        raise InputError(f"unknown status {status!r} (use new, accepted, rejected or all)")
    return [doc for _, doc in _ordered(store.documents("inbox")) if status == "all" or doc.get("status") == status]


def save_pull(
    store: Store, feed_changes: Mapping[str, Mapping[str, Any]], found: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Record what a pull learnt in one locked write: feed state, and the candidates not seen before.

    Returns the candidates added. A candidate is new unless the inbox already
    holds the same sentence from the same URL, whatever its status, so a
    rejected sentence does not come back.
    """
    with store.writing() as tables:
        known = {(doc.get("url"), doc.get("sentence")) for doc in tables["inbox"].values()}
        added: list[dict[str, Any]] = []
        for doc in found:
            key = (doc["url"], doc["sentence"])
            if key not in known:
                known.add(key)
                added.append(dict(doc))
        # Candidates first: if we die between the two writes, the feeds' old validators make the
        # next pull read the same entries again, and the duplicates are dropped above.
        if added:
            store.table("inbox").insert_multiple(added)
        if feed_changes:
            # A feed removed while we pulled matches nothing and is simply not updated.
            store.table("feeds").update_multiple(
                [(dict(changes), where("id") == feed_id) for feed_id, changes in feed_changes.items()]
            )
    return added


def accept(
    store: Store,
    candidate_id: str,
    *,
    stance: str,
    party: str | None = None,
    issue: str | None = None,
    stated_on: str | None = None,
    summary: str | None = None,
    speaker: str | None = None,
    grade: str | None = None,
    channel: str | None = None,
) -> Statement:
    """Turn a new candidate into a statement sourced to its article; the candidate is marked accepted."""
    with store.writing():
        key, doc = _find(store, "inbox", candidate_id, "candidate")
        _require_new(doc)
        day = stated_on or str(doc.get("published") or "")
        if not day:
            raise InputError(
                f"candidate {candidate_id} has no published date: give the date it was stated", field="stated_on"
            )
        fields = {
            "party": party or doc.get("party"),
            "issue": issue or doc.get("issue"),
            "stance": stance,
            "stated_on": day,
            "summary": summary or "",
            "quote": doc.get("sentence", ""),
            "speaker": doc.get("speaker", "") if speaker is None else speaker,
            "channel": channel or DEFAULT_CHANNEL,
            "grade": grade or "",
            "source": {k: str(doc.get(k) or "") for k in ("url", "title", "outlet", "published")},
        }
        # The store's lock is re-entrant: the statement and the candidate's new status land under one hold.
        statement = store.add(fields)
        store.table("inbox").update({"status": "accepted", "statement_id": statement.id}, doc_ids=[key])
    return statement


def reject(store: Store, candidate_id: str) -> dict[str, Any]:
    """Mark a new candidate rejected; it stays in the file so the same sentence is not proposed again."""
    with store.writing():
        key, doc = _find(store, "inbox", candidate_id, "candidate")
        _require_new(doc)
        store.table("inbox").update({"status": "rejected"}, doc_ids=[key])
    return {**doc, "status": "rejected"}


def _require_new(doc: Mapping[str, Any]) -> None:
    status = doc.get("status")
    if status != "new":
        extra = f" as statement {doc.get('statement_id')}" if status == "accepted" and doc.get("statement_id") else ""
        raise InputError(f"candidate {doc.get('id')} is already {status}{extra}")
