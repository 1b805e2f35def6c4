"""The dashboard. Textual is imported only when it opens, so other commands start fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store


def run(store: Store, *, as_of: str | None, compare: str | None) -> None:
    """Open the dashboard on ``store`` (``as_of`` None means today) and return when it quits."""
    from .. import gcpolicy
    from .app import TrackerApp

    gcpolicy.dashboard()  # a long session: before the app builds its first timeline
    TrackerApp(store, as_of=as_of, compare=compare).run()
