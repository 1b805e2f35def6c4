"""An article's text as paragraphs of sentences, minding abbreviations and quotations.

Pure text processing. A paragraph is a line of the extracted text (the
extractor puts each block of the page on its own line); the first is the
headline. Sentences end at ``.``, ``!``, ``?`` or ``…`` before a capital,
except after "Mr." or "U.S." and inside a quotation, so that a quoted
passage of several sentences stays whole with its attribution.
"""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sen", "rep", "gov", "st", "jr", "sr", "vs", "etc",
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "u.n", "e.u",
])  # fmt: skip
_LONGEST_QUOTE = 800
"""Characters after which an unclosed quotation mark is taken for a typo, not a long quote."""
_BOUNDARY = re.compile(r"""([.!?…]+["”’')\]]*)\s+(?=["“‘'(\[]?[A-Z0-9])""")
_ATTRIBUTION = re.compile(
    r"[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*\s+(?:\w+ly\s+)?"
    r"(?:said|says|told|added|stated|insisted|warned|wrote|declared|announced|argued|claimed|stressed|noted|replied)\b"
)
"""'Trump said…' after a quotation that ended with '!' or '?': the rest of the same sentence."""


def paragraph_sentences(text: str) -> list[list[str]]:
    """The sentences of each non-empty paragraph (line) of ``text``, whitespace collapsed."""
    found: list[list[str]] = []
    for line in text.split("\n"):
        sentences = _rejoin_attributions(_sentences(" ".join(line.split())))
        if sentences:
            found.append(sentences)
    return found


def split_sentences(text: str) -> list[str]:
    """Every sentence of ``text``, paragraph after paragraph."""
    return [sentence for paragraph in paragraph_sentences(text) for sentence in paragraph]


def _sentences(paragraph: str) -> list[str]:
    sentences: list[str] = []
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
    return sentences


def _rejoin_attributions(sentences: list[str]) -> list[str]:
    """Put '“…Thank you!” Trump said on Friday.' back together: the quote ended with '!' or '?'."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and joined[-1][-1:] in "”\"'’" and _ATTRIBUTION.match(sentence):
            joined[-1] = f"{joined[-1]} {sentence}"
        else:
            joined.append(sentence)
    return joined
