"""The domain: parties, issues and their scales, statements and their revisions.

Everything here is a frozen dataclass with ``from_json`` / ``as_json``; the
JSON shapes are the ones DESIGN.md fixes for the file and for ``--format json``.
Dates are kept as ISO strings: they compare correctly as text, which lets the
timeline bisect them without converting 100,000 of them on every start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from itertools import chain
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .errors import InputError, shown
from .evidence import Evidence
from .ids import STATEMENT_ID_MAX, STATEMENT_ID_RE

SCHEMA = 1
"""The version of positions.json this code reads and writes."""

CHANNELS = ("official", "spokesperson", "interview", "media-report", "leak")
"""How a statement reached the record, from most to least direct."""

GRADE_RE = re.compile(r"^[A-F][1-6]$")
ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
"""Party and issue ids, and stance codes: short, lower-case, shell-friendly."""
COLOR_RE = re.compile(r"^(?:#[0-9a-fA-F]{6}|[a-z][a-z0-9_]{0,29})?$")
"""A party's colour: a Rich colour name or #rrggbb (or none)."""

# The most a statement's fields may hold, checked on every way in (add, correct, import, the
# dashboard's form) and reported by `tracker check`: generous for any real statement, and a
# bound on what each command has to parse, keep and lay out (README, "Data safety").
LONG_TEXT_MAX = 20_000
"""Characters in a summary, a quote, a note or a reason."""
SHORT_TEXT_MAX = 1_000
"""Characters in a speaker, a source's title or outlet, or who recorded a revision."""
URL_MAX = 4_000
"""Characters in a source URL."""
STATEMENT_ID_LIMIT = len("st_") + STATEMENT_ID_MAX
"""Characters in a statement id (``ids.STATEMENT_ID_RE`` gives its shape)."""
LIST_MAX = 100
"""Items in a statement's conditions or tags."""
ITEM_MAX = 500
"""Characters in one condition or tag."""
ENTRY_FIELDS = ("stated_on", "url")
"""The fields :meth:`Statement.entry_problems` checks as a statement is written."""

# Escape sequences first (so their parameters go with them), then any control
# character left over. Newlines survive: quotes may span paragraphs. Both are kept as text and
# compiled by re.sub on first use (re's cache keeps them): only text in which _DIRTY finds
# something needs them, and compiling them here was 1 ms of every command's start.
_ESCAPES = r"""(?x)
    \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC ... BEL/ST (links, clipboard, titles)
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?     # C1 OSC
  | \x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, PM, APC, SOS strings
  | \x1b\[[0-?]*[ -/]*[@-~]                      # CSI (colours, cursor, clear screen)
  | \x9b[0-?]*[ -/]*[@-~]                         # C1 CSI
  | \x1b[ -/]*[0-~]?                              # any other escape
    """
# Lone surrogates too: what Python makes of bytes that are not UTF-8 in a command-line argument;
# they cannot be written as UTF-8, so a store holding one could not be saved.
_CONTROLS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"


_DIRTY = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
"""Any character that :func:`sanitise` replaces or removes: every escape sequence starts with one."""


def sanitise(text: str) -> str:
    """Untrusted text made safe to store and print: no escapes, no controls, no bidi tricks."""
    return without_controls(text).strip()


def without_controls(text: str) -> str:
    """``text`` with escape sequences and control characters removed and its spacing kept.

    Output uses this too, for text that reached the file by some other way than
    this program (a hand edit, another tool).
    """
    if _DIRTY.search(text) is None:  # the usual case: one scan instead of five passes
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return re.sub(_CONTROLS, "", re.sub(_ESCAPES, "", text))


def is_iso_date(value: object) -> bool:
    """True for a real calendar date written ``YYYY-MM-DD`` (2025-02-30 is not)."""
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#]\S*)?\Z")
"""The usual source URL, which is certainly a web URL with a host: checked without ``urlsplit``, which
was 0.28 s of a 10,000-statement import's 1.6 s under the profiler (anything else takes urlsplit's answer)."""


