"""A Select whose type-to-search also finds an option by what the CLI accepts for it: an alias, a label.

The add form's party, issue and stance are drop-downs; typing into an open one
jumps to the option whose text contains what was typed. That finds "Russia"
for "rus", but not for "Kremlin", which ``tracker add --party Kremlin``
accepts. So the search asks the codebook's resolver first (the one function
every surface reads a party, issue or stance through) and falls back on
Textual's substring search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

Lookup = Callable[[str], str | None]
"""What was typed → the value (a code) it names, or None."""


class LookupOverlay(SelectOverlay):
    """The drop-down of a :class:`LookupSelect`: its search tries the lookup first."""

    def __init__(self, select: LookupSelect) -> None:
        super().__init__(type_to_search=True)
        self._select = select

    def _find_search_match(self, query: str) -> int | None:
        value = self._select.lookup(query)
        if value is not None and value in self._select.values:
            return self._select.values.index(value)
        return super()._find_search_match(query)


class LookupSelect(Select[str]):
    """A Select of codes; ``lookup`` reads typed text as the CLI would (``resolve_party`` and the others)."""

    def __init__(
        self,
        options: Iterable[tuple[RenderableType, str]],
        *,
        lookup: Lookup,
        value: str | NoSelection = Select.NULL,
        prompt: str = "Select",
        id: str | None = None,
        compact: bool = False,
    ) -> None:
        options = list(options)
        super().__init__(options, value=value, prompt=prompt, id=id, compact=compact)
        self.lookup = lookup
        self.values: list[str | None] = [None, *(v for _, v in options)]
        """The overlay's options in order: the blank prompt first (``allow_blank``), then each code."""

    def set_options(self, options: Iterable[tuple[RenderableType, str]]) -> None:
        options = list(options)
        self.values = [None, *(v for _, v in options)]
        super().set_options(options)

    def compose(self) -> ComposeResult:
        # Select's own compose, with the overlay that knows the lookup.
        yield SelectCurrent(self.prompt)
        yield LookupOverlay(self).data_bind(compact=Select.compact)
