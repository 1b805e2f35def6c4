"""The form that adds a statement (``a``), corrects one (``e``) or accepts an inbox candidate, checked as the
CLI checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from ... import dates, statement_input
from ...errors import InputError, TrackerError
from ...inbox_model import Candidate
from ...model import CHANNELS, Codebook, Issue, Party, Stance, Statement
from ...statement_input import REQUIRED
from ..components.lookup_select import Lookup, LookupSelect
from .form import FormScreen, field_row, say


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    hint: str = ""
    choice: bool = False


FIELDS = (
    Field("party", "Party", choice=True),
    Field("issue", "Issue", choice=True),
    Field("stance", "Stance", choice=True),
    Field("date", "Stated on", dates.HELP),
    Field("summary", "Summary", "one sentence: the position"),
    Field("quote", "Quote", "the speaker's verbatim words"),
    Field("speaker", "Speaker", "who said it"),
    Field("channel", "Channel", choice=True),
    Field("conditions", "Conditions", "separate several with ;"),
    Field("url", "Source URL", "https://…"),
    Field("title", "Source title"),
    Field("outlet", "Outlet"),
    Field("published", "Published", dates.HELP),
    Field("grade", "Grade", "Admiralty code: reliability A-F, credibility 1-6, e.g. B2"),
)


def found(resolve: Callable[[str], Party | Issue | Stance]) -> Lookup:
    """A resolver of the codebook (``resolve_party``…) as a drop-down's lookup: the code, or None."""

    def lookup(text: str) -> str | None:
        try:
            named = resolve(text)
        except InputError:  # unknown or ambiguous: Textual's own search has its turn
            return None
        return named.code if isinstance(named, Stance) else named.id

    return lookup


def form_values(statement: Statement) -> dict[str, str]:
    """A statement as the form shows it, for a correction."""
    return {
        "party": statement.party,
        "issue": statement.issue,
        "stance": statement.stance,
        "date": statement.stated_on,
        "summary": statement.summary,
        "quote": statement.quote,
        "speaker": statement.speaker,
        "channel": statement.channel,
        "conditions": "; ".join(statement.conditions),
        "url": statement.source.url,
        "title": statement.source.title,
        "outlet": statement.source.outlet,
        "published": statement.source.published,
        "grade": statement.grade,
    }


def _provenance(candidate: Candidate) -> str:
    """What the accept form says of a candidate beyond its fields: the suggestion and every report."""
    stance, cue = candidate.suggested_stance, candidate.cue
    suggested = f"suggested {stance} (“{cue}”)" if stance else "no stance suggested"
    count = candidate.corroboration
    reports = f"{count} reports: the first is the source, the others are kept as corroboration" if count > 1 else ""
    return "; ".join(part for part in (suggested, reports) if part)