def is_web_url(url: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host: what a statement's source and a
    feed must be (a browser opens it, ``fetch`` reads it); "notaurl" or ``www.x.org/a`` is neither."""
    if _PLAIN_WEB_URL.match(url):
        return True
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed [IPv6 literal
        return False


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{key} must be text, not {type(value).__name__}")
    return value


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key} must be a list of text")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Stance:
    """One step of an issue's scale."""

    code: str
    """Stable machine code, e.g. ``not-now``."""
    label: str
    """What an analyst reads, e.g. "Not now"."""
    score: int
    """0-based place on the scale: 0 is one pole, the highest score the other."""
    cues: tuple[str, ...] = ()
    """Phrases that suggest this stance in a news sentence ("lay down their arms"): ingest proposes the
    stance whose cue matches best, and the analyst decides."""

    def as_json(self) -> dict[str, Any]:
        """The stance as stored and listed; ``cues`` only when it has some (DESIGN.md's shape otherwise)."""
        found: dict[str, Any] = {"code": self.code, "label": self.label, "score": self.score}
        if self.cues:
            found["cues"] = list(self.cues)
        return found


@dataclass(frozen=True, slots=True)
class Issue:
    """A question under negotiation, with its ordered scale of stances."""

    id: str
    name: str
    question: str = ""
    keywords: tuple[str, ...] = ()
    """Words that mark a sentence as speaking to this issue (ingest)."""
    scale: tuple[Stance, ...] = ()

    def stance(self, code: str) -> Stance | None:
        """The stance with this code, or None."""
        for stance in self.scale:
            if stance.code == code:
                return stance
        return None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Issue:
        scale = data.get("scale") or []
        if not isinstance(scale, list) or not scale:
            raise InputError(f"issue {shown(data.get('id'))} has no scale")
        stances: list[Stance] = []
        for score, step in enumerate(scale):
            cues: tuple[str, ...] = ()
            if isinstance(step, str):
                code, label = step, step
            elif isinstance(step, Mapping):
                code, label = _text(step, "code"), _text(step, "label") or _text(step, "code")
                cues = _texts(step, "cues")
            else:
                raise InputError(f"issue {shown(data.get('id'))}: a stance must be text or an object")
            stances.append(Stance(code=code, label=label, score=score, cues=cues))
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name") or _text(data, "id"),
            question=_text(data, "question"),
            keywords=_texts(data, "keywords"),
            scale=tuple(stances),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "question": self.question,
            "keywords": list(self.keywords),
            "scale": [s.as_json() for s in self.scale],
        }

    def problems(self) -> list[str]:
        """What is wrong with this issue's definition, if anything."""
        found = []
        if not ID_RE.match(self.id):
            found.append(f"issue id {shown(self.id)} must be lower-case letters, digits, - or _")
        codes = [s.code for s in self.scale]
        if len(codes) < 2:
            found.append(f"issue {shown(self.id)} needs a scale of at least two stances")
        if len(set(codes)) != len(codes):
            found.append(f"issue {shown(self.id)} repeats a stance code")
        found += [
            f"issue {shown(self.id)}: stance code {shown(c)} must be lower-case letters, digits, - or _"
            for c in codes
            if not ID_RE.match(c)
        ]
        return found


@dataclass(frozen=True, slots=True)
class Party:
    """A side whose positions are tracked."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    """Speakers and institutions that speak for the party ("Putin", "Kremlin")."""
    color: str = ""
    """A Rich colour name or #rrggbb, used to mark the party in tables."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Party:
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name") or _text(data, "id"),
            aliases=_texts(data, "aliases"),
            color=_text(data, "color"),
        )

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases), "color": self.color}

    def problems(self) -> list[str]:
        found = []
        if not ID_RE.match(self.id):
            found.append(f"party id {shown(self.id)} must be lower-case letters, digits, - or _")
        if not COLOR_RE.match(self.color):
            found.append(f"party colour {shown(self.color)} must be a colour name (e.g. red) or #rrggbb")
        return found


