"""Three-way merge of two versions of a store file: what git's merge driver (``tracker merge-driver``) runs.

Two analysts who each work in a clone of one record change the same file;
git finds their common ancestor (the base) and asks for one file holding
both sides' work. A line-based text merge cannot give it: both sides append
their new statements as document ``"35"``, so git reports a conflict, and a
hand resolution drops one or leaves the key twice. This module merges the
parsed tables instead, by what the documents mean:

- **Statements** are never edited, only appended to, so the merge is the set
  union of every revision on either side: nothing either analyst recorded is
  lost, whatever the base says. A revision is one write, known by its
  statement id and record time (``recorded_at``); the same write on both
  sides collapses to one. Each statement's revisions are numbered 1..n again:
  in each side's own order, and where the two sides each added revisions to
  one statement (two corrections, both "rev 2"), interleaved by record time,
  so the later one is the latest.
- **The codebook, meta, feeds and the inbox** merge three-way, document by
  document, matched by their natural id (party and issue id, feed URL, the
  candidate's article URL and sentence), field by field: the side that
  changed a field wins; a field both changed differently is a conflict. A
  party's aliases and an issue's keywords are sets: additions on both sides
  are all kept. A feed's pull state (validators, seen entries, back-offs) is
  taken whole from the side that pulled it last: a pull is no decision to
  clash over.
- **Document keys** (TinyDB's integer ids) are renumbered: a document the base
  holds keeps its key, and documents new on either side get keys after the
  base's largest, in an order fixed by their content. So merging theirs into
  ours or ours into theirs gives the same bytes, and the two clones agree
  whichever of them merges.

A **conflict** is what only a person can settle: a code's field changed
differently on each side, one revision with different content on each side,
a statement corrected on one side after the other retracted it, a stance or
party one side removed while the other's statements use it, a candidate
decided differently. Each is one line; the merged tables keep ours where the
two clash (git keeps theirs as stage 3, ``git show :3:FILE``), every
statement revision either way, and enough of the codebook that every
statement still names known codes, so the file stays one tracker reads.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

from ..errors import SHOWN
from ..model import SCHEMA, sanitise
from .schema import TABLES, Tables, migrate_tables, parse_tables, schema_of

Document = dict[str, Any]
Table = dict[str, Document]


@dataclass(frozen=True, slots=True)
class Merged:
    """The merge of two stores: the tables to write, and what the analyst is told."""

    tables: Tables
    conflicts: tuple[str, ...]
    """One line per clash only a person can settle (the merged tables keep ours for it)."""
    notes: tuple[str, ...]
    """One line per thing worth knowing that is no conflict: revisions of one statement made on both
    sides and numbered by record time."""


def merge_files(base: bytes, ours: bytes, theirs: bytes, path: Path) -> Merged:
    """Merge the store files ``ours`` and ``theirs``, whose common ancestor is ``base``.

    ``base`` may be empty: git gives an empty one when the two sides added the
    file independently. Each version is parsed and checked as every command
    checks a store (a conflict-marked, truncated or foreign file is a
    StoreError naming it), and migrated to this tracker's schema, so that a
    side written by an older tracker merges with a newer one.
    """
    known = None if not base or base.isspace() else _read(base, Path(f"{path} (base)"))
    return merge_tables(known, _read(ours, Path(f"{path} (ours)")), _read(theirs, Path(f"{path} (theirs)")))


def _read(raw: bytes, shown: Path) -> Tables:
    tables = parse_tables(raw, shown)
    return migrate_tables(tables, shown) if schema_of(tables) < SCHEMA else tables


def merge_tables(base: Tables | None, ours: Tables, theirs: Tables) -> Merged:
    """The merge of parsed tables (see the module's docstring for the rules). Inputs are not modified."""
    base = base or {name: {} for name in TABLES}
    conflicts: list[str] = []
    notes: list[str] = []
    merged: Tables = {}
    for name in [*TABLES, *sorted((set(ours) | set(theirs)) - set(TABLES))]:
        o, a, b = base.get(name, {}), ours.get(name, {}), theirs.get(name, {})
        if name == "statements":
            merged[name] = _merge_statements(o, a, b, conflicts, notes)
        else:
            kind = _KINDS.get(name, _KindOfTable())
            merged[name] = _merge_keyed(o, a, b, kind, conflicts)
    _keep_codes_in_use(merged, ours, theirs, conflicts)
    _check_candidates(merged, conflicts)
    return Merged(merged, tuple(conflicts), tuple(notes))


# -- values, as a message shows them ------------------------------------------------


class _Missing:
    """A field that is not there (``None`` is a value a field may hold)."""


MISSING: Any = _Missing()


def _canonical(value: Any) -> bytes:
    """One spelling of a JSON value: what "the same" means here (``1`` and ``true`` differ)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _same(x: Any, y: Any) -> bool:
    if x is MISSING or y is MISSING:
        return x is y
    return x is y or _canonical(x) == _canonical(y)


def _show(value: Any) -> str:
    """A value in a conflict line: cleaned, on one line, at most SHOWN characters."""
    if value is MISSING:
        return "(absent)"
    if isinstance(value, list) and all(isinstance(v, Mapping) and "code" in v for v in value):
        text = " · ".join(str(v["code"]) for v in value)  # a scale: its codes say what changed
    else:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
    text = " ".join(sanitise(text).split())
    if len(text) > SHOWN:
        text = text[: SHOWN - 1] + "…"
    return repr(text) if isinstance(value, str) else text


# -- documents and keyed tables -----------------------------------------------------


def _merge_fields(
    what: str,
    base: Document | None,
    ours: Document,
    theirs: Document,
    conflicts: list[str],
    *,
    sets: frozenset[str] = frozenset(),
) -> Document:
    """Three-way, field by field: the side that changed a field wins; both changed it differently is a
    conflict, and ours is kept. A field in ``sets`` (a list of text) keeps both sides' additions."""
    if _same(ours, theirs):
        return ours
    if base is not None and _same(ours, base):
        return theirs
    if base is not None and _same(theirs, base):
        return ours
    was = base or {}
    merged: Document = {}
    for name in sorted(set(ours) | set(theirs) | set(was)):
        o, a, b = was.get(name, MISSING), ours.get(name, MISSING), theirs.get(name, MISSING)
        if _same(a, b) or _same(b, o):
            value = a
        elif _same(a, o):
            value = b
        elif name in sets and all(v is MISSING or _texts(v) for v in (o, a, b)):
            value = _merge_set(o, a, b)
        else:
            conflicts.append(
                f"{what}: {name} is {_show(a)} in ours and {_show(b)} in theirs"
                + (f" (was {_show(o)})" if o is not MISSING else "")
                + "; kept ours"
            )
            value = a
        if value is not MISSING:
            merged[name] = value
    return merged


def _name(value: Any) -> str:
    """A document's natural id as text, whatever a hand edit made of it (a list is no dict key)."""
    return value if isinstance(value, str) else _canonical(value).decode()


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _merge_set(base: Any, ours: Any, theirs: Any) -> list[str]:
    """A list of text merged as a set: what either side removed goes, what either added comes.

    The base's order first; then the additions, in the adding side's order when
    one side added, sorted when both did (so the result is the same whichever
    side is ours).
    """
    was: list[str] = [] if base is MISSING else list(base)
    a: list[str] = [] if ours is MISSING else list(ours)
    b: list[str] = [] if theirs is MISSING else list(theirs)
    kept = [v for v in was if v in a and v in b]
    added_a = [v for v in a if v not in was]
    added_b = [v for v in b if v not in was]
    added = added_a if not added_b else added_b if not added_a else sorted({*added_a, *added_b})
    return kept + [v for v in dict.fromkeys(added) if v not in kept]


class _KindOfTable:
    """How one table's documents are matched across the versions, named and merged.

    The default, for a table this tracker does not know (none yet): by document key.
    """

    def identity(self, key: str, doc: Document) -> Hashable:
        return key

    def label(self, doc: Document) -> str:
        return "document"

    def merge(self, base: Document | None, ours: Document, theirs: Document, conflicts: list[str]) -> Document:
        return _merge_fields(self.label(ours), base, ours, theirs, conflicts)

    def changed(self, was: Document, now: Document) -> bool:
        """Whether ``now`` differs from ``was`` in what a person decided: removing a document the other
        side changed so is a conflict."""
        return not _same(was, now)


class _Meta(_KindOfTable):
    """The one ``meta`` document (schema, title, policy), whatever its key."""

    def identity(self, key: str, doc: Document) -> Hashable:
        return "meta"

    def label(self, doc: Document) -> str:
        return "meta"


@dataclass(frozen=True, slots=True)
class _Codes(_KindOfTable):
    """Parties or issues: by id; aliases or keywords merged as sets."""

    kind: str
    """What one is called in a message: party, issue."""
    sets: frozenset[str]
    """Its fields that hold a set of text."""

    def identity(self, key: str, doc: Document) -> Hashable:
        return _name(doc.get("id", key))

    def label(self, doc: Document) -> str:
        return f"{self.kind} {_show(doc.get('id', '?'))}"

    def merge(self, base: Document | None, ours: Document, theirs: Document, conflicts: list[str]) -> Document:
        return _merge_fields(self.label(ours), base, ours, theirs, conflicts, sets=self.sets)


PULL_STATE = ("title", "etag", "last_modified", "last_pulled", "last_status", "seen", "backoff")
"""A feed's fields that a pull writes (``FeedUpdate``): what it learnt, not what the analyst decided."""


def _first(one: Document, other: Document, *fields: str) -> Document:
    """Of two copies of one thing made on each side, the one made first (by ``fields``, then content)."""
    return min(one, other, key=lambda doc: (*(str(doc.get(f) or "") for f in fields), _canonical(doc)))


class _Feeds(_KindOfTable):
    """Feeds: by URL (a store follows a URL once); the pull state comes whole from the later pull."""

    def identity(self, key: str, doc: Document) -> Hashable:
        return _name(doc.get("url", key))

    def label(self, doc: Document) -> str:
        return f"feed {_show(doc.get('url', '?'))}"

    def merge(self, base: Document | None, ours: Document, theirs: Document, conflicts: list[str]) -> Document:
        if base is None and ours.get("id") != theirs.get("id"):  # both followed the URL: one feed, the first id
            first = _first(ours, theirs, "added_at", "id")
            same = {"id": first.get("id"), "added_at": first.get("added_at")}
            ours, theirs = {**ours, **same}, {**theirs, **same}
        later = max(ours, theirs, key=lambda doc: (str(doc.get("last_pulled") or ""), _canonical(_state(doc))))
        decided = _merge_fields(
            self.label(ours),
            None if base is None else _without_state(base),
            _without_state(ours),
            _without_state(theirs),
            conflicts,
        )
        return {**decided, **_state(later)}

    def changed(self, was: Document, now: Document) -> bool:
        return not _same(_without_state(was), _without_state(now))  # a pull is no reason to keep a feed removed


def _state(doc: Document) -> Document:
    return {name: doc[name] for name in PULL_STATE if name in doc}


def _without_state(doc: Document) -> Document:
    return {name: value for name, value in doc.items() if name not in PULL_STATE}


class _Inbox(_KindOfTable):
    """Candidates: by the article that first reported the statement and the reporter's sentence.

    Two analysts who pull the same feed find the same statement under two ids:
    it is one candidate, under the id of the copy decided (accepted or
    rejected), else of the one found first, and its decision is merged like
    any field against the undecided candidate. Its reports (``sources``) are a
    set: each side's corroborations are all kept.
    """

    def identity(self, key: str, doc: Document) -> Hashable:
        if "sentence" in doc:  # a candidate written before candidates were proposed statements
            return (_name(doc.get("url")), _name(doc.get("sentence")))
        if "summary" in doc:
            return (_name(_first_source(doc).get("url")), _name(doc.get("summary")))
        return key

    def label(self, doc: Document) -> str:
        sentence = str(doc.get("summary") or doc.get("sentence") or "")
        return f"candidate {_show(doc.get('id', '?'))} ({_show(sentence[:40])})"

    def merge(self, base: Document | None, ours: Document, theirs: Document, conflicts: list[str]) -> Document:
        if base is None:  # found on both sides: merged against the candidate as first found, undecided
            decided = [doc for doc in (ours, theirs) if doc.get("status", "new") != "new"]
            first = decided[0] if len(decided) == 1 else _first(ours, theirs, "fetched_at", "id")
            same = {"id": first.get("id"), "fetched_at": first.get("fetched_at")}
            ours, theirs = {**ours, **same}, {**theirs, **same}
            base = {**first, **same, "status": "new", "statement_id": None}
        if all(isinstance(doc.get("sources"), list) for doc in (ours, theirs)):
            sources = _union_of_sources(base.get("sources"), ours["sources"], theirs["sources"])
            ours, theirs = {**ours, "sources": sources}, {**theirs, "sources": sources}
        return _merge_fields(self.label(ours), base, ours, theirs, conflicts)


def _first_source(doc: Document) -> Document:
    sources = doc.get("sources")
    first = sources[0] if isinstance(sources, list) and sources else None
    return first if isinstance(first, dict) else {}


def _union_of_sources(base: Any, ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Every report either side holds, once each (by URL, else content): the base's first, in its order,
    then the others by publication date and URL, so that either side merging gets the same list."""
    held = [s for s in base if isinstance(s, dict)] if isinstance(base, list) else []
    seen = {_canonical(s) if not s.get("url") else s["url"] for s in held}
    others: dict[Any, Any] = {}
    for source in [*ours, *theirs]:
        if not isinstance(source, dict):
            continue
        key = source.get("url") or _canonical(source)
        if key not in seen and key not in others:
            others[key] = source
    extra = sorted(
        others.values(), key=lambda s: (str(s.get("published") or ""), str(s.get("url") or ""), _canonical(s))
    )
    return [*held, *extra]


_KINDS: dict[str, _KindOfTable] = {
    "meta": _Meta(),
    "parties": _Codes("party", frozenset({"aliases"})),
    "issues": _Codes("issue", frozenset({"keywords"})),
    "feeds": _Feeds(),
    "inbox": _Inbox(),
}


def _key_number(key: str) -> int:
    return int(key) if key.isdigit() else 0


def _indexed(table: Table, kind: _KindOfTable) -> dict[Hashable, tuple[str, Document]]:
    """A version's documents by identity; a second document of one identity (a hand edit) by
    (identity, n), so none is lost."""
    found: dict[Hashable, tuple[str, Document]] = {}
    for key in sorted(table, key=lambda k: (_key_number(k), k)):
        identity = kind.identity(key, table[key])
        count = 1
        while identity in found:
            identity, count = (identity, count), count + 1
        found[identity] = (key, table[key])
    return found


def _merge_keyed(base: Table, ours: Table, theirs: Table, kind: _KindOfTable, conflicts: list[str]) -> Table:
    """A table of documents (not statements), merged three-way, document by document."""
    o, a, b = _indexed(base, kind), _indexed(ours, kind), _indexed(theirs, kind)
    kept: dict[str, Document] = {}
    new: list[tuple[int, str, bytes, Document]] = []
    for identity in {**o, **a, **b}:
        was = o.get(identity)
        mine, yours = a.get(identity), b.get(identity)
        doc: Document | None
        if mine is not None and yours is not None:
            doc = kind.merge(None if was is None else was[1], mine[1], yours[1], conflicts)
        elif mine is None and yours is None:
            doc = None  # removed on both sides
        else:
            present, side, other = (mine, "ours", "theirs") if mine is not None else (yours, "theirs", "ours")
            assert present is not None
            if was is None:
                doc = present[1]  # new on one side
            elif not kind.changed(was[1], present[1]):
                doc = None  # removed on the other side, untouched on this one
            else:
                conflicts.append(f"{kind.label(present[1])}: changed in {side}, removed in {other}; kept it, changed")
                doc = present[1]
        if doc is None:
            continue
        if was is not None:
            kept[was[0]] = doc
        else:
            place = min(_key_number(found[0]) for found in (mine, yours) if found is not None)
            new.append((place, str(identity), _canonical(doc), doc))
    return kept | _numbered_after(base, [doc for *_, doc in sorted(new, key=lambda item: item[:3])])


def _numbered_after(base: Table, docs: Iterable[Document]) -> Table:
    """``docs`` keyed after the base's largest key, in the order given."""
    start = max(map(_key_number, base), default=0)
    return {str(start + n): doc for n, doc in enumerate(docs, 1)}


# -- statements ---------------------------------------------------------------------

Write = bytes
"""One revision as written, without its number: the canonical JSON of the document less ``rev``."""


def _write_of(doc: Document) -> Write:
    return _canonical({name: value for name, value in doc.items() if name != "rev"})


def _rev(doc: Document) -> int:
    rev = doc.get("rev")
    return rev if isinstance(rev, int) and not isinstance(rev, bool) else 0


def _by_statement(table: Table) -> dict[str, list[tuple[str, Document]]]:
    """Each statement's (key, document) pairs in this version's order: rev, then record time."""
    found: dict[str, list[tuple[str, Document]]] = defaultdict(list)
    for key, doc in table.items():
        found[str(doc.get("id", ""))].append((key, doc))
    for pairs in found.values():
        pairs.sort(key=lambda pair: (_rev(pair[1]), str(pair[1].get("recorded_at", ""))))
    return found


def _merge_statements(base: Table, ours: Table, theirs: Table, conflicts: list[str], notes: list[str]) -> Table:
    """Every revision on either side, each statement's renumbered 1..n (see the module's docstring).

    Statement by statement. One whose documents are the same on both sides (most
    of a file: 9,980 of 10,000 after two analysts' day) is taken as it is; only
    the others are compared write by write (a canonical dump of each revision),
    which would cost a 100,000-statement merge seconds if done for all.
    """
    was, mine, yours = _by_statement(base), _by_statement(ours), _by_statement(theirs)
    kept: dict[str, Document] = {}
    new: list[tuple[str, str, int, Write, Document]] = []
    for statement_id in sorted(set(mine) | set(yours)):
        a, b = mine.get(statement_id, []), yours.get(statement_id, [])
        if len(a) == len(b) and all(x[1] == y[1] for x, y in zip(a, b, strict=True)):
            merged = [(key if base.get(key) == doc else None, doc) for key, doc in a]  # as both sides hold it
        else:
            merged = _merge_statement(statement_id, was.get(statement_id, []), a, b, conflicts, notes)
        for key, doc in merged:
            if key is not None:
                kept[key] = doc
            else:
                new.append((str(doc.get("recorded_at", "")), statement_id, _rev(doc), _write_of(doc), doc))
    return kept | _numbered_after(base, [doc for *_, doc in sorted(new, key=lambda item: item[:4])])


def _merge_statement(
    statement_id: str,
    base: list[tuple[str, Document]],
    ours: list[tuple[str, Document]],
    theirs: list[tuple[str, Document]],
    conflicts: list[str],
    notes: list[str],
) -> list[tuple[str | None, Document]]:
    """One statement's revisions on either side, in one order, numbered 1..n; each with its key in the
    base if the base holds that revision (else None: a new key is given)."""
    docs: dict[Write, Document] = {}
    chains: dict[str, list[Write]] = {}
    for side, pairs in (("theirs", theirs), ("ours", ours)):  # ours last: a write both hold is ours' document
        chain = chains[side] = []
        for _, doc in pairs:
            write = _write_of(doc)
            docs[write] = doc
            if write not in chain:  # one write twice on one side (a hand edit): once
                chain.append(write)
    _drop_rewritten(statement_id, chains, docs, conflicts)
    base_keys = {_write_of(doc): key for key, doc in base}
    order = _interleave([chains["ours"], chains["theirs"]], docs)
    _tell_concurrent(statement_id, order, chains["ours"], chains["theirs"], docs, conflicts, notes)
    return [
        (base_keys.get(write), docs[write] if _rev(docs[write]) == rev else {**docs[write], "rev": rev})
        for rev, write in enumerate(order, 1)
    ]


def _drop_rewritten(
    statement_id: str, chains: dict[str, list[Write]], docs: Mapping[Write, Document], conflicts: list[str]
) -> None:
    """One revision (its record time) with different content on each side: a conflict; ours kept.

    Revisions are never edited, so such a pair is a hand edit of one side's
    copy, or two imports of different files under one id and time. Theirs is
    taken out of the merge (git keeps it as stage 3).
    """
    by_time: dict[str, dict[str, set[Write]]] = defaultdict(lambda: {"ours": set(), "theirs": set()})
    for side, chain in chains.items():
        for write in chain:
            by_time[str(docs[write].get("recorded_at", ""))][side].add(write)
    for recorded_at, sides in sorted(by_time.items()):
        mine, yours = sides["ours"], sides["theirs"]
        if not mine or not yours or mine & yours:  # one side only, or the same revision (and maybe more) on both
            continue
        chains["theirs"][:] = [write for write in chains["theirs"] if write not in yours]
        ours_doc, theirs_doc = docs[min(mine)], docs[min(yours)]
        fields = sorted(
            name
            for name in set(ours_doc) | set(theirs_doc)
            if name != "rev" and not _same(ours_doc.get(name, MISSING), theirs_doc.get(name, MISSING))
        )
        conflicts.append(
            f"statement {_show(statement_id)} rev {_rev(ours_doc)} (recorded {recorded_at}): the same revision "
            f"differs between ours and theirs in {', '.join(fields)}; kept ours"
        )


def _interleave(chains: list[list[Write]], docs: Mapping[Write, Document]) -> list[Write]:
    """The writes of every chain in one order that keeps each chain's own order, the earlier record
    time first wherever the chains leave a choice (ties: the content, so the order is one).

    A chain's order is kept even against its record times: a revision built on
    the one before it (a correction copies the latest) comes after it, whatever
    the clock said. If two chains order the same writes differently (the
    sides renumbered them differently; no tracker command does), the earliest
    write still waiting goes first.
    """
    after: dict[Write, set[Write]] = defaultdict(set)
    waiting_on: dict[Write, int] = {}
    for chain in chains:
        for write in chain:
            waiting_on.setdefault(write, 0)
        for earlier, later in pairwise(chain):
            if later not in after[earlier]:
                after[earlier].add(later)
                waiting_on[later] += 1

    def priority(write: Write) -> tuple[str, Write]:
        return str(docs[write].get("recorded_at", "")), write

    ready = [priority(w) for w, count in waiting_on.items() if count == 0]
    heapq.heapify(ready)
    done: set[Write] = set()
    order: list[Write] = []
    while len(order) < len(waiting_on):
        if ready:
            write = heapq.heappop(ready)[1]
            if write in done:
                continue
        else:  # a cycle: the two sides disagree on an order
            write = min((w for w in waiting_on if w not in done), key=priority)
        done.add(write)
        order.append(write)
        for later in after[write]:
            waiting_on[later] -= 1
            if waiting_on[later] == 0 and later not in done:
                heapq.heappush(ready, priority(later))
    return order


def _tell_concurrent(
    statement_id: str,
    order: list[Write],
    ours: list[Write],
    theirs: list[Write],
    docs: Mapping[Write, Document],
    conflicts: list[str],
    notes: list[str],
) -> None:
    """Say what the merge made of revisions of one statement made on both sides.

    Each side's revisions of a statement the other also revised are kept and
    numbered by record time: a note. A revision made after a retraction the
    side that made it had not seen is a conflict: a store refuses to correct
    or retract a retracted statement, so no one store could have recorded
    this history, and the later revision (the latest) brings the statement
    back. Two retractions withdrawn on the same date say the same: no conflict.
    """
    mine, yours = set(ours), set(theirs)
    only_ours, only_theirs = mine - yours, yours - mine
    if not only_ours or not only_theirs:
        return
    shown = _show(statement_id)
    numbered = ", ".join(
        f"{rev} ({'ours' if write in only_ours else 'theirs'}, {docs[write].get('recorded_at', '?')})"
        for rev, write in enumerate(order, 1)
        if write in only_ours or write in only_theirs
    )
    if ours[0] != theirs[0]:  # no revision in common: each side recorded it as new (an import under one id)
        conflicts.append(
            f"statement {shown}: recorded as a new statement in ours ({docs[ours[0]].get('recorded_at')}) and in "
            f"theirs ({docs[theirs[0]].get('recorded_at')}), differently: both kept, as its revisions by record "
            f"time ({numbered}); correct it to say which stands"
        )
        return
    notes.append(f"statement {shown}: revised on both sides; kept every revision, numbered by record time: {numbered}")
    retraction: Write | None = None
    for write in order:
        doc = docs[write]
        if retraction is not None:
            unseen = (write in mine and retraction not in mine) or (write in yours and retraction not in yours)
            before = docs[retraction]
            same_effect = doc.get("retracted") is True and doc.get("withdrawn_on") == before.get("withdrawn_on")
            if unseen and not same_effect:
                side = "ours" if write in mine else "theirs"
                other = "theirs" if side == "ours" else "ours"
                since = f"retracted in {other} ({before.get('recorded_at')}, {_show(before.get('reason', ''))})"
                if doc.get("retracted") is True:
                    when = _show(doc.get("withdrawn_on") or "never stood")
                    conflicts.append(
                        f"statement {shown}: {since} and retracted again in {side} after it, withdrawn on {when}: "
                        "both kept, and the later one, the latest revision, is what counts"
                    )
                else:
                    conflicts.append(
                        f"statement {shown}: {since} and corrected in {side} after it ({doc.get('recorded_at')}): "
                        f"both kept, and the correction, the latest revision, makes it stand again; "
                        f"`tracker retract {sanitise(statement_id)[:SHOWN]}` if it should not"
                    )
                return
        if doc.get("retracted") is True and retraction is None:
            retraction = write


# -- references between tables ------------------------------------------------------


def _codes_of(tables: Mapping[str, Table]) -> tuple[dict[str, Document], dict[str, Document]]:
    """Parties and issues by id (the first of each id)."""
    parties: dict[str, Document] = {}
    issues: dict[str, Document] = {}
    for table, into in (("parties", parties), ("issues", issues)):
        for key in sorted(tables.get(table, {}), key=lambda k: (_key_number(k), k)):
            doc = tables[table][key]
            into.setdefault(str(doc.get("id")), doc)
    return parties, issues


def _stances(issue: Document | None) -> set[str]:
    scale = issue.get("scale") if issue else None
    if not isinstance(scale, list):
        return set()
    return {str(step.get("code") if isinstance(step, Mapping) else step) for step in scale}


def _keep_codes_in_use(merged: Tables, ours: Tables, theirs: Tables, conflicts: list[str]) -> None:
    """A party, issue or stance one side removed while the other's statements use it: a conflict, and
    the version that still has it is kept, so every statement names known codes."""
    parties, issues = _codes_of(merged)
    sides = {"ours": _codes_of(ours), "theirs": _codes_of(theirs)}
    needed: dict[tuple[str, str], list[str]] = defaultdict(list)  # (table, id) -> [statement ids]
    wanted_stances: dict[str, set[str]] = defaultdict(set)
    for doc in merged.get("statements", {}).values():
        party, issue, stance = str(doc.get("party")), str(doc.get("issue")), str(doc.get("stance"))
        if party not in parties:
            needed[("parties", party)].append(str(doc.get("id")))
        if issue not in issues or stance not in _stances(issues[issue]):
            needed[("issues", issue)].append(str(doc.get("id")))
            wanted_stances[issue].add(stance)
    for (table, code), users in sorted(needed.items()):
        at = 0 if table == "parties" else 1
        kind = "party" if table == "parties" else "issue"
        for side in ("ours", "theirs"):
            version = sides[side][at].get(code)
            if version is None or (table == "issues" and not wanted_stances[code] <= _stances(version)):
                continue
            other = "theirs" if side == "ours" else "ours"
            used = f"{', '.join(sorted(wanted_stances[code]))} of " if table == "issues" else ""
            conflicts.append(
                f"{kind} {_show(code)}: {other} removed {used}it while statements use it "
                f"({', '.join(sorted(set(users))[:3])}{'…' if len(set(users)) > 3 else ''}); kept the version in {side}"
            )
            _put(merged, table, code, version, ours, theirs)
            break


def _put(merged: Tables, table: str, code: str, doc: Document, ours: Tables, theirs: Tables) -> None:
    """Put ``doc`` in place of the code of that id in the merged ``table``, or add it after the others."""
    for key, found in merged[table].items():
        if found.get("id") == code:
            merged[table][key] = doc
            return
    taken = [*merged[table], *ours.get(table, {}), *theirs.get(table, {})]
    merged[table][str(max(map(_key_number, taken), default=0) + 1)] = doc


def _check_candidates(merged: Tables, conflicts: list[str]) -> None:
    """An accepted candidate names the statement it became: that statement must be in the merge."""
    statements = {doc.get("id") for doc in merged.get("statements", {}).values()}
    for doc in merged.get("inbox", {}).values():
        became = doc.get("statement_id")
        if became and became not in statements:
            conflicts.append(
                f"{_KINDS['inbox'].label(doc)}: accepted as statement {_show(became)}, which neither side has"
            )
