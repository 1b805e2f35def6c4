"""The dashboard. Textual is imported only when it opens, so other commands start fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session


def run(session: Session, *, as_of: str | None, compare: str | None, include_reported: bool = False) -> None:
    """Open the dashboard on the session's store (``as_of`` None means today) and return when it quits."""
    from .. import gcpolicy
    from .app import TrackerApp

    gcpolicy.dashboard()  # a long session: before the app builds its first timeline
    TrackerApp(session, as_of=as_of, compare=compare, include_reported=include_reported).run()
