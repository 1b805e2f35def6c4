"""Revisions from outside joining a store's: a new statement's first revisions, and a merging import.

``tracker import FILE`` records the file's statements as new ones. ``tracker
import --merge FILE`` joins the file's revisions to the store's, keyed by
(statement id, rev), so that a colleague's export can be merged again and again:

- **already present**: the store holds the same revision (same id, same
  content): skipped. Content is every field but ``rev``, its record time and
  who recorded it included (a revision is one write: the same words recorded
  twice by two analysts are two revisions). Any rev of the statement counts,
  so that a revision an earlier merge numbered after ours is found again.
- **new**: a statement the store does not hold is added as the file has it
  (a whole history as given; one revision alone, as :func:`new_history` makes
  it); a revision beyond the store's latest of its statement is added after it.
- **conflict**: the store holds that id and rev with other content: the two
  histories diverge there. Each such statement is one conflict; nothing is
  written unless the analyst says how to resolve them all:
  :attr:`Resolution.theirs` adds the file's diverging revision, and the file's
  later ones of that statement, as new revisions numbered after ours (theirs
  becomes the statement's latest; ours stays in its history, so nothing is
  lost), and :attr:`Resolution.ours` skips them (the statement stays as ours).

A merged revision keeps its record time: ``--known-at`` shows it from when it
was recorded in its own file.

Pure: the Store gives the histories and writes what :func:`merge` adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .model import Statement


def new_history(statement: Statement) -> list[Statement]:
    """The revisions a statement new to the store is recorded as, from one revision of it (a CSV row, a
    JSON item without ``revisions``): revision 1; a retraction, revision 1 as it stood and the
    retraction as revision 2, so that its history reads as it happened."""
    first = replace(statement, rev=1)
    if not statement.retracted:
        return [first]
    return [replace(first, retracted=False, reason="", withdrawn_on=""), replace(statement, rev=2)]


def same_revision(ours: Statement, theirs: Statement) -> bool:
    """True if the two are one revision: every field equal but ``rev`` (see the module's notes)."""
    return ours == theirs or replace(theirs, rev=ours.rev) == ours


def differences(ours: Statement, theirs: Statement) -> list[str]:
    """The fields in which two revisions differ (``rev`` aside), in the stored order."""
    mine, other = ours.as_json(), theirs.as_json()
    return [name for name in mine if name != "rev" and mine[name] != other[name]]


class Resolution(StrEnum):
    """How a merge resolves its conflicts (``--force-theirs``, ``--keep-ours``)."""

    theirs = "theirs"
    """The file's diverging revisions are added after ours."""
    ours = "ours"
    """The file's diverging revisions are skipped."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """What one record of the file brings: a statement's whole history, or one revision of it."""

    revisions: tuple[Statement, ...]
    """Checked and cleaned; one statement id; a history numbered 1, 2, 3..."""
    history: bool
    """True for a whole history (a JSON item with ``revisions``); False for one revision alone."""


NAME_SHOWN = 40
"""Characters of who recorded a revision a conflict line shows."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A statement whose history in the file diverges from the store's: same id and rev, other content."""

    ours: Statement
    theirs: Statement
    later: int = 0
    """The file's revisions of the statement after the diverging one: they go with it."""

    def line(self) -> str:
        """One line: the statement, its rev, the fields that differ, and each side's record time and author."""
        fields = ", ".join(differences(self.ours, self.theirs))
        after = f"; theirs has {self.later} later revision(s)" if self.later else ""
        return (
            f"conflict: {self.ours.id} rev {self.ours.rev} differs in {fields}: ours recorded "
            f"{_stamp(self.ours)}, theirs {_stamp(self.theirs)}{after}"
        )


def _stamp(revision: Statement) -> str:
    who = revision.recorded_by or "unknown"
    who = who if len(who) <= NAME_SHOWN else who[: NAME_SHOWN - 1] + "…"
    return f"{revision.recorded_at or '(no time)'} by {who}"


@dataclass(frozen=True, slots=True)
class ImportMerge:
    """What a merge found, and the revisions it adds (written only if :attr:`written`)."""

    added: tuple[Statement, ...]
    """New revisions, numbered for the store, in the file's order (and each conflict's, if resolved as theirs)."""
    present: int
    """The file's revisions the store already holds."""
    conflicts: tuple[Conflict, ...]
    skipped: int
    """The file's revisions left out by ``--keep-ours``: each conflict's and its later ones."""
    resolution: Resolution | None

    @property
    def written(self) -> bool:
        """False when conflicts wait for a resolution: then nothing is written."""
        return not self.conflicts or self.resolution is not None

    def summary(self) -> str:
        """The line a merge ends with: "N added, M already present, K conflicts", and what became of them."""
        conflicts = f"{len(self.conflicts)} conflict{'' if len(self.conflicts) == 1 else 's'}"
        if not self.written:
            return (
                f"nothing was written: {len(self.added)} new, {self.present} already present, {conflicts} "
                "(rerun with --force-theirs to add theirs after ours, or --keep-ours to skip them)"
            )
        line = f"{len(self.added)} added, {self.present} already present, {conflicts}"
        if self.conflicts and self.resolution is Resolution.theirs:
            line += " (theirs added after ours)"
        elif self.conflicts:
            line += f" (ours kept: {self.skipped} of their revisions skipped)"
        return line


def merge(
    ours: Mapping[str, Sequence[Statement]], incoming: Iterable[Incoming], resolution: Resolution | None
) -> ImportMerge:
    """Join ``incoming`` to ``ours`` (each statement's revisions in the store, in rev order), record by record.

    Each record is judged against the store as the records before it left it,
    so a file that holds one revision twice adds it once.
    """
    state: dict[str, list[Statement]] = {}
    diverged: dict[str, int] = {}
    """Statements found in conflict: where their Conflict is in ``found``."""
    found: list[Conflict] = []
    added: list[Statement] = []
    present = skipped = 0

    def append(current: list[Statement], revision: Statement) -> None:
        numbered = replace(revision, rev=current[-1].rev + 1) if current[-1].rev + 1 != revision.rev else revision
        current.append(numbered)
        added.append(numbered)

    for batch in incoming:
        statement_id = batch.revisions[0].id
        current = state.get(statement_id)
        if current is None:
            current = state[statement_id] = list(ours.get(statement_id, ()))
        if not current:
            new = list(batch.revisions) if batch.history else new_history(batch.revisions[0])
            current.extend(new)
            added.extend(new)
            continue
        for theirs in batch.revisions:
            if any(same_revision(revision, theirs) for revision in current):
                present += 1
                continue
            if statement_id in diverged:  # after the conflict: it goes with it
                at = diverged[statement_id]
                found[at] = replace(found[at], later=found[at].later + 1)
            else:
                clash = next((revision for revision in current if revision.rev == theirs.rev), None)
                if clash is None:  # beyond our latest: a correction we lack (a gap in the file's numbers closes up)
                    append(current, theirs)
                    continue
                diverged[statement_id] = len(found)
                found.append(Conflict(clash, theirs))
            if resolution is Resolution.theirs:
                append(current, theirs)
            else:
                skipped += 1
    return ImportMerge(tuple(added), present, tuple(found), skipped if resolution is Resolution.ours else 0, resolution)
