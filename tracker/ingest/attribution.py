"""Who speaks in a sentence of news English, and through which channel.

Pure text processing over a sentence whose quotations are masked
(:mod:`.quotes`), so a name inside a quotation never speaks. The patterns are
those of news writing:

- a speech verb with its subject: "Putin said", "Hegseth clearly stated",
  "Kaja Kallas, the EU's foreign policy chief, said", "“…,” Kirill Dmitriev,
  the Kremlin's envoy, told reporters", inverted after a quotation ("…,” said
  Dmitry Peskov"), "according to Putin";
- ``Name: “…”`` and a subject before a colon that opens a quotation ("Putin was
  adamant: “We are for it.”"), a possessive ("Peskov's statement that …");
- a pronoun or a role ("he said", "the minister added") continuing the person
  last named in the article;
- no speech verb, a party's person or body doing a position's verb ("Putin
  agreed to…", "Washington is reportedly weighing…"): the actor is the speaker.

A named person wins over an institution: "Putin agreed…, the Kremlin said"
is Putin's (through the Kremlin's readout, so ``official``). A report by the
press ("US media report…", "…, reported The Bell", "Daily Mail reported:")
makes the party it is about the speaker, through ``media-report``, and the
words it quotes are the reporter's, not the party's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .quotes import MASK
from .terms import Terms, first, plain

# -- words ----------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SAYS = _words("""
said says say told tells added adds stated states insisted insists warned warns wrote writes declared declares
announced announces argued argues claimed claims stressed stresses noted notes replied replies confirmed
confirms explained explains acknowledged reiterated reiterates emphasised emphasized asserted asserts
""")
"""Speech verbs: their subject is the speaker."""
REPORTS = frozenset(["reported", "reports", "report"])
"""The press's verbs: their subject reports someone else's position."""
ACTS = _words("""
agreed agrees wants want demands demanded demand rejects rejected refuses refused supports supported backs
backed opposes opposed offers offered proposes proposed urges urged ordered orders threatened threatens
force forces forced accept accepts accepted welcome welcomes welcomed weighing considering mulling pledged
vowed insisting demanding calls called seeks sought lift lifts lifted ease eases eased impose imposes imposed
recognise recognises recognised recognize recognizes recognized
""")
"""A position's verbs, for a sentence without a speech verb: their subject holds the position."""
_ACT_PHRASES = (("looking", "at"), ("ready",), ("rules", "out"), ("ruled", "out"), ("open", "to"))
"""Position phrases of more than one word, or an adjective ("is ready for a truce")."""
STATEMENT_NOUNS = _words("""
statement statements remarks words comments claim demand demands proposal offer position readout plan plans
call warning message post letter decree order ultimatum assertion insistence
""")
"""What a possessive introduces as someone's words: "Peskov's statement that …"."""
_SKIPPED = _words("""
also later then has had have was were is are again previously earlier once further too first repeatedly
reportedly would will could may might not never just already still even
""")
"""Between a subject and its verb: "Putin also said", "Washington is reportedly weighing"."""
PRONOUNS = frozenset(["he", "she", "they", "it"])
ROLE_NOUNS = _words("""
spokesman spokeswoman spokesperson spokesmen minister ministers ministry secretary envoy envoys adviser advisers
advisor advisors aide aides chief president leader leaders chancellor commissioner ambassador official officials
general commander negotiator negotiators representative premier head director deputy governor governors staff
office department council government administration parliament mission delegation readout media outlet
newspaper agency sources source people diplomats analysts experts lawyers observers bloc team
""")
"""The head of a phrase that names someone by what they are ("the minister", "the regional governors")."""
_ROLE_WORDS = ROLE_NOUNS | _words("""
foreign defence defense policy security press special presidential prime vice top senior former state national
investment economic cooperation and for of the affairs regional news independent military intelligence finance
trade interior energy two
""")
"""Words a role phrase may hold before its name: "the Kremlin's envoy for investment and economic cooperation"."""
PERSON_ROLES = _words("""
minister president spokesman spokeswoman spokesperson envoy aide adviser advisor chancellor secretary ambassador
commissioner premier leader negotiator chief general commander governor
""")
"""Roles of one person: "the minister said" continues the minister last named."""
MEDIA = frozenset(["media", "outlet", "newspaper", "agency", "sources", "source", "people", "reports"])
SPOKESPEOPLE = frozenset(["spokesman", "spokeswoman", "spokesperson", "aide"])
"""Roles that speak for a principal: the ``spokesperson`` channel."""
TITLES = _words("""
president vice prime minister foreign defence defense secretary state chancellor spokesman spokeswoman
spokesperson senator sen general gen envoy special former deputy mr mrs ms dr ambassador commissioner
russian ukrainian american european french german british chinese us u.s. uk u.k. kremlin
""")
"""Capitalised words before a name that are not part of it: "Russian President Vladimir Putin"."""
_OPENERS = _words("""
the a an in on at but and so then after before however meanwhile later also this that following according
as when while if since during overnight today yesterday now still yet even asked remember well
""")
"""Capitalised only because they open the sentence: never the start of a name."""
INSTITUTIONS = _words("""
kremlin house ministry union staff department council office commission parliament government administration
treasury pentagon assembly cabinet embassy court committee media news
""")
"""The last word of a name that is a body, not a person ("White House", "General Staff")."""
CAPITALS = _words("""
moscow kyiv kiev washington brussels london paris berlin beijing ankara warsaw rome madrid tokyo delhi tehran
riyadh minsk budapest vienna geneva istanbul jeddah
""")
"""Capitals that stand for their governments in news English ("Moscow will not accept…"): bodies, not people."""
_PARTICLES = frozenset(["von", "van", "der", "de", "al", "bin", "da", "di", "le", "la"])
_SUBORDINATORS = _words("where when after following as while which who whom if because until before since that whether")
"""Words that open a clause whose subject is not the sentence's ("where Trump urged…, Putin ordered…")."""
_WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_DAYPARTS = _words("morning afternoon evening night")

