"""The errors the core raises: each carries one line an analyst can act on."""

from __future__ import annotations


class TrackerError(Exception):
    """Anything the command line reports as one line on stderr with exit 2."""


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