def collect(values: Mapping[str, str], codebook: Codebook) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The statement fields (the shape ``store.add`` takes) and every (form field, problem)."""
    parsed = statement_input.parse(values, codebook, new=True)
    return parsed.fields, parsed.problems


def changed_fields(fields: Mapping[str, Any], original: Statement) -> dict[str, Any]:
    """Only what the analyst changed: a correction records the difference."""
    before = original.as_json()
    return {name: value for name, value in fields.items() if value != before.get(name)}


class StatementForm(FormScreen):
    """Add a statement, or correct one when ``original`` is given. The App does the writing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, tooltip="Save (checked as the command line checks)")
    ]

    class Submitted(Message):
        """Valid fields, ready for the store; the App replies with :meth:`refused` or dismisses."""

        def __init__(self, form: StatementForm, fields: dict[str, Any], reason: str) -> None:
            super().__init__()
            self.form = form
            self.fields = fields
            self.reason = reason

    def __init__(
        self,
        codebook: Codebook,
        *,
        original: Statement | None = None,
        defaults: Mapping[str, str] | None = None,
        candidate: Candidate | None = None,
    ) -> None:
        super().__init__()
        self.codebook = codebook
        self.original = original
        self.candidate = candidate
        """The inbox candidate this form accepts, if it does: saving records it and marks it accepted."""
        self._values = form_values(original) if original else {"channel": CHANNELS[0], **(defaults or {})}
        self._opened: dict[str, str] = {}
        """What the form held when it opened: escape asks before discarding anything else."""

    def compose(self) -> ComposeResult:
        book = self.codebook
        heading = (
            f"Correct {self.original.id}"
            if self.original
            else f"Accept {self.candidate.id}"
            if self.candidate
            else "Add a statement"
        )
        with Vertical(id="form"):
            yield Static(Text(heading, style="bold"), id="form-title")
            if self.candidate is not None:
                yield Static(Text(_provenance(self.candidate), style="dim"), id="form-note")
            yield Static(id="form-error", classes="error")
            with VerticalScroll(id="form-fields"):
                for field in FIELDS:
                    value = self._values.get(field.name, "")
                    control: Widget
                    if field.name == "party":
                        parties = [(Text(p.name), p.id) for p in book.parties]
                        control = self._select(field.name, parties, value, lookup=found(book.resolve_party))
                    elif field.name == "issue":
                        issues = [(Text(i.name), i.id) for i in book.issues]
                        control = self._select(field.name, issues, value, lookup=found(book.resolve_issue))
                    elif field.name == "stance":
                        stances = self._stances(self._values.get("issue", ""))
                        control = self._select(field.name, stances, value, lookup=self._stance_named)
                    elif field.name == "channel":
                        control = self._select(field.name, [(Text(c), c) for c in CHANNELS], value)
                    else:
                        control = Input(value, placeholder=field.hint, id=field.name, compact=True)
                    yield field_row(field.label + ("*" if field.name in REQUIRED else ""), field.name, control)
                if self.original:
                    reason = Input(placeholder="why it is corrected", id="reason", compact=True)
                    yield field_row("Reason", "reason", reason)
            with Horizontal(id="form-buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        empty = [name for name in REQUIRED if not self._values.get(name)]
        # Accepting, the stance is the decision to check first; otherwise the first field.
        self.query_one(f"#{empty[0] if empty else 'stance' if self.candidate else FIELDS[0].name}").focus()
        self._opened = self._typed_values()

    def _typed_values(self) -> dict[str, str]:
        reason = {"reason": self.query_one("#reason", Input).value} if self.original else {}
        return self.values() | reason

    def typed(self) -> bool:
        return self._typed_values() != self._opened

    def _select(
        self, name: str, options: list[tuple[Text, str]], value: str, *, lookup: Lookup | None = None
    ) -> Select[str]:
        known = {v for _, v in options}
        chosen = value if value in known else Select.NULL
        if lookup is not None:  # typed into, it finds what the CLI's --party, --issue or --stance would
            return LookupSelect(options, lookup=lookup, value=chosen, id=name, prompt=f"choose {name}", compact=True)
        return Select(options, value=chosen, id=name, prompt=f"choose {name}", compact=True)

    def _stance_named(self, text: str) -> str | None:
        """The code of the stance ``text`` names on the issue chosen, as ``--stance`` reads it."""
        issue = self.codebook.issue(self.values().get("issue", ""))
        return found(lambda typed: self.codebook.resolve_stance(issue, typed))(text) if issue else None

    def _stances(self, issue_id: str) -> list[tuple[Text, str]]:
        issue = self.codebook.issue(issue_id)
        return [(Text(f"{s.label} ({s.code})"), s.code) for s in issue.scale] if issue else []

    @on(Select.Changed, "#issue")
    def _issue_changed(self, event: Select.Changed) -> None:
        stance = self.query_one("#stance", Select)
        current = stance.value
        options = self._stances(event.value if isinstance(event.value, str) else "")
        stance.set_options(options)
        if current in {v for _, v in options}:
            stance.value = current

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for field in FIELDS:
            widget = self.query_one(f"#{field.name}")
            if isinstance(widget, Select):
                found[field.name] = widget.value if isinstance(widget.value, str) else ""
            elif isinstance(widget, Input):
                found[field.name] = widget.value
        return found

    def action_save(self) -> None:
        fields, problems = collect(self.values(), self.codebook)
        reason = self.query_one("#reason", Input).value.strip() if self.original else ""
        if self.original and not problems:
            fields = changed_fields(fields, self.original)
            if not fields:
                problems.append(("form", "nothing changed: edit a field, or press esc"))
        self.show_problems(problems)
        if not problems:
            self.post_message(self.Submitted(self, fields, reason))

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each message beside its field; anything else at the top. Focus the first bad field."""
        by_field: dict[str, list[str]] = {}
        for name, message in problems:
            by_field.setdefault(name, []).append(message)
        names = [f.name for f in FIELDS] + (["reason"] if self.original else [])
        for name in names:
            say(self.query_one(f"#{name}-error", Static), "; ".join(by_field.get(name, [])))
        general = [m for n, ms in by_field.items() if n not in names for m in ms]
        say(self.query_one("#form-error", Static), "; ".join(general))
        first = next((n for n in names if n in by_field), None)
        if first is not None:
            self.query_one(f"#{first}").focus()

    def refused(self, error: TrackerError) -> None:
        """The store said no (a rule the form cannot check, or the lock): beside the field it names, else at the top."""
        field = statement_input.MODEL_NAMES.get(error.field, error.field)
        self.show_problems([(field if field in {f.name for f in FIELDS} or field == "reason" else "form", str(error))])
