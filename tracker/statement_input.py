"""A statement as an analyst types it, and the one parser every way in uses.

The command line (``add`` / ``correct`` options), the dashboard's form and
``inbox accept`` all hand over text: a date as typed ("yesterday"), the
conditions as a list or one ``;``-separated line, the source's parts as four
separate fields. :func:`parse` turns that into the mapping ``Store.add`` and
``Store.correct`` take, with every problem named by its input field, so that
each surface says it its own way (``--date`` on the command line, the line
under the Date box in the form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import dates
from .errors import InputError
from .model import CHANNELS, Codebook, Statement

INPUT_FIELDS = (
    "party", "issue", "stance", "date", "summary", "quote", "speaker", "channel",
    "conditions", "url", "title", "outlet", "published", "grade", "tags", "note",
)  # fmt: skip
"""The fields an analyst gives, by the names every surface uses for them."""
REQUIRED = ("party", "issue", "stance", "date")
"""What a new statement cannot do without."""
SOURCE_FIELDS = ("url", "title", "outlet", "published")
"""The input fields that make up the statement's ``source``."""
LISTS = ("conditions", "tags")
"""Fields that hold several items: a sequence, or one line with ``;`` between them."""
MODEL_NAMES = {"stated_on": "date"}
"""Where the stored statement's field names differ from the input's."""

MISSING = "required"
"""The problem of a required field left empty (each surface names the field its own way)."""

Value = str | Sequence[str] | None
"""A field as given: text, several texts (conditions, tags), or None when not given."""


@dataclass(frozen=True)
class ParsedInput:
    """What :func:`parse` made of an analyst's input."""

    fields: dict[str, Any]
    """The statement fields given, in the stored shape (``stated_on``, a nested ``source``)."""
    problems: list[tuple[str, str]]
    """(input field, message) for every problem; empty when the input can be recorded."""

    @property
    def missing(self) -> list[str]:
        """The required fields left empty."""
        return [name for name, message in self.problems if message == MISSING]

    def check(self) -> dict[str, Any]:
        """The fields, or an InputError naming the first problem's field (``InputError.field``)."""
        if self.problems:
            name, message = self.problems[0]
            raise InputError(message, field=name)
        return self.fields


def _items(value: Value) -> list[str]:
    if value is None:
        return []
    parts = value.split(";") if isinstance(value, str) else value
    return [part.strip() for part in parts if part.strip()]


def _resolve_codes(texts: dict[str, str], codebook: Codebook, issue_id: str) -> list[tuple[str, str]]:
    """Party, issue and stance as typed, replaced in ``texts`` by their codes; (field, message) for each
    that names nothing, or more than one thing."""
    problems: list[tuple[str, str]] = []
    for name, resolve in (("party", codebook.resolve_party), ("issue", codebook.resolve_issue)):
        if texts.get(name):
            try:
                texts[name] = resolve(texts[name]).id
            except InputError as error:
                problems.append((name, str(error)))
    issue = codebook.issue(texts.get("issue") or issue_id)
    if texts.get("stance") and issue is not None:  # no issue: the stance's problem is that one
        try:
            texts["stance"] = codebook.resolve_stance(issue, texts["stance"]).code
        except InputError as error:
            problems.append(("stance", str(error)))
    return problems


def parse(
    given: Mapping[str, Value], codebook: Codebook | None = None, *, new: bool = False, issue: str = ""
) -> ParsedInput:
    """The statement fields an analyst gave, checked.

    ``given`` maps input field names (:data:`INPUT_FIELDS`) to what was typed;
    a missing or None value, or an empty one for a correction, is not given.
    With ``new`` the input is a whole new statement: the :data:`REQUIRED`
    fields must be there, the channel defaults to the first of :data:`CHANNELS`,
    and with a ``codebook`` every rule of the record is checked too (party,
    issue and stance codes, grade, channel). A correction (``new`` false) gives
    only what changes; the store checks the corrected statement as a whole.

    With a ``codebook`` the party, issue and stance may be typed as the
    codebook's resolvers read them (``us``, ``Kremlin``, ``Not now``: see
    :meth:`Codebook.resolve_party`) and come back as codes; a stance given
    without an issue is on ``issue``'s scale (a correction's statement's).
    A grade is upper-cased (``b2`` is ``B2``).
    """
    unknown = sorted(set(given) - set(INPUT_FIELDS))
    if unknown:
        raise ValueError(f"not statement input fields: {', '.join(unknown)}")
    texts: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name in LISTS:
            if new or (value.strip() if isinstance(value, str) else len(value)):
                lists[name] = _items(value)
        elif isinstance(value, str) and (value.strip() or new):
            texts[name] = value.strip()
    problems = [(name, MISSING) for name in REQUIRED if new and not texts.get(name)]
    if texts.get("grade"):
        texts["grade"] = texts["grade"].upper()
    if codebook is not None:
        problems += _resolve_codes(texts, codebook, issue)
    for name in ("date", "published"):
        if texts.get(name):
            try:
                texts[name] = dates.parse_date(texts[name]).isoformat()
            except InputError as error:
                problems.append((name, str(error)))
    fields: dict[str, Any] = {}
    for name, value in texts.items():
        if name not in SOURCE_FIELDS:
            fields["stated_on" if name == "date" else name] = value
    fields.update(lists)
    source = {name: texts[name] for name in SOURCE_FIELDS if name in texts}
    if new:
        fields.setdefault("channel", CHANNELS[0])
        fields["source"] = {name: source.get(name, "") for name in SOURCE_FIELDS}
    elif source:
        fields["source"] = source
    if new and codebook is not None:  # each field's first problem only: "required" says enough
        flagged = {name for name, _ in problems}
        statement = Statement.from_json({"id": "", "rev": 1, **fields})
        written = statement.entry_problems(dates.today().isoformat())  # as the store will refuse them
        for name, message in statement.field_problems(codebook) + written:
            name = MODEL_NAMES.get(name, name)
            if name not in flagged:
                problems.append((name, message))
    return ParsedInput(fields, problems)
