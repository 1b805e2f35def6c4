"""Article text to candidates: sentences, speakers, party and issue matching (pure), and the extractor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tracker import codebook as default_codebook
from tracker.inbox_model import CANDIDATE_FIELDS
from tracker.ingest.extract import (
    Article,
    NoText,
    find_candidates,
    find_matches,
    find_speaker,
    match_sentence,
    read_article,
    split_sentences,
)
from tracker.model import Codebook, codebook_from_tables

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
SEED = Path("/work/shared/sources/000_4e7fcce04d13750f.txt")
BOOK = codebook_from_tables(default_codebook.PARTIES, default_codebook.ISSUES)


def test_sentences_split_at_ends_but_not_at_abbreviations() -> None:
    text = "The U.S. Treasury acted. Mr. Putin replied! Did Kyiv agree? Yes.\nA new paragraph without a stop"
    assert split_sentences(text) == [
        "The U.S. Treasury acted.",
        "Mr. Putin replied!",
        "Did Kyiv agree?",
        "Yes.",
        "A new paragraph without a stop",
    ]


def test_a_quotation_of_several_sentences_stays_with_its_attribution() -> None:
    text = "“Get to the table now. It is late. Thank you!!!” Trump said on Friday. Then he left."
    assert split_sentences(text) == [
        "“Get to the table now. It is late. Thank you!!!” Trump said on Friday.",
        "Then he left.",
    ]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("“We are for it,” Putin said of the ceasefire.", "Putin"),
        ("“We are ready,” said Kremlin spokesman Dmitry Peskov.", "Dmitry Peskov"),
        ("Kremlin spokesman Dmitry Peskov said Putin mentioned root causes.", "Dmitry Peskov"),
        ("Russian President Vladimir Putin said the truce must wait.", "Vladimir Putin"),
        ("Hegseth clearly stated that NATO membership is unrealistic.", "Hegseth"),
        ("Putin also said that these soldiers committed crimes.", "Putin"),
        ("“It should lead to peace,” the Russian President said.", "Russian President"),
        ("The Kremlin said it would study the proposal.", "Kremlin"),
        ("According to Ursula von der Leyen, sanctions stay.", "Ursula von der Leyen"),
        ("Russia has a population advantage in this war.", ""),
        ("He said that the talks would go on.", ""),
        ("The troops are surrounded, according to the Russian defence ministry.", ""),
    ],
)
def test_speakers_are_found_where_the_sentence_attributes_one(sentence: str, speaker: str) -> None:
    assert find_speaker(sentence) == speaker


def test_a_sentence_needs_both_a_party_alias_and_an_issue_keyword() -> None:
    assert match_sentence("Putin visited the front line in uniform.", BOOK) is None  # no issue
    assert match_sentence("Troops in Kursk are surrounded.", BOOK) is None  # no party
    match = match_sentence("Putin visited the front line in Kursk.", BOOK)
    assert match is not None and (match.party, match.issue, match.speaker) == ("russia", "kursk", "")


def test_aliases_match_whole_words_and_acronyms_match_their_case() -> None:
    assert match_sentence("Tell us about the ceasefire.", BOOK) is None  # "us" is not the US
    assert match_sentence("Putinism and the ceasefire.", BOOK) is None
    us = match_sentence("The US wants a ceasefire.", BOOK)
    assert us is not None and us.party == "usa"
    dotted = match_sentence("It is up to the U.S. to lift sanctions.", BOOK)
    assert dotted is not None and (dotted.party, dotted.issue) == ("usa", "sanctions")
    lower = match_sentence("the kremlin rejects any truce.", BOOK)  # names are matched in any case
    assert lower is not None and (lower.party, lower.issue) == ("russia", "ceasefire")


def test_the_speakers_party_wins_over_the_first_named() -> None:
    match = match_sentence("“Ukraine will never be in NATO,” Lavrov said.", BOOK)
    assert match is not None and (match.party, match.speaker) == ("russia", "Lavrov")
    first = match_sentence("Trump threatened Russia with sanctions.", BOOK)
    assert first is not None and first.party == "usa"


def test_the_issue_is_the_first_one_named() -> None:
    match = match_sentence("Putin wants sanctions lifted before any ceasefire.", BOOK)
    assert match is not None and match.issue == "sanctions"


def test_matching_follows_the_codebook() -> None:
    sentence = "Syrskyi said the troops left Sudzha."
    assert match_sentence(sentence, BOOK) is None
    ukraine, kursk = BOOK.require_party("ukraine"), BOOK.require_issue("kursk")
    wider = Codebook(
        parties=tuple(replace(ukraine, aliases=(*ukraine.aliases, "Syrskyi")) if p.id == "ukraine" else p
                      for p in BOOK.parties),
        issues=tuple(replace(kursk, keywords=(*kursk.keywords, "Sudzha")) if i.id == "kursk" else i
                     for i in BOOK.issues),
    )  # fmt: skip
    match = match_sentence(sentence, wider)
    assert match is not None and (match.party, match.issue, match.speaker) == ("ukraine", "kursk", "Syrskyi")


def test_the_seed_digest_yields_its_key_statements() -> None:
    found = {(m.party, m.issue, m.speaker) for m in find_matches(SEED.read_text(), BOOK)}
    assert ("usa", "nato", "Hegseth") in found
    assert ("usa", "sanctions", "Trump") in found
    assert ("russia", "kursk", "Putin") in found
    assert ("russia", "ceasefire", "") in found


def test_a_repeated_sentence_is_one_candidate() -> None:
    article = Article("http://a.test/1", "T", "Outlet", "2025-03-14", "Putin rejects a truce.\nPutin rejects a truce.")
    found = find_candidates(article, BOOK, fetched_at="2025-03-14T00:00:00.000000Z", new_id=lambda: "cand_1")
    assert [candidate.as_json() for candidate in found] == [
        {
            "id": "cand_1",
            "status": "new",
            "party": "russia",
            "issue": "ceasefire",
            "sentence": "Putin rejects a truce.",
            "speaker": "",
            "url": "http://a.test/1",
            "title": "T",
            "outlet": "Outlet",
            "published": "2025-03-14",
            "fetched_at": "2025-03-14T00:00:00.000000Z",
            "statement_id": None,
        }
    ]
    assert tuple(found[0].as_json()) == CANDIDATE_FIELDS


def test_the_extractor_keeps_the_article_and_drops_the_page_furniture() -> None:
    html = (FIXTURES / "kursk-surrender.html").read_bytes()
    article = read_article(html, url="http://news.test/kursk", published="2025-03-14")
    assert article.title == "Putin Urges Kiev to Order Troops in Kursk to Surrender"  # the site's suffix dropped
    assert article.outlet == "Negotiation Wire" and article.published == "2025-03-14"
    assert "[we] will guarantee them their lives" in article.text
    assert "All rights reserved" not in article.text and "About us" not in article.text
    given = read_article(html, url="http://news.test/kursk", title="Feed title", outlet="Wire")
    assert (given.title, given.outlet, given.published) == ("Feed title", "Wire", "")


def test_a_page_without_text_is_an_error() -> None:
    with pytest.raises(NoText):
        read_article(b"<html><head><title>Empty</title></head><body></body></html>", url="http://news.test/empty")


def test_pathological_text_is_quick() -> None:
    """No sentence end, all capitals, aliases and keywords everywhere: still linear enough."""
    import time

    started = time.monotonic()
    for text in ("Putin Kursk " * 50_000, "Putin said " * 50_000, "A" * 500_000, "“" * 100_000 + "Putin. Kursk."):
        find_matches(text, BOOK)
    assert time.monotonic() - started < 5