_TOKEN = re.compile(rf"{re.escape(MASK)}|[A-Za-z0-9][\w'.-]*|[,:;()\[\]—–]")

LEAK = re.compile(
    r"(?i:\bleak(?:ed|s)?\b|\b(?:unverified|unconfirmed|purported|alleged)\s+'?(?:plans?|draft|document|memo))"
)
MEDIA_REPORT = re.compile(
    r"(?i:\breportedly\b|\ballegedly\b|\bpeople familiar\b|\bmedia reports?\b|\bsources said\b|\bis said to\b"
    r"|\baccording to (?:\w+ )?(?:people|sources|officials|reports|media)\b)"
)
INTERVIEW = re.compile(r"(?i:\binterview)")


# -- tokens -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """Lower case, without a full stop that ends the sentence (an abbreviation keeps its inner stops)."""
        lowered = self.text.lower()
        return lowered[:-1] if lowered.endswith(".") and lowered.count(".") == 1 else lowered

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()

    @property
    def possessive(self) -> bool:
        return self.text.endswith("'s") or self.text.endswith("s'")


def tokens(text: str) -> list[Token]:
    """The words, quotation masks and punctuation of ``text`` (masked and :func:`plain`)."""
    return [Token(found.group(), found.start(), found.end()) for found in _TOKEN.finditer(text)]


def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def _name_text(text: str, words: list[Token]) -> str:
    """The name these tokens print, without a possessive or the full stop that ends a sentence ("Bell.")."""
    name = _unpossessed(text[words[0].start : words[-1].end])
    last = words[-1].text
    if name.endswith(".") and last.count(".") == 1 and len(last) > 2:
        name = name[:-1]
    return name


