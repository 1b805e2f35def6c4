"""From an article page to inbox candidates: each a statement proposed for the analyst to accept.

:func:`read_article` takes the page's main text (trafilatura); everything
else is pure text processing, in small modules: :mod:`.sentences`,
:mod:`.quotes` (what is quoted), :mod:`.attribution` (who speaks, through
which channel), :mod:`.dating` (on which day), :mod:`.terms` and
:mod:`.stances` (the codebook's aliases, keywords and cues). The rules that
are data come from the codebook, so an analyst widens them with ``tracker
parties update``, ``tracker issues update --keyword`` and ``--stance CODE
--cue``.

A sentence proposes a statement when a party's person or body speaks in it
(or holds a position in it) on an issue; a report of fighting without a
demand or an offer does not. An article proposes one statement per speaker
and issue; several articles carrying the same statement become one
candidate with several sources when the inbox takes them in
(:func:`tracker.inbox_model.merged`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..inbox_model import Candidate
from ..model import Codebook, Source, sanitise
from .attribution import People, Person, Reading, Speaker, channel_of, speaker_of, surname
from .dating import day_of_statement
from .quotes import Quoted, masked, quotations, quote_of
from .sentences import paragraph_sentences
from .stances import suggest
from .terms import Terms, plain, positions, terms_of


@dataclass(frozen=True, slots=True)
class Article:
    """An article's main text and where it came from (every field already sanitised)."""

    url: str
    title: str
    outlet: str
    published: str
    """ISO date, or empty."""
    text: str


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


LONGEST_SENTENCE = 1500
"""Characters beyond which a "sentence" is a list, a table or junk: not a statement."""

_EVENT = re.compile(
    r"(?i:\b(?:recaptur|captur|retook|retak|seiz|advanc|repel|repuls|shell|bombard|struck|kill|wound|injur|casualt"
    r"|died\b|dead\b|drone|missile|fighting\b|battle|offensive|counteroffensive|encircl|surrounded|shot down"
    r"|liberat|explosion)\w*)"
)
"""A report of fighting, casualties or troop movements…"""
_POSITION = re.compile(
    r"(?i:\b(?:must|should|would|will have to|made to|demand|offer|ready|condition|insist|propos|call(?:s|ed)? for"
    r"|urg|want|agree|accept|refus|reject|support|oppos|swap|exchange|guarantee|never|order|consider|threat|weigh"
    r"|warn)\w*)"
)
"""…without a demand or an offer is an event, not a position."""
_BACK_REFERENCE = re.compile(
    r"(?i:\b(?:these|those|the same)\s+(?:\w+\s+)?(?:soldiers|troops|forces|units|fighters|regions|territories"
    r"|measures|terms|talks|negotiations|sanctions)\b)"
)
"""A sentence without its issue's words that points back to the sentence before ("these Ukrainian forces")."""


@dataclass(frozen=True, slots=True)
class Match:
    """A statement one sentence proposes: who said what on which issue, and the stance it suggests."""

    party: str
    issue: str
    speaker: str
    quote: str
    """Only the words inside quotation marks (:mod:`.quotes`); empty for indirect speech."""
    summary: str
    """The reporter's sentence."""
    stated_on: str
    channel: str
    stance: str = ""
    cue: str = ""
    headline: bool = False
    order: int = 0
    """The sentence's place in the article."""


def _issues(text: str, terms: Terms) -> list[str]:
    """The issues a sentence speaks to: the first it names (by keyword or an issue's own phrase), then any other
    it names with a stance's cue ("a ceasefire by April 20 … leave Russia's Kursk region")."""
    named = sorted(positions(text, terms.issues) + positions(text, terms.implied))
    ordered = list(dict.fromkeys(code for _, code in named))
    return ordered[:1] + [code for code in ordered[1:] if suggest(text, code, terms).stance]