@dataclass(frozen=True, slots=True)
class Codebook:
    """The parties and issues a store tracks, in their display order."""

    parties: tuple[Party, ...]
    issues: tuple[Issue, ...]
    _by_id: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False, hash=False)
    """Parties and issues by id (the first of each id), so checking 100,000 statements is not a scan each."""

    def __post_init__(self) -> None:
        parties = {p.id: p for p in reversed(self.parties)}
        issues = {i.id: i for i in reversed(self.issues)}
        object.__setattr__(self, "_by_id", {"parties": parties, "issues": issues})

    def party(self, party_id: str) -> Party | None:
        found: Party | None = self._by_id["parties"].get(party_id)
        return found

    def issue(self, issue_id: str) -> Issue | None:
        found: Issue | None = self._by_id["issues"].get(issue_id)
        return found

    def require_party(self, party_id: str) -> Party:
        """The party with this code (the program's own ids); :meth:`resolve_party` reads what an analyst typed."""
        party = self.party(party_id)
        if party is None:
            raise InputError(self.unknown_party(party_id))
        return party

    def require_issue(self, issue_id: str) -> Issue:
        """The issue with this code (the program's own ids); :meth:`resolve_issue` reads what an analyst typed."""
        issue = self.issue(issue_id)
        if issue is None:
            raise InputError(self.unknown_issue(issue_id))
        return issue

    def require_stance(self, issue_id: str, code: str) -> Stance:
        issue = self.require_issue(issue_id)
        stance = issue.stance(code)
        if stance is None:
            raise InputError(unknown_stance(issue, code))
        return stance

    # What an analyst types for a party, an issue or a stance: the code in any case, or a name, an
    # alias or a label, when it names one thing only. Every surface that takes one (add, correct,
    # the filters of matrix, diff and log, inbox accept, the dashboard's form) reads it through these.

    def resolve_party(self, text: str) -> Party:
        """The party ``text`` names: its code (any case), else its name or one of its aliases ("us",
        "Kremlin"), when only one party has it; an InputError listing the codes (or the candidates) if not."""
        return _resolved("party", text, self.parties, self.party, lambda p: (p.name, *p.aliases), self.unknown_party)

    def resolve_issue(self, text: str) -> Issue:
        """The issue ``text`` names: its code (any case), else its name ("NATO"), when only one issue has it."""
        return _resolved("issue", text, self.issues, self.issue, lambda i: (i.name,), self.unknown_issue)

    def resolve_stance(self, issue: Issue, text: str) -> Stance:
        """The stance on ``issue``'s scale that ``text`` names: its code (any case), else its label ("Not now")."""
        return _resolved(
            "stance", text, issue.scale, issue.stance, lambda s: (s.label,), lambda t: unknown_stance(issue, t)
        )

    def unknown_party(self, text: str) -> str:
        """The message for a party code the codebook lacks: it lists the codes it has."""
        return f"unknown party {shown(text)} (known: {', '.join(p.id for p in self.parties) or 'none'})"

    def unknown_issue(self, text: str) -> str:
        """The message for an issue code the codebook lacks: it lists the codes it has."""
        return f"unknown issue {shown(text)} (known: {', '.join(i.id for i in self.issues) or 'none'})"


def unknown_stance(issue: Issue, text: str) -> str:
    """The message for a stance the issue's scale lacks: it lists the scale's codes."""
    return f"unknown stance {shown(text)} for issue {shown(issue.id)} (scale: {', '.join(s.code for s in issue.scale)})"


def folded(text: str) -> str:
    """Text as names are compared: case folded, spaces collapsed (" Not  now" is "not now")."""
    return " ".join(text.casefold().split())


_Named = TypeVar("_Named", Party, Issue, Stance)


