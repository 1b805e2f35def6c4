"""``o``: a statement's source opened in the browser, or its URL shown to copy when no browser opens it.

Textual's ``App.open_url`` hands the URL to :mod:`webbrowser` and says
nothing of how it went: on a server, in a container or over ssh there is no
browser, and the analyst saw "Opening…" and nothing more. Here the answer of
``webbrowser.open`` is read, and when it is no (or it fails) the URL is shown
whole in a box to select and copy.
"""

from __future__ import annotations

import webbrowser
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

OPEN_TOOLTIP = "Open the source in the browser (or show its URL to copy when none opens it)"


def open_source(app: App[object], url: str) -> None:
    """Open ``url`` in the browser; when no browser opens it (or opening fails), show it whole to copy."""
    if app.is_web:  # served to a browser (textual serve): the browser's own tab opens it
        app.open_url(url)
        return
    try:
        opened = webbrowser.open(url)
    except (webbrowser.Error, OSError):
        opened = False
    if opened:
        app.notify(f"Opened in the browser: {url}", markup=False, timeout=4)
    else:
        app.push_screen(CopyUrl(url))


class CopyUrl(ModalScreen[None]):
    """The URL whole, wrapped in a read-only box and selected, for ctrl+c or the mouse; escape closes it.

    A TextArea, not an Input: an Input scrolls a long URL out of sight, while
    this one wraps it on screen and still copies it as one line.
    """

    DEFAULT_CSS = """
    CopyUrl { align: center middle; background: $background 60%; }
    CopyUrl > Vertical { width: 90%; max-width: 100; height: auto; border: thick $warning; background: $surface;
                         padding: 0 1; }
    CopyUrl TextArea { height: auto; max-height: 8; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # 25 ms of imports: only when a URL is shown, not on every start

        with Vertical():
            yield Static(Text("No browser could open it here: the URL, to copy", style="bold"))
            yield TextArea(self.url, id="url", read_only=True, soft_wrap=True, show_line_numbers=False)
            yield Static(Text("ctrl+c copies it (if the terminal lets it), or select it with the mouse; esc: close",
                              style="dim"))  # fmt: skip

    def on_mount(self) -> None:
        from textual.widgets import TextArea

        box = self.query_one("#url", TextArea)
        box.focus()
        box.select_all()
