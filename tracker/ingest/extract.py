"""From an article page to inbox candidates: main text, sentences, party and issue matches.

Everything but :func:`read_article` is pure text processing. The matching
rules come from the codebook (party aliases, issue keywords), so an analyst
widens them with ``tracker parties update`` / ``tracker issues update``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ..inbox_model import Candidate
from ..model import Codebook, sanitise


@dataclass(frozen=True, slots=True)
class Article:
    """An article's main text and where it came from (every field already sanitised)."""

    url: str
    title: str
    outlet: str
    published: str
    """ISO date, or empty."""
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """A sentence that names a party and touches an issue."""

    sentence: str
    party: str
    issue: str
    speaker: str


class NoText(ValueError):
    """The page has no main text worth reading."""


def read_article(html: bytes | str, *, url: str, title: str = "", outlet: str = "", published: str = "") -> Article:
    """The main text of a page and its metadata; the feed's own title/date win over the page's."""
    import trafilatura  # loaded only by the commands that read pages

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text:
        raise NoText("no article text found on the page")
    date = str(getattr(document, "date", "") or "")[:10]
    return Article(
        url=sanitise(url),
        title=sanitise(title or str(getattr(document, "title", "") or "")),
        outlet=sanitise(outlet or str(getattr(document, "sitename", "") or "") or (urlsplit(url).hostname or "")),
        published=sanitise(published or (date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else "")),
        text=sanitise(text),
    )


# -- sentences ------------------------------------------------------------------

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sen", "rep", "gov", "st", "jr", "sr", "vs", "etc",
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "u.n", "e.u",
])  # fmt: skip
_LONGEST_QUOTE = 800
"""Characters after which an unclosed quotation mark is taken for a typo, not a long quote."""
_BOUNDARY = re.compile(r"""([.!?…]+["”’')\]]*)\s+(?=["“‘'(\[]?[A-Z0-9])""")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: paragraphs first, then sentence ends, minding common abbreviations."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*", text):
        paragraph = " ".join(paragraph.split())
        start = counted = 0
        open_quotes = 0  # “ minus ” since ``start``, counted piece by piece so long paragraphs stay linear
        for boundary in _BOUNDARY.finditer(paragraph):
            end = boundary.end(1)
            piece = paragraph[counted:end]
            open_quotes += piece.count("“") - piece.count("”")
            counted = end
            word = paragraph[max(start, boundary.start() - 20) : boundary.start()].rsplit(" ", 1)[-1]
            word = word.lower().rstrip(".")
            if boundary.group(1) == "." and (word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word)):
                continue  # "Mr. Putin", "U.S. Treasury", "J. D. Vance"
            if open_quotes > 0 and end - start < _LONGEST_QUOTE:
                continue  # a quotation of several sentences stays whole, with its attribution
            sentences.append(paragraph[start:end])
            start, open_quotes = boundary.end(), 0
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return _rejoin_attributions(sentences)