def find_matches(text: str, book: Codebook, *, published: str = "", title: str = "") -> list[Match]:
    """The statements an article's text proposes, one per speaker and issue, in reading order.

    ``published`` (ISO) dates what has no day of its own; ``title`` names the
    headline, which is proposed only when the article's body does not carry the
    same party and issue (the lede usually repeats it).
    """
    terms = terms_of(book)
    paragraphs = paragraph_sentences(text)
    people = People(terms)
    for sentence in (s for paragraph in paragraphs for s in paragraph if len(s) <= LONGEST_SENTENCE):
        people.learn(sentence)
    reading = Reading(people)
    headline = " ".join(title.split()).casefold()
    found: list[Match] = []
    last_issues: list[str] = []
    order = 0
    for place, paragraph in enumerate(paragraphs):
        # The headline is the title's line; a feed's own title may differ from the page's, so a first line
        # without a sentence's end counts too.
        joined = " ".join(paragraph)
        is_headline = (bool(headline) and joined.casefold() == headline) or (
            place < 3 and len(paragraph) == 1 and joined[-1:] not in ".!?”\"'’"
        )
        for sentence in paragraph:
            order += 1
            if len(sentence) > LONGEST_SENTENCE:
                reading.previous = None
                continue
            quoted = quotations(sentence)
            bare = plain(sentence)
            speaker = speaker_of(plain(masked(sentence, quoted)), reading, terms)
            issues = _issues(bare, terms)
            if not issues and speaker is not None and _BACK_REFERENCE.search(bare):
                issues = last_issues[:1]
            last_issues = issues or last_issues
            if speaker is None or not speaker.party or not issues:
                continue
            if _EVENT.search(bare) and not _POSITION.search(bare):
                continue
            found += _matches_of(sentence, quoted, speaker, issues, terms, people, published, is_headline, order)
    return _one_per_statement(found)


def _matches_of(
    sentence: str,
    quoted: list[Quoted],
    speaker: Speaker,
    issues: list[str],
    terms: Terms,
    people: People,
    published: str,
    headline: bool,
    order: int,
) -> list[Match]:
    known = people.get(speaker.name) if speaker.person else None
    channel = channel_of(sentence, speaker, known)
    day = day_of_statement(plain(masked(sentence, quoted)), published, speaker.at)
    if speaker.person:
        known = people.note(Person(speaker.name, day=day, channel="interview" if channel == "interview" else ""))
    stated_on = day or (known.day if known else "") or published
    quote = "" if speaker.via == "report" else quote_of(quoted)  # the press's words are not the party's
    bare = plain(sentence)
    return [
        Match(
            party=speaker.party,
            issue=issue,
            speaker=speaker.name,
            quote=quote,
            summary=sentence,
            stated_on=stated_on,
            channel=channel,
            stance=(suggested := suggest(bare, issue, terms)).stance,
            cue=suggested.cue,
            headline=headline,
            order=order,
        )
        for issue in issues
    ]


def _one_per_statement(found: list[Match]) -> list[Match]:
    """One match per party, issue and speaker: an article reports one occasion in several sentences.

    The sentence kept is the one an analyst would record: with the speaker's
    own words (the most of them), with a stance's cue, then the first. A
    headline gives way to any sentence of the body on the same party and issue.
    """
    body = {(m.party, m.issue) for m in found if not m.headline}
    groups: dict[tuple[str, str, str], list[Match]] = {}
    for match in found:
        if match.headline and (match.party, match.issue) in body:
            continue
        groups.setdefault((match.party, match.issue, surname(match.speaker)), []).append(match)
    kept = [
        max(group, key=lambda m: (bool(m.quote), bool(m.stance), len(m.quote.split()), -m.order))
        for group in groups.values()
    ]
    return sorted(kept, key=lambda m: (m.order, m.issue))


def find_candidates(article: Article, book: Codebook, *, fetched_at: str, new_id: Callable[[], str]) -> list[Candidate]:
    """The candidates an article proposes, in reading order, each sourced to the article."""
    source = Source(article.url, article.title, article.outlet, article.published)
    return [
        Candidate(
            id=new_id(),
            party=match.party,
            issue=match.issue,
            speaker=match.speaker,
            quote=match.quote,
            summary=match.summary,
            stated_on=match.stated_on,
            channel=match.channel,
            suggested_stance=match.stance,
            cue=match.cue,
            sources=(source,),
            fetched_at=fetched_at,
        )
        for match in find_matches(article.text, book, published=article.published, title=article.title)
    ]
