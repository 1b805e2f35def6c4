"""The stance palette, one for the CLI's tables and the dashboard alike: plain data, no Rich or Textual.

Colours are ``#rrggbb`` strings, which Rich styles and Textual both take; each
side wraps them in its own text (``render.stance_text`` and ``render.legend``,
the matrix's cells), so a stance has the same colour wherever it is shown.
"""

from __future__ import annotations

from .model import Issue, Stance

Rgb = tuple[int, int, int]

POLES: tuple[Rgb, Rgb, Rgb] = ((0x3B, 0x82, 0xD0), (0xB8, 0xB0, 0x5A), (0xD0, 0x46, 0x3B))
"""Score colours: Kyiv's pole (blue, score 0), the middle (ochre), Moscow's pole (red, the highest score)."""


def hex_color(rgb: Rgb) -> str:
    """``(59, 130, 208)`` as ``#3b82d0``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


LEGEND: tuple[tuple[str, str], ...] = tuple(
    zip(("Kyiv's pole", "middle", "Moscow's pole"), (hex_color(rgb) for rgb in POLES), strict=True)
)
"""The key to the palette: (what a colour means, the colour), pole to pole."""


def stance_color(stance: Stance, issue: Issue) -> str:
    """One palette for every scale: where the stance sits between the two poles."""
    steps = max(len(issue.scale) - 1, 1)
    at = stance.score / steps * 2
    low, high = (POLES[0], POLES[1]) if at <= 1 else (POLES[1], POLES[2])
    part = at if at <= 1 else at - 1
    red, green, blue = (round(a + (b - a) * part) for a, b in zip(low, high, strict=True))
    return hex_color((red, green, blue))
