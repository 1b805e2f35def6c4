"""The commands that share a record through git: ``tracker git setup`` and ``tracker merge-driver``.

cli.py imports this module on every start, so the git side (``git_setup``,
which runs git), the merge itself and the model load inside the commands, never here.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import StoreError
from .options import Context, pass_context


@click.group("git", invoke_without_command=True)
@click.pass_context
def git(ctx: click.Context) -> None:
    """Share the record through git: `tracker git setup` makes git merge the store with tracker's driver.

    Each analyst works in a clone of one repository holding the store and pulls
    and pushes as usual; the driver merges two versions of the store keeping
    every statement revision of both sides (see README, "Working as a team").
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@git.command("setup")
@click.option(
    "--name",
    default="tracker",
    show_default=True,
    help="The merge driver's name: merge=NAME in .gitattributes, merge.NAME.driver in git config.",
)
@pass_context
def git_setup(context: Context, name: str) -> None:
    """Set this clone up so that git merges the store with tracker's merge driver.

    \b
    Adds the store's line to .gitattributes (merge=NAME) and its lock, index
    cache, temp and backup files to .gitignore, at the top of the repository holding the store,
    and sets merge.NAME.driver in this clone's git config to run this tracker.
    Idempotent: says what it did, or that all was set up already. Commit
    .gitattributes and .gitignore; every clone runs this once, as git does not
    share its config (without it, git merges the file as text).
    """
    from .git_setup import setup

    for line in setup(context.path, name):
        click.echo(line)


@click.command("merge-driver")
@click.argument("base", metavar="BASE", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("ours", metavar="OURS", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("theirs", metavar="THEIRS", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("path", metavar="[PATH]", required=False)
def merge_driver(base: Path, ours: Path, theirs: Path, path: str | None) -> None:
    """Merge two versions of a store file into OURS: git's merge driver (`tracker git setup` installs it).

    \b
    BASE is the common ancestor, OURS and THEIRS the two sides, PATH the
    file's name in the repository (for messages); git passes %O %A %B %P.
    Every statement revision of either side is kept (two corrections of one
    statement are numbered by record time); the codebook, meta, feeds and
    inbox merge three-way. Exits 0 when merged cleanly; 1 on a conflict, one
    line each on stderr, with OURS still a store tracker reads (ours kept
    where the two clash; git keeps theirs: `git show :3:PATH`); 2 if a
    version cannot be read, leaving OURS as it was.
    """
    from .storage.files import write_atomic, write_problem
    from .storage.merge import merge_files
    from .storage.schema import dump_tables

    shown = Path(path) if path else ours
    merged = merge_files(_version(base), _version(ours), _version(theirs), shown)
    try:
        write_atomic(ours, dump_tables(merged.tables))
    except OSError as error:
        raise StoreError(f"{ours}: could not write the merge ({write_problem(ours, error)})") from None
    for note in merged.notes:
        _say(f"tracker: note: {shown}: {note}")
    for conflict in merged.conflicts:
        _say(f"tracker: conflict: {shown}: {conflict}")
    if merged.conflicts:
        _say(
            f"tracker: {shown}: {len(merged.conflicts)} conflict(s); the file holds the merge, with ours where the two "
            f"clash (theirs: `git show :3:{shown}`): settle each with tracker, then `git add {shown}` and commit"
        )
        raise click.exceptions.Exit(1)


def _version(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror or error})") from None


def _say(line: str) -> None:
    """One line on stderr, cleaned: a conflict quotes the store's text, which may come from a hand edit."""
    from .model import sanitise

    click.echo(" ".join(sanitise(line).split()), err=True)


def register(app: click.Group) -> None:
    """Add the git commands to the ``tracker`` app."""
    app.add_command(git)
    app.add_command(merge_driver)