def _unpossessed(name: str) -> str:
    """ "Peskov's" → "Peskov" (the text as printed, typographic apostrophe or not)."""
    return name[:-2] if plain(name).endswith("'s") else name


# -- people the article names ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the article names, as fully as it ever does."""

    name: str
    roles: frozenset[str] = frozenset()
    """Role words the article gives them ("president", "spokesman"): what "the president" refers to."""
    party: str = ""
    day: str = ""
    """The day the article first gives for what they said."""
    channel: str = ""
    """``interview`` once the article says they spoke in one."""


def surname(name: str) -> str:
    words = name.split()
    return _bare(words[-1].lower()) if words else ""


@dataclass
class People:
    """The article's people by surname, learnt from every name it prints (a name printed later counts too)."""

    terms: Terms
    by_surname: dict[str, Person] = field(default_factory=dict)

    def learn(self, sentence: str) -> None:
        """Every name phrase of ``sentence`` (quotations and all), the longest form of each surname kept."""
        toks = tokens(plain(sentence))
        run: list[Token] = []
        for at, token in enumerate([*toks, Token(",", len(sentence), len(sentence))]):
            if token.capital or (run and token.word in _PARTICLES):
                run.append(token)
                continue
            if run:
                begin = at - len(run)
                roles = [t.word for t in toks[_role_back(toks, begin - 1) : begin] if t.word in ROLE_NOUNS]
                self._learn_run(sentence, run, roles)
            run = []

    def _learn_run(self, text: str, run: list[Token], roles: list[str]) -> None:
        words = list(run)
        while words and words[0].word in _OPENERS:
            words.pop(0)
        if not words or _bare(words[-1].word) in INSTITUTIONS:
            return  # "the European Union", "Ukraine's General Staff": bodies, not people
        titles: list[str] = list(roles)
        while len(words) > 1 and (words[0].word in TITLES or words[0].possessive):
            titles.append(words.pop(0).word)
        if words[0].word in TITLES:
            return
        name = _name_text(text, words)
        key = surname(name)
        if not key or len(key) < 2:
            return
        full = len(words) > 1
        if not (full or titles):
            return
        known = self.by_surname.get(key)
        party = first(plain(" ".join([*titles, name])), self.terms.parties)
        if known is None or len(name) > len(known.name):
            self.by_surname[key] = Person(
                name,
                roles=(known.roles if known else frozenset()) | frozenset(titles),
                party=party or (known.party if known else ""),
            )
        elif known is not None:
            self.by_surname[key] = replace(known, roles=known.roles | frozenset(titles), party=known.party or party)

    def get(self, name: str) -> Person | None:
        return self.by_surname.get(surname(name))

    def note(self, person: Person) -> Person:
        """Remember what a sentence taught about ``person`` (a role, a day, a channel); returns what is known."""
        key = surname(person.name)
        known = self.by_surname.get(key)
        if known is None:
            self.by_surname[key] = person
            return person
        merged = replace(
            known,
            roles=known.roles | person.roles,
            party=known.party or person.party,
            day=known.day or person.day,
            channel=known.channel or person.channel,
        )
        self.by_surname[key] = merged
        return merged


# -- subjects ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a verb's subject names: a name (with its role words), a pronoun, or a role alone ("the minister")."""

    name: str = ""
    role: tuple[str, ...] = ()
    pronoun: str = ""
    at: int = 0
    """Where the subject starts in the sentence."""
    the: bool = False
    """Preceded by "the": a body ("the Kremlin"), or a role standing for a person ("the minister")."""

    @property
    def empty(self) -> bool:
        return not (self.name or self.role or self.pronoun)


def _skip_back(toks: list[Token], j: int) -> int:
    """Back over what stands between a subject and its verb: adverbs, auxiliaries, "on Friday morning"."""
    while j >= 0:
        word = toks[j].word
        if word in _SKIPPED or (word.endswith("ly") and not toks[j].capital and len(word) > 3):
            j -= 1
        elif word in _DAYPARTS and j >= 2 and toks[j - 1].word in _WEEKDAYS and toks[j - 2].word == "on":
            j -= 3
        elif word in _WEEKDAYS and j >= 1 and toks[j - 1].word == "on":
            j -= 2
        else:
            break
    return j