def _resolved(
    kind: str,
    text: str,
    items: Sequence[_Named],
    by_code: Callable[[str], _Named | None],
    names: Callable[[_Named], Iterable[str]],
    unknown: Callable[[str], str],
) -> _Named:
    """The one item ``text`` names: by code first (exactly, then in any case), then by a name, unique.

    A code always wins over a name, so adding an alias never changes what an existing code means.
    """
    found = by_code(text) or by_code(text.strip().lower())
    if found is not None:
        return found
    wanted = folded(text)
    matched = [item for item in items if wanted and any(folded(name) == wanted for name in names(item))]
    if len(matched) == 1:
        return matched[0]
    if matched:
        codes = ", ".join(_code(item) for item in matched)
        raise InputError(f"{kind} {shown(text)} is ambiguous: it names {codes}; give the code")
    raise InputError(unknown(text))


def _code(item: Party | Issue | Stance) -> str:
    return item.code if isinstance(item, Stance) else item.id


@dataclass(frozen=True, slots=True)
class Source:
    """Where a statement was reported."""

    url: str = ""
    title: str = ""
    outlet: str = ""
    published: str = ""
    """ISO date the report was published, or empty."""

    @classmethod
    def from_json(cls, data: object) -> Source:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InputError("source must be an object with url, title, outlet, published")
        return cls(
            url=_text(data, "url"),
            title=_text(data, "title"),
            outlet=_text(data, "outlet"),
            published=_text(data, "published"),
        )

    def as_json(self) -> dict[str, str]:
        return {"url": self.url, "title": self.title, "outlet": self.outlet, "published": self.published}


