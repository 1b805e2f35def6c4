"""The quotation marks of a sentence: what is quoted, and the sentence with the quotations masked.

A candidate's quote is only the words inside double quotation marks, exactly
as printed: single marks are left alone (‘…’ is a headline's or a scare
quote's, and ’ is also the apostrophe). A comma that ends a quoted part is the
reporter's ("“We are ready,” he said"), so it is dropped; the parts of a
quotation split by its attribution are joined by " … ", the usual mark of
words left out. Attribution is looked for in the sentence with its
quotations masked, so that "Vladimir Putin" inside Peskov's quote is never
taken for the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE, STRAIGHT = "“", "”", '"'
MASK = "“…”"
"""What stands for a quotation in the masked sentence: it holds no letter, so no name or verb matches it."""
JOINER = " … "


@dataclass(frozen=True, slots=True)
class Quoted:
    """One top-level quotation: where it is in the sentence (marks included) and its words."""

    start: int
    end: int
    words: str


def quotations(sentence: str) -> list[Quoted]:
    """The top-level double quotations of ``sentence``, nested ones kept inside; an unclosed one runs to the end."""
    found: list[Quoted] = []
    depth, start, straight = 0, -1, False
    for at, char in enumerate(sentence):
        if char == OPEN:
            if depth == 0 and not straight:
                start = at
            depth += 1
        elif char == CLOSE and depth:
            depth -= 1
            if depth == 0 and not straight:
                found.append(Quoted(start, at + 1, sentence[start + 1 : at]))
        elif char == STRAIGHT and depth == 0:
            if straight:
                found.append(Quoted(start, at + 1, sentence[start + 1 : at]))
            else:
                start = at
            straight = not straight
    if (depth or straight) and start >= 0:
        found.append(Quoted(start, len(sentence), sentence[start + 1 :]))
    return found


def masked(sentence: str, found: list[Quoted]) -> str:
    """``sentence`` with each quotation replaced by :data:`MASK`."""
    pieces: list[str] = []
    at = 0
    for quoted in found:
        pieces += [sentence[at : quoted.start], MASK]
        at = quoted.end
    pieces.append(sentence[at:])
    return "".join(pieces)


def quote_of(found: list[Quoted]) -> str:
    """The quote a candidate proposes: the quoted parts, each without the reporter's closing comma, joined."""
    parts = [" ".join(quoted.words.split()).rstrip(",").rstrip() for quoted in found]
    return JOINER.join(part for part in parts if part)