def _name_back(toks: list[Token], j: int) -> int:
    """The first token of the run of capitalised words (and particles) ending at ``j``; ``j + 1`` if none."""
    k = j
    while k >= 0 and (toks[k].capital or toks[k].word in _PARTICLES) and toks[k].text != MASK:
        k -= 1
    return k + 1


def _role_back(toks: list[Token], j: int) -> int:
    """The first token of the role phrase ending at ``j`` ("the Kremlin's envoy for investment"), at most 9 words."""
    k = j
    while k >= 0 and j - k < 9:
        token = toks[k]
        if token.text == MASK or not token.text[0].isalnum():
            break
        if not (token.word in _ROLE_WORDS or token.possessive or token.capital):
            break
        k -= 1
    return k + 1


def _subject(sentence: str, toks: list[Token], start: int, end: int, *, owner: bool = False) -> Subject:
    """The name and role words of ``toks[start:end]``: titles and descriptors before the name go to the role.

    With ``owner`` the last word is a possessive that names the owner ("Peskov's statement"), not a descriptor.
    """
    words = toks[start:end]
    the = bool(words) and words[0].word == "the"
    while words and words[0].word in _OPENERS:
        words.pop(0)
    # The name is the trailing run of capitalised words; what comes before it is its role.
    cut = len(words)
    while cut > 0 and (words[cut - 1].capital or words[cut - 1].word in _PARTICLES):
        cut -= 1
    role = [t.text for t in words[:cut]]
    name = words[cut:]
    body = bool(name) and _bare(name[-1].word) in INSTITUTIONS  # "European Union": its words are its name
    body = body or (owner and bool(name) and _bare(name[-1].word) in INSTITUTIONS)
    while len(name) > 1 and (name[0].possessive or (name[0].word in TITLES and not body)):
        role.append(name.pop(0).text)
    if len(name) == 1 and name[0].possessive and not owner:
        role.append(name.pop(0).text)
    if name and not body and name[0].word in TITLES and (len(name) == 1 or name[-1].word in TITLES):
        role += [t.text for t in name]  # only titles: "the Russian President"
        name = []
    text = _name_text(sentence, name) if name else ""
    return Subject(text, tuple(role), at=words[0].start if words else 0, the=the)


def subject_before(sentence: str, toks: list[Token], verb: int) -> Subject:
    """The subject of the verb at ``toks[verb]``, read leftwards."""
    j = _skip_back(toks, verb - 1)
    if j < 0:
        return Subject()
    if toks[j].word in PRONOUNS:
        return Subject(pronoun=toks[j].word, at=toks[j].start)
    if toks[j].text == ",":
        # An appositive between commas: "Kaja Kallas, the EU's foreign policy chief, said".
        k = j - 1
        while k >= 0 and j - k < 16 and toks[k].text not in (",", MASK, ":", ";"):
            k -= 1
        if k < 0 or toks[k].text != ",":
            return Subject()
        inner = _subject(sentence, toks, k + 1, j)
        head_end = k - 1
        head = _subject(sentence, toks, _role_back(toks, head_end), head_end + 1) if head_end >= 0 else Subject()
        if inner.name and not inner.role and not inner.the:  # "the Russian foreign minister, Sergei Lavrov, said"
            return replace(inner, role=(*head.role, *filter(None, [head.name])))
        if head.name or head.role:
            return replace(head, role=(*head.role, *inner.role, *filter(None, [inner.name])))
        return Subject()
    start = _name_back(toks, j)
    if start == j >= 2 and toks[j - 1].word in ("in", "of", "at", "from") and toks[j - 2].word in ROLE_NOUNS:
        # "the defence ministry in Moscow said": the head is the ministry, Moscow only its place.
        found = _subject(sentence, toks, _role_back(toks, j - 2), j - 1)
        return replace(found, role=(*found.role, toks[j].text))
    begin = _role_back(toks, start - 1) if start <= j else _role_back(toks, j)
    if start > j and begin > j:
        return Subject()
    return _subject(sentence, toks, begin, j + 1)