def _sources(data: Mapping[str, Any], key: str) -> tuple[Source, ...]:
    """A list of sources (a statement's ``corroborated_by``); missing or None is none."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(f"{key} must be a list of sources")
    return tuple(Source.from_json(item) for item in value)


@dataclass(frozen=True, slots=True)
class Statement:
    """One revision of one party's stated position on one issue."""

    id: str
    """Stable across revisions and globally unique (``st_`` + ULID)."""
    rev: int
    """1 for the statement as first recorded; each correction or retraction adds one."""
    party: str
    issue: str
    stance: str
    stated_on: str
    """ISO date the position was stated (valid time)."""
    summary: str = ""
    quote: str = ""
    speaker: str = ""
    channel: str = "official"
    conditions: tuple[str, ...] = ()
    source: Source = field(default_factory=Source)
    grade: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    recorded_at: str = ""
    """ISO UTC instant this revision was recorded (record time)."""
    recorded_by: str = ""
    retracted: bool = False
    reason: str = ""
    """Why this revision was made (a correction's or a retraction's reason)."""
    withdrawn_on: str = ""
    """For a retraction: the ISO date from which the position no longer stands.
    Empty means it never stood (the record was wrong)."""
    corroborated_by: tuple[Source, ...] = ()
    """Other reports of the same statement (an inbox candidate several outlets carried): ``source`` is
    the first, these the rest. Stored only when there are any, so older files and statements without
    corroboration keep their shape."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Statement:
        """A statement from its stored or exported JSON; types are checked, codes are not."""
        stored = _stored_statement(data)
        if stored is not None:
            return stored
        if not isinstance(data, Mapping):
            raise InputError("a statement must be a JSON object")
        rev = data.get("rev", 1)
        if isinstance(rev, bool) or not isinstance(rev, int):
            raise InputError("rev must be a whole number")
        retracted = data.get("retracted", False)
        if not isinstance(retracted, bool):
            raise InputError("retracted must be true or false")
        return cls(
            id=_text(data, "id"),
            rev=rev,
            party=_text(data, "party"),
            issue=_text(data, "issue"),
            stance=_text(data, "stance"),
            stated_on=_text(data, "stated_on"),
            summary=_text(data, "summary"),
            quote=_text(data, "quote"),
            speaker=_text(data, "speaker"),
            channel=_text(data, "channel") or "official",
            conditions=_texts(data, "conditions"),
            source=Source.from_json(data.get("source")),
            grade=_text(data, "grade"),
            tags=_texts(data, "tags"),
            note=_text(data, "note"),
            recorded_at=_text(data, "recorded_at"),
            recorded_by=_text(data, "recorded_by"),
            retracted=retracted,
            reason=_text(data, "reason"),
            withdrawn_on=_text(data, "withdrawn_on"),
            corroborated_by=_sources(data, "corroborated_by"),
        )

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "rev": self.rev,
            "party": self.party,
            "issue": self.issue,
            "stance": self.stance,
            "stated_on": self.stated_on,
            "summary": self.summary,
            "quote": self.quote,
            "speaker": self.speaker,
            "channel": self.channel,
            "conditions": list(self.conditions),
            "source": self.source.as_json(),
            "grade": self.grade,
            "tags": list(self.tags),
            "note": self.note,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "retracted": self.retracted,
            "reason": self.reason,
            "withdrawn_on": self.withdrawn_on,
        }
        if self.corroborated_by:
            found["corroborated_by"] = [other.as_json() for other in self.corroborated_by]
        return found

    def sanitised(self) -> Statement:
        """This statement with every free-text field made safe (done once, on the way in).

        The id is not among them: it is checked (:meth:`field_problems`), never cleaned.

        The statement itself when nothing changes (the usual case, and half the
        cost of an import of 100,000 statements when it was always a copy).
        """
        source = self.source
        others = [text for o in self.corroborated_by for text in (o.url, o.title, o.outlet, o.published)]
        texts = (self.summary, self.quote, self.speaker, self.note, self.reason, self.recorded_by,
                 source.url, source.title, source.outlet, source.published, *self.conditions, *self.tags,
                 *others)  # fmt: skip
        if (
            _DIRTY.search("\n".join(texts)) is None
            and tuple(map(str.strip, texts)) == texts
            and all(self.conditions)
            and all(self.tags)
        ):
            return self  # nothing to remove, nothing to strip: checked by C calls over all the text at once
        clean = _clean_source(source)
        fields: dict[str, Any] = {
            "corroborated_by": tuple(map(_clean_source, self.corroborated_by)),
            "summary": sanitise(self.summary),
            "quote": sanitise(self.quote),
            "speaker": sanitise(self.speaker),
            "note": sanitise(self.note),
            "conditions": tuple(c for c in map(sanitise, self.conditions) if c),
            "tags": tuple(t for t in map(sanitise, self.tags) if t),
            "reason": sanitise(self.reason),
            "recorded_by": sanitise(self.recorded_by),  # $TRACKER_USER, or an imported revision's
        }
        if clean == source and all(getattr(self, name) == value for name, value in fields.items()):
            return self
        return replace(self, source=clean, **fields)

    def problems(self, codebook: Codebook) -> list[str]:
        """Every way this revision breaks the codebook or the field rules."""
        return [message for _, message in self.field_problems(codebook)]

    def field_problems(self, codebook: Codebook) -> list[tuple[str, str]]:
        """(field, message) for every problem, so a form can show each beside its field."""
        found: list[tuple[str, str]] = []
        if self.id and not STATEMENT_ID_RE.fullmatch(self.id):  # empty: not given yet (a form, a new import row)
            found.append(("id", f"statement id {shown(self.id)} must be st_ and 1 to {STATEMENT_ID_MAX} "
                                "letters, digits, - or _"))  # fmt: skip
        if self.rev < 1:
            found.append(("rev", f"rev {self.rev} must be 1 or more"))
        if codebook.party(self.party) is None:
            found.append(("party", codebook.unknown_party(self.party)))
        issue = codebook.issue(self.issue)
        if issue is None:
            found.append(("issue", codebook.unknown_issue(self.issue)))
        elif issue.stance(self.stance) is None:
            found.append(("stance", unknown_stance(issue, self.stance)))
        if not is_iso_date(self.stated_on):
            found.append(("stated_on", f"stated_on {shown(self.stated_on)} is not a real date (YYYY-MM-DD)"))
        if self.source.published and not is_iso_date(self.source.published):
            found.append(("published", f"source published {shown(self.source.published)} is not a real date"))
        for at, other in enumerate(self.corroborated_by, 1):
            if other.published and not is_iso_date(other.published):
                found.append(("corroborated_by", f"corroborating source {at}: published {shown(other.published)} "
                                                 "is not a real date"))  # fmt: skip
        if self.withdrawn_on and not is_iso_date(self.withdrawn_on):
            found.append(("withdrawn_on", f"withdrawn_on {shown(self.withdrawn_on)} is not a real date"))
        if self.grade and not GRADE_RE.match(self.grade):
            found.append(("grade", f"grade {shown(self.grade)} is not an Admiralty code like B2 (A-F, 1-6)"))
        if self.channel not in CHANNELS:
            found.append(("channel", f"channel {shown(self.channel)} is not one of {', '.join(CHANNELS)}"))
        if self.retracted and not self.reason:
            found.append(("reason", "a retraction needs a reason"))
        found += self._length_problems()
        return found

    def entry_problems(self, today: str, fields: Collection[str] = ENTRY_FIELDS) -> list[tuple[str, str]]:
        """(field, message) for what a statement may not say when it is written, of ``fields`` (the ones
        being written: a correction names those it changes).

        ``stated_on`` after ``today`` (the analyst's own, ``dates.today``: what ``--date today`` means):
        a position is recorded once it was stated. A source ``url`` that is not an absolute http(s)
        address (:func:`is_web_url`). Not among :meth:`field_problems`, which every reader and ``check``
        apply to what is already stored: a file written before these rules, or by a colleague a time
        zone ahead, stays readable, and its statements can still be retracted or corrected.
        """
        found: list[tuple[str, str]] = []
        if "stated_on" in fields and self.stated_on > today:
            found.append(("stated_on", f"stated_on {shown(self.stated_on)} is after today ({today})"))
        url = self.source.url
        if "url" in fields and url and not is_web_url(url):
            found.append(("url", f"source url {shown(url)} is not an absolute http:// or https:// address"))
        return found

    def _length_problems(self) -> list[tuple[str, str]]:
        """(field, message) for every field over its limit (:data:`LONG_TEXT_MAX` and the others).

        Lengths only: a few C calls per statement, read for every revision an import brings.
        """
        source, conditions, tags = self.source, self.conditions, self.tags
        found = self._corroboration_length_problems() if self.corroborated_by else []
        if not found and (  # the usual case, in a few additions: no field over its limit when their sums are under it
            len(self.summary) + len(self.quote) + len(self.note) + len(self.reason) <= LONG_TEXT_MAX
            and len(self.speaker) + len(self.recorded_by) + len(source.title) + len(source.outlet) <= SHORT_TEXT_MAX
            and len(source.url) <= URL_MAX
            and len(conditions) + len(tags) <= LIST_MAX
            and len("".join(conditions)) + len("".join(tags)) <= ITEM_MAX
        ):
            return []
        found += [
            (name, f"{what} is {len(value):,} characters; the limit is {limit:,}")
            for name, what, value, limit in (
                ("summary", "summary", self.summary, LONG_TEXT_MAX),
                ("quote", "quote", self.quote, LONG_TEXT_MAX),
                ("note", "note", self.note, LONG_TEXT_MAX),
                ("reason", "reason", self.reason, LONG_TEXT_MAX),
                ("speaker", "speaker", self.speaker, SHORT_TEXT_MAX),
                ("recorded_by", "recorded_by", self.recorded_by, SHORT_TEXT_MAX),
                ("url", "source url", source.url, URL_MAX),
                ("title", "source title", source.title, SHORT_TEXT_MAX),
                ("outlet", "source outlet", source.outlet, SHORT_TEXT_MAX),
            )
            if len(value) > limit
        ]
        for name, item, values in (("conditions", "condition", conditions), ("tags", "tag", tags)):
            if len(values) > LIST_MAX:
                found.append((name, f"{name} has {len(values):,} items; the limit is {LIST_MAX:,}"))
            elif values and max(map(len, values)) > ITEM_MAX:
                at, longest = max(enumerate(values, 1), key=lambda pair: len(pair[1]))
                found.append((name, f"{item} {at} is {len(longest):,} characters; the limit is {ITEM_MAX:,}"))
        return found

    def _corroboration_length_problems(self) -> list[tuple[str, str]]:
        """The corroborating sources over their limits: as many as a list may hold, each field as the source's."""
        others = self.corroborated_by
        if len(others) > LIST_MAX:
            return [("corroborated_by", f"corroborated_by has {len(others):,} sources; the limit is {LIST_MAX:,}")]
        return [
            (
                "corroborated_by",
                f"corroborating source {at}: {what} is {len(value):,} characters; the limit is {limit:,}",
            )
            for at, other in enumerate(others, 1)
            for what, value, limit in (
                ("url", other.url, URL_MAX),
                ("title", other.title, SHORT_TEXT_MAX),
                ("outlet", other.outlet, SHORT_TEXT_MAX),
            )
            if len(value) > limit
        ]


def _clean_source(source: Source) -> Source:
    """A source with every field made safe (:func:`sanitise`)."""
    return Source(*(sanitise(v) for v in (source.url, source.title, source.outlet, source.published)))


_STORED_NAMES = (
    "id", "rev", "party", "issue", "stance", "stated_on", "summary", "quote", "speaker", "channel",
    "conditions", "grade", "tags", "note", "recorded_at", "recorded_by", "retracted", "reason",
    "withdrawn_on", "source",
)  # fmt: skip
"""A stored statement's fields, in Statement's order with ``source`` moved last."""
_STORED = itemgetter(*_STORED_NAMES)
_STORED_TYPES = tuple(
    {"rev": int, "retracted": bool, "conditions": list, "tags": list, "source": dict}.get(name, str)
    for name in _STORED_NAMES
)
_SOURCE_AT = _STORED_NAMES.index("source")
_CONDITIONS_AT = _STORED_NAMES.index("conditions")
_TAGS_AT = _STORED_NAMES.index("tags")
_SOURCE_TEXTS = itemgetter("url", "title", "outlet", "published")
_ONLY_TEXT = frozenset({str})
_CORROBORATED = "corroborated_by"
"""The one optional stored field: present only on a statement several reports carried."""


def _stored_sources(value: object) -> bool:
    """True for a stored ``corroborated_by``: a list of source documents of text fields."""
    if type(value) is not list:
        return False
    try:
        return all(type(item) is dict for item in value) and _ONLY_TEXT.issuperset(
            map(type, chain.from_iterable(_SOURCE_TEXTS(item) for item in value))
        )
    except KeyError:
        return False


def is_stored(data: object) -> bool:
    """True if ``data`` is a statement document exactly as the store writes it.

    Every field present with exactly its stored type. Such a document becomes
    a Statement through the fast path of :meth:`Statement.from_json`, and its
    fields can be read straight from it (``Timeline.from_documents``).
    """
    if type(data) is not dict:
        return False
    try:  # the checks of _stored_fields, without building its result: one pass over 100,000 documents
        values = _STORED(data)
        if tuple(map(type, values)) != _STORED_TYPES:
            return False
        others = data.get(_CORROBORATED)  # one look-up for the usual document, which has none
        return _ONLY_TEXT.issuperset(
            map(type, chain(values[_CONDITIONS_AT], values[_TAGS_AT], _SOURCE_TEXTS(values[_SOURCE_AT])))
        ) and (others is None or _stored_sources(others))
    except KeyError:
        return False


def from_stored(data: Mapping[str, Any]) -> Statement:
    """The Statement of a document :func:`is_stored` accepted; its types are not checked again.

    For documents already checked in bulk (``Store``, ``Timeline.from_documents``):
    one itemgetter and a positional constructor.
    """
    (id_, rev, party, issue, stance, stated_on, summary, quote, speaker, channel, conditions, grade,
     tags, note, recorded_at, recorded_by, retracted, reason, withdrawn_on, source) = _STORED(data)  # fmt: skip
    others = data.get(_CORROBORATED)
    return Statement(
        id_, rev, party, issue, stance, stated_on, summary, quote, speaker, channel or "official",
        tuple(conditions), Source(*_SOURCE_TEXTS(source)), grade, tuple(tags), note,
        recorded_at, recorded_by, retracted, reason, withdrawn_on,
        tuple(Source(*_SOURCE_TEXTS(other)) for other in others) if others else (),
    )  # fmt: skip


def _stored_statement(data: object) -> Statement | None:
    """The fast path of :meth:`Statement.from_json` (4x faster at 100,000 statements), or None.

    Taken by a document in the exact stored shape (:func:`is_stored`); anything
    unusual (a missing field, None, a subclass, a wrong type) returns None and
    takes the general path, which gives the same result or the same InputError.
    """
    if not is_stored(data):
        return None
    assert isinstance(data, dict)
    return from_stored(data)


@dataclass(frozen=True, slots=True)
class Cell:
    """Where one party stands on one issue as of a date."""

    party: str
    issue: str
    stance: Stance
    statement: Statement
    """The statement the position rests on (see ``Timeline.cell`` for which one that is)."""
    version: int
    """How many standing statements that count the cell has had up to the date."""
    evidence: Evidence = Evidence.stated
    """``reported`` only when reports count as positions (``--include-reported``), or for a cell in ``reported``."""
    conflicts: Sequence[Cell] = ()
    """Other speakers' stated positions, close in time, with another stance: the cell is contested."""
    reported: Sequence[Cell] = ()
    """Standing reports newer than the position, newest first: shown, never taken as the position."""

    @property
    def contested(self) -> bool:
        return bool(self.conflicts)

    def as_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "issue": self.issue,
            "stance": self.stance.code,
            "label": self.stance.label,
            "score": self.stance.score,
            "stated_on": self.statement.stated_on,
            "statement_id": self.statement.id,
            "version": self.version,
            "grade": self.statement.grade,
            "speaker": self.statement.speaker,
            "evidence": self.evidence.value,
            "contested": self.contested,
            "conflicts": [c.as_json() for c in self.conflicts],
            "reported": [r.as_json() for r in self.reported],
        }


