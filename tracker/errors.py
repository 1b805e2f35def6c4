"""The errors the core raises: each carries one line an analyst can act on.

A message says what is wrong, never how to say it to a particular front end:
when the problem is with one input, the error names it in ``field``, and the
command line adds its option (``--reason``) while a dashboard form marks its box.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Anything the command line reports as one line on stderr with exit 2."""

    def __init__(self, message: str = "", *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        """The input the problem is with, if one: a statement field (``reason``, ``stated_on``) or a
        choice the caller can make (``force``); empty when the message stands alone."""


class InputError(TrackerError):
    """A value given by the user (a date, a code, a file row) is not acceptable."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        """The input field at fault, where there is one (``date``, ``reason``): each surface names it its way."""


class StoreError(TrackerError):
    """The store cannot be found, read, locked or written."""


class StoreLocked(StoreError):
    """Another process holds the store's lock for longer than we wait."""


class FetchError(TrackerError):
    """A feed or page could not be fetched or read: the network, the server or the document failed,
    not the user (a 503 is no input error). ``str()`` is the line a summary prints."""

    def __init__(self, url: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        """The address asked for (before any redirect)."""
        self.reason = reason
        """Why, without the URL."""
        self.transient = transient
        """Worth trying again later (timeouts, refused connections, 5xx); not a 404 or a wrong type."""


SHOWN = 80
"""The most of an input's text a message quotes: enough to recognise it, never a pasted page."""


def shown(value: object) -> str:
    """``value`` as a message quotes it: its repr, with text over :data:`SHOWN` characters cut.

    Every message that echoes input goes through this, so that a 5,000-character
    ``--party`` (or a 4 MB id in a hand-edited file) makes one short line.
    """
    if isinstance(value, str) and len(value) > SHOWN:
        return repr(value[: SHOWN - 1] + "…")
    return repr(value)