def subject_after(sentence: str, toks: list[Token], verb: int) -> Subject:
    """The subject after an inverted verb ("…,” said Dmitry Peskov)."""
    k = verb + 1
    end = k
    while end < len(toks) and end - k < 10:
        token = toks[end]
        if token.text == MASK or not token.text[0].isalnum():
            break
        if not (token.capital or token.word in _ROLE_WORDS or token.possessive or token.word in _PARTICLES):
            break
        end += 1
    return _subject(sentence, toks, k, end) if end > k else Subject()


# -- the speaker of a sentence -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speaker:
    """Whose statement a sentence carries."""

    name: str
    party: str
    person: bool
    """A person (not a body such as the Kremlin)."""
    roles: frozenset[str] = frozenset()
    via: str = "said"
    """How the sentence attributes it: ``said`` (speech), ``act`` (a position's verb), ``report`` (the
    press reports it), ``continued`` (a quotation continuing the speaker before)."""
    at: int = 0
    """Where its verb is: the day named after it is the day it was said."""


@dataclass
class Reading:
    """What the sentences read so far in an article say about who is speaking."""

    people: People
    last_person: Speaker | None = None
    last_speaker: Speaker | None = None
    previous: Speaker | None = None
    """The speaker of the sentence just before, if it had one."""
    reported: bool = False
    """The sentence just before was the press reporting ("Daily Mail reported:")."""
    roles: dict[str, Speaker] = field(default_factory=dict)
    """The person last named with each role word ("minister"): what "the minister" means next."""

    def by_role(self, role: str) -> Speaker | None:
        return self.roles.get(role, self.last_person)


@dataclass(frozen=True, slots=True)
class _Said:
    subject: Subject
    at: int
    reports: bool = False


def _speeches(sentence: str, toks: list[Token]) -> list[_Said]:
    found: list[_Said] = []
    for i, token in enumerate(toks):
        word = token.word
        if word in SAYS or word in REPORTS:
            reports = word in REPORTS
            before = subject_before(sentence, toks, i)
            inverted = i > 0 and toks[i - 1].text == MASK  # “…,” said Dmitry Peskov
            if (before.empty or inverted) and word not in ("told", "tells"):
                after = subject_after(sentence, toks, i)
                if not after.empty:
                    found.append(_Said(after, token.start, reports))
                    continue
            if not before.empty:
                found.append(_Said(before, token.start, reports))
        elif word == "according" and i + 1 < len(toks) and toks[i + 1].word == "to":
            after = subject_after(sentence, toks, i + 1)
            if after.name:
                found.append(_Said(after, token.start))
        elif token.possessive and i + 1 < len(toks):
            nouns = [t.word for t in toks[i + 1 : i + 4]]
            if any(noun in STATEMENT_NOUNS for noun in nouns):
                found.append(_Said(_subject(sentence, toks, _name_back(toks, i), i + 1, owner=True), token.start))
        elif token.text == ":" and i > 0:
            ahead = toks[i + 1].text if i + 1 < len(toks) else ""
            if ahead == MASK or i <= 3:
                clause = toks[:i]
                for k, word_token in enumerate(clause):
                    if word_token.word in PRONOUNS:
                        found.append(_Said(Subject(pronoun=word_token.word, at=word_token.start), token.start))
                        break
                    if word_token.capital and word_token.word not in _OPENERS:
                        end = k
                        while end < i and (toks[end].capital or toks[end].word in _PARTICLES):
                            end += 1
                        found.append(_Said(_subject(sentence, toks, k, end), token.start))
                        break
    return found


