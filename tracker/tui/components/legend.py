"""The key to the matrix: one palette, the scale marks and the compare marks."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ... import describe
from ...render import legend


def legend_text(compare: bool, *, plain: bool = False) -> Text:
    """The key line; ``plain`` (no colour) leaves out the palette's key: the scale marks carry the place."""
    text = Text() if plain else legend()
    text.no_wrap, text.overflow = True, "ellipsis"
    text.append(f"·●· place on the scale  {describe.POSITION_KEY}", style="dim")
    text.append(f"  {describe.CONTESTED} contested  {describe.REPORTED} reported, not a position", style="dim")
    if compare:
        way = f"{describe.HIGHER} {describe.LOWER} along the scale, toward/away from the others"
        text.append(f"  ◆ moved: {way}", style="dim")
    return text


class Legend(Static):
    DEFAULT_CSS = """
    Legend { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compare: bool | None = None

    def show(self, *, compare: bool) -> None:
        if compare != self._compare:
            self._compare = compare
            self.update(legend_text(compare, plain=self.app.no_color), layout=False)