class ChangeKind(StrEnum):
    """How a cell differs between two dates; a StrEnum, so json and csv carry the plain word."""

    new = "new"
    """A position where there was none."""
    changed = "changed"
    """Another stance on the scale."""
    withdrawn = "withdrawn"
    """No position where there was one."""
    contested = "contested"
    """Another speaker of the party stated another stance close in time: mixed signals."""
    reported = "reported"
    """Reports came in that did not move the position (reported, not confirmed)."""
    restated = "restated"
    """The same stance, stated again by a newer statement (only when asked for)."""


@dataclass(frozen=True, slots=True)
class Change:
    """How one cell differs between two dates."""

    party: str
    issue: str
    kind: ChangeKind
    before: Cell | None
    after: Cell | None
    movement: str | None
    """``toward`` or ``away`` from the other parties' positions, or None."""
    statements: Sequence[Statement]
    """Standing statements that count, stated inside (from, to], oldest first."""
    path: tuple[Cell, ...] = ()
    """The positions the cell went through in the window, from where it stood at the start."""
    reported: Sequence[Cell] = ()
    """Reports stated inside the window and standing at its end, newest first."""

    @property
    def shift(self) -> int | None:
        """After minus before on the scale; None unless both ends exist."""
        if self.before is None or self.after is None:
            return None
        return self.after.stance.score - self.before.stance.score

    def as_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "issue": self.issue,
            "kind": self.kind,
            "before": self.before.as_json() if self.before else None,
            "after": self.after.as_json() if self.after else None,
            "shift": self.shift,
            "movement": self.movement,
            "statements": [s.id for s in self.statements],
            "path": [c.as_json() for c in self.path],
            "reported": [r.as_json() for r in self.reported],
        }


def codebook_from_tables(parties: Iterable[Mapping[str, Any]], issues: Iterable[Mapping[str, Any]]) -> Codebook:
    """A codebook from the stored ``parties`` and ``issues`` documents."""
    return Codebook(
        parties=tuple(Party.from_json(p) for p in parties),
        issues=tuple(Issue.from_json(i) for i in issues),
    )