def _acts(toks: list[Token], i: int) -> bool:
    """True when ``toks[i]`` is a position's verb, or starts a position's phrase ("looking at")."""
    word = toks[i].word
    if word in ACTS:
        return True
    following = [t.word for t in toks[i : i + 2]]
    return any(list(phrase) == following[: len(phrase)] for phrase in _ACT_PHRASES)


def _actors(sentence: str, toks: list[Token]) -> list[tuple[Subject, int, bool]]:
    """(subject, where, in a subordinate clause) for every position verb with a subject."""
    found: list[tuple[Subject, int, bool]] = []
    for i, token in enumerate(toks):
        if not _acts(toks, i):
            continue
        subject = subject_before(sentence, toks, i)
        if subject.empty:
            continue
        # "where Trump urged", "after President Trump threatened", "if Moscow agreed": not the main clause.
        begin = next((k for k, t in enumerate(toks) if t.start >= subject.at), i)
        subordinate = any(t.word in _SUBORDINATORS or t.word == "asked" for t in toks[max(0, begin - 3) : begin])
        found.append((subject, token.start, subordinate))
    return found


def _resolve(subject: Subject, reading: Reading, terms: Terms, *, at: int, via: str) -> Speaker | None:
    """The speaker a subject names, through the article's people and what was read before."""
    if subject.pronoun:
        chosen = reading.last_person if subject.pronoun in ("he", "she") else reading.last_speaker
        return replace(chosen, via=via, at=at) if chosen else None
    if not subject.name:
        role_words = [w.lower() for w in subject.role]
        nouns = [w for w in role_words if w in ROLE_NOUNS]
        party = first(plain(" ".join(subject.role)), terms.parties)
        if subject.the and nouns and nouns[-1] in PERSON_ROLES:
            # "the minister", "the Russian President": the last person named with that role (of that party).
            chosen = reading.roles.get(nouns[-1]) if party else reading.by_role(nouns[-1])
            if chosen is None:  # nobody spoke with that title yet: the one person the article gives it, if one
                titled = [p for p in reading.people.by_surname.values() if nouns[-1] in p.roles and p.party]
                if len(titled) == 1:
                    chosen = Speaker(titled[0].name, titled[0].party, True, titled[0].roles)
            if chosen is not None and (not party or chosen.party == party):
                return replace(chosen, via=via, at=at)
            if not party:
                return None
        head = " ".join(w for w in subject.role if w.lower() not in ("the", "a", "an"))
        return Speaker(head, party, person=False, roles=frozenset(role_words), via=via, at=at)
    roles = frozenset(w.lower() for w in subject.role)
    known = reading.people.get(subject.name)
    name = known.name if known and known.name.endswith(subject.name.split()[-1]) else subject.name
    party = first(plain(" ".join([*subject.role, name])), terms.parties) or (known.party if known else "")
    roles |= known.roles if known else frozenset()
    return Speaker(name, party, _a_person(name, subject, known, terms), roles, via=via, at=at)


_COUNTRYISH = re.compile(r"(?:ia|ian|ese|ish|an|land|stan)$")
"""How names of countries and their adjectives end (Russia, Ukrainian, Chinese, British, American)."""


def _a_person(name: str, subject: Subject, known: Person | None, terms: Terms) -> bool:
    """True for a person, False for a body: "the Kremlin", "White House", "EU", "Moscow", a party's own name.

    A single word that is a party's alias and that the article never gives a first name or a title is a person
    unless it looks like a place or a people ("Russia", "Ukrainian", "Moscow").
    """
    words = plain(name).split()
    last = _bare(words[-1].lower())
    if subject.the or last in INSTITUTIONS or name.upper() == name or last in CAPITALS:
        return False
    if known is not None or len(words) > 1:
        return True
    return last not in terms.names and not (_COUNTRYISH.search(last) and first(plain(name), terms.parties))


