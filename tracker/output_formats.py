"""The names of the output formats (``--format``), apart from the writers in ``formats``.

Every listing command's ``--format`` option is built from :class:`Format` when the
command line starts, for ``--help`` as for any command; ``formats`` loads the
model, the timeline, csv and orjson, which a command needs only once it has
something to write (``tracker --help`` then starts in about half the time).
"""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """Output formats every listing command offers."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    svg = "svg"
    """An image of the table (``matrix`` and ``gap`` only: see ``options.picture_format_option``)."""