def _rejoin_attributions(sentences: list[str]) -> list[str]:
    """Put '“…Thank you!” Trump said on Friday.' back together: the quote ended with '!' or '?'."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and joined[-1][-1:] in "”\"'’" and _ATTRIBUTION.match(sentence):
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return joined


# -- speakers ---------------------------------------------------------------------

_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|(?:von|der|de|van|al)\b))*"
_SAYS = r"said|says|told|added|stated|insisted|warned|wrote|declared|announced|argued|claimed|stressed|noted|replied"
_ATTRIBUTION = re.compile(rf"(?:{_NAME})\s+(?:\w+ly\s+)?(?:{_SAYS})\b")
# "Kremlin spokesman Dmitry Peskov": an institution and a role before the name, skipped.
_ROLE = r"(?:(?:[A-Z][\w’'.-]*\s+)*(?:spokes\w+|minister|secretary|envoy|adviser|aide|chief|president|leader)\s+)?"
_SPEAKER_PATTERNS = (
    # "…, Putin said." / "Trump said in a post…" / "Putin also said that…"
    re.compile(rf"(?P<name>{_NAME})\s+(?:(?:also|later|then|has|had|have|\w+ly)\s+)*(?:{_SAYS})\b"),
    # "…," said Dmitry Peskov. (not "told": what follows it is the listener)
    re.compile(rf"\b(?:said|says|added|wrote|insisted|stated|declared)\s+(?:the\s+)?{_ROLE}(?P<name>{_NAME})"),
    re.compile(rf"\b[Aa]ccording to\s+(?:the\s+)?{_ROLE}(?P<name>{_NAME})"),
)
_OPENERS = frozenset(["the", "a", "an", "then", "but", "and", "so", "however", "meanwhile", "later", "also", "it",
                      "this", "he", "she", "they", "we", "i"])  # fmt: skip
# Words that open a name without being it: titles and nationalities ("Russian President Vladimir Putin").
_NOT_NAMES = frozenset([
    "president", "vice",
    "prime", "minister", "foreign", "defence", "defense", "secretary", "state", "chancellor", "spokesman",
    "spokeswoman", "spokesperson", "mr", "mrs", "ms", "dr", "general", "gen", "senator", "sen", "envoy",
    "special", "russian", "ukrainian", "american", "european", "french", "german", "british", "us", "u.s.",
])  # fmt: skip


def find_speaker(sentence: str) -> str:
    """Who the sentence says is speaking ("…, Putin said" → "Putin"), or empty."""
    for pattern in _SPEAKER_PATTERNS:
        found = pattern.search(sentence)
        if not found:
            continue
        words = found.group("name").rstrip(".,").split()
        while words and words[0].lower() in _OPENERS:
            words.pop(0)
        name = list(words)
        while len(name) > 1 and name[0].lower().strip("’'") in _NOT_NAMES:
            name.pop(0)
        if name and name[0].lower() in _NOT_NAMES:
            # Only a title: "the Russian President said" names the speaker by it; a lone "Russian" does not.
            name = words if len(words) > 1 else []
        if name:
            return " ".join(name)
    return ""


# -- matching ---------------------------------------------------------------------


def _term(term: str, *, plural: bool) -> str:
    """One alias or keyword as a whole-word pattern ("Putin" matches "Putin's", not "Putinism")."""
    body = re.escape(term) + ("(?:e?s)?" if plural else "")
    # An all-capitals term ("US", "EU", "NATO") is an acronym: match its case, so "us" is not the United States.
    if term.upper() != term or not any(c.isalpha() for c in term):
        body = f"(?i:{body})"
    return rf"(?<!\w){body}(?!\w)"


@dataclass(frozen=True, slots=True)
class _Matcher:
    parties: tuple[tuple[str, re.Pattern[str]], ...]
    issues: tuple[tuple[str, re.Pattern[str]], ...]


def _pattern(terms: Iterable[str], *, plural: bool) -> re.Pattern[str] | None:
    # Longest first, so "White House" wins over "White".
    alternatives = [_term(t, plural=plural) for t in sorted({t for t in terms if t.strip()}, key=len, reverse=True)]
    return re.compile("|".join(alternatives)) if alternatives else None


@lru_cache(maxsize=8)
def _matcher(book: Codebook) -> _Matcher:
    parties = tuple((p.id, pat) for p in book.parties if (pat := _pattern(p.aliases, plural=False)))
    issues = tuple((i.id, pat) for i in book.issues if (pat := _pattern(i.keywords, plural=True)))
    return _Matcher(parties, issues)


def _first(sentence: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> str:
    """The id whose pattern matches earliest in the sentence, or empty."""
    hits = [(found.start(), order, code) for order, (code, pattern) in enumerate(patterns)
            if (found := pattern.search(sentence))]  # fmt: skip
    return min(hits)[2] if hits else ""


LONGEST_SENTENCE = 1500
"""Characters beyond which a "sentence" is a list, a table or junk: not a statement, and the speaker
patterns would spend quadratic time on it."""


def match_sentence(sentence: str, book: Codebook) -> Match | None:
    """The party and issue a sentence speaks to, if it names both.

    The party is the speaker's when the speaker is one of its aliases, else the
    first party named; the issue is the first whose keyword appears.
    """
    if len(sentence) > LONGEST_SENTENCE:
        return None
    matcher = _matcher(book)
    issue = _first(sentence, matcher.issues)
    if not issue:
        return None
    party = _first(sentence, matcher.parties)
    if not party:
        return None
    speaker = find_speaker(sentence)
    if speaker:
        party = _first(speaker, matcher.parties) or party
    return Match(sentence=sentence, party=party, issue=issue, speaker=speaker)


def find_matches(text: str, book: Codebook) -> list[Match]:
    """Every candidate sentence of a text, once each, in reading order."""
    seen: set[str] = set()
    found = []
    for sentence in split_sentences(text):
        if sentence in seen:
            continue
        seen.add(sentence)
        match = match_sentence(sentence, book)
        if match is not None:
            found.append(match)
    return found


def find_candidates(article: Article, book: Codebook, *, fetched_at: str, new_id: Callable[[], str]) -> list[Candidate]:
    """The new candidates in an article: its sentences that name a party and an issue, in reading order."""
    return [
        Candidate(
            id=new_id(),
            party=match.party,
            issue=match.issue,
            sentence=match.sentence,
            speaker=match.speaker,
            url=article.url,
            title=article.title,
            outlet=article.outlet,
            published=article.published,
            fetched_at=fetched_at,
        )
        for match in find_matches(article.text, book)
    ]
