"""tracker: versioned, sourced positions of the parties to a negotiation."""

__version__ = "0.1.0"