def speaker_of(masked_text: str, reading: Reading, terms: Terms) -> Speaker | None:
    """Whose statement a sentence carries (``masked_text``: it with quotations masked and apostrophes plain).

    Updates ``reading`` with what the sentence teaches: who spoke, and who is the person last named.
    """
    toks = tokens(masked_text)
    spoken = [
        (found, said)
        for said in _speeches(masked_text, toks)
        if (found := _resolve(said.subject, reading, terms, at=said.at, via="report" if said.reports else "said"))
    ]
    chosen: Speaker | None = None
    reported = any(speaker.via == "report" or (speaker.roles & MEDIA and not speaker.person) for speaker, _ in spoken)
    people = [s for s, _ in spoken if s.person and s.party and s.via != "report"]
    bodies = [s for s, _ in spoken if not s.person and s.party and s.via != "report" and not (s.roles & MEDIA)]
    actors = [
        (found, subordinate)
        for subject, at, subordinate in _actors(masked_text, toks)
        if (found := _resolve(subject, reading, terms, at=at, via="act")) and found.party
    ]
    main_actors = [a for a, subordinate in actors if not subordinate]
    if bodies:  # a body's readout reports a person of its own party: "Putin agreed…, the Kremlin said"
        main_actors = [a for a in main_actors if a.party == bodies[0].party]
    if people:
        chosen = people[0]
    elif main_actors and (bodies or reported or not spoken):
        persons = [a for a in main_actors if a.person]
        chosen = (persons or main_actors)[0]
        if reported:
            chosen = replace(chosen, via="report")
        elif bodies:
            chosen = replace(chosen, via="said")  # "Putin agreed on Tuesday…, the Kremlin said": a readout
    elif bodies:
        chosen = bodies[0]
    elif not spoken and masked_text.lstrip().startswith(MASK) and reading.previous is not None:
        chosen = replace(reading.previous, via="continued")
    elif not spoken and masked_text.lstrip().startswith(MASK) and reading.reported and reading.last_speaker:
        chosen = replace(reading.last_speaker, via="report")  # the press's own words, quoted: about the last actor
    _remember(reading, chosen, toks, masked_text, terms, reported=reported and chosen is None)
    return chosen


def _remember(
    reading: Reading, chosen: Speaker | None, toks: list[Token], text: str, terms: Terms, *, reported: bool
) -> None:
    if chosen is not None and chosen.party:
        if chosen.person:
            person = reading.people.note(Person(chosen.name, chosen.roles, chosen.party))
            chosen = replace(chosen, name=person.name, roles=person.roles)
            reading.last_person = chosen
            reading.roles.update(dict.fromkeys(chosen.roles, chosen))
        reading.last_speaker = chosen
    elif toks and toks[0].capital:
        # "Putin was gracious enough to thank…": the person the sentence opens on is the one a "he" means next.
        end = 0
        while end < len(toks) and toks[end].capital:
            end += 1
        opened = _resolve(_subject(text, toks, 0, end), reading, terms, at=0, via="act")
        if opened is not None and opened.person and opened.party:
            reading.last_person = opened
            reading.roles.update(dict.fromkeys(opened.roles, opened))
    reading.previous = chosen if chosen is not None and chosen.via != "act" else None
    reading.reported = reported


def channel_of(sentence: str, speaker: Speaker, known: Person | None) -> str:
    """The channel a sentence implies: a leak, a media report, an interview, a spokesperson, else official
    (the party's own words); a position only described by the press ("Putin agreed to…") is a media report."""
    text = plain(sentence)
    if LEAK.search(text):
        return "leak"
    if speaker.via == "report" or MEDIA_REPORT.search(text):
        return "media-report"
    if INTERVIEW.search(text) or (known is not None and known.channel == "interview"):
        return "interview"
    if speaker.roles & SPOKESPEOPLE or {"press", "secretary"} <= speaker.roles:
        return "spokesperson"
    if speaker.via == "act":
        return "media-report"
    return "official"
