"""The ``tracker`` command: a thin click layer over the store, timeline and render.

Every command resolves its store the same way (``--db``, ``$TRACKER_DB``,
``./positions.json``), reports any :class:`TrackerError` as one line on stderr
with exit 2, and prints listings through :func:`render.emit`.

Click, not Typer: at 1,000 statements a command must start in about twice the
time of importing Rich, and Typer 0.29 alone (it builds a pydantic adapter for
every parameter) used most of that.

Every run imports this module and builds the options of every command it
defines, ``--help`` as much as ``matrix`` (the :data:`EXTENSIONS` only when they
are wanted); what a command runs on (the store, the model, the Rich views of
``render``, the parsing of a statement's fields) is imported inside the command,
so that each pays only for what it uses and ``tracker --help`` loads neither the
store nor Rich (``tests/functional/test_imports.py`` holds both).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import dates
from .errors import SHOWN, InputError, TrackerError, shown
from .options import (
    Context,
    as_of_option,
    by_option,
    evidence_options,
    format_option,
    iso_date,
    issues_option,
    known_at_instant,
    known_at_option,
    parties_option,
    pass_context,
    picture_format_option,
    policy_of,
    quiet_option,
    recorded_by,
    selection,
    stacked,
)
from .output_formats import Format

if TYPE_CHECKING:  # for annotations only: the commands import what they run on (see above)
    from .model import Codebook, Statement
    from .progress import Steps
    from .store import Store

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


LINE_MAX = 1_000
"""The longest error line, ``tracker: error:`` included, whatever the message: a last resort, as
every value a message quotes is cut to SHOWN characters (so a line that echoes input stays under
300), while one naming three long paths (a lock in a deep folder) is still read whole."""
_LONG_QUOTED = re.compile(rf"(?<![^\s(=])(['\"])((?:(?!\1).){{{SHOWN + 1},}})\1(?![^\s,.;:)])")
"""A value quoted in a message (``'…'`` or ``"…"``, standing alone) of more than SHOWN characters."""


def fail(message: str, code: int = 2) -> click.exceptions.Exit:
    """Print one clean line on stderr; the caller raises the returned Exit.

    The core's messages cut the input they quote (``errors.shown``); click's
    do not (``Invalid value for '--format': '<5,000 characters>'``), so a long
    quoted value is cut here too, and the line itself at :data:`LINE_MAX`.
    Paths are not quoted, and not cut: a message must name the file whole.
    """
    from .model import sanitise

    line = " ".join(sanitise(message).split())
    line = _LONG_QUOTED.sub(lambda found: f"{found[1]}{found[2][: SHOWN - 1]}…{found[1]}", line)
    line = f"tracker: error: {line}"
    if len(line) > LINE_MAX:
        line = line[: LINE_MAX - 1] + "…"
    sys.stderr.write(f"{line}\n")
    return click.exceptions.Exit(code)


FIELD_WORDING = {
    "reason": "--reason",
    "stance": "--stance",
    "stated_on": "--date",
    "date": "--date",  # statement_input's name for stated_on
    "url": "--url",
    "force": "use --force to replace it; a backup is kept",
}
"""How the command line asks for the input a core error names in its ``field``: the core's messages
say what is wrong, and leave the option to the front end (the dashboard's forms mark their box)."""


def worded(error: TrackerError) -> str:
    """The error's line as the command line says it: the core's message, then the option to give."""
    hint = FIELD_WORDING.get(error.field, "")
    return f"{error} ({hint})" if hint else str(error)


EXTENSIONS = {
    "feeds": "ingest.commands",
    "pull": "ingest.commands",
    "fetch": "ingest.commands",
    "inbox": "ingest.commands",
    "git": "git_commands",
    "merge-driver": "git_commands",
    "gap": "trend_commands",
    "brief": "trend_commands",
}
"""The commands that live beside their layer, each with the module (in tracker) that defines and registers it.

A module is imported when one of its commands runs, or when every command is wanted (help, completion, a
name that is no command, so that click's "did you mean" knows them all), not on every start: ``tracker
matrix`` builds none of their options. A test checks that this names every command the modules register."""


class TrackerGroup(click.Group):
    """Turns usage errors and the core's errors into one line on stderr, for every command; registers the
    :data:`EXTENSIONS` when they are wanted."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:  # an extension's command, or none: then every module, for the suggestion
            self.register_extensions(EXTENSIONS.get(cmd_name))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.register_extensions()
        return super().list_commands(ctx)

    def register_extensions(self, module: str | None = None) -> None:
        """Import ``module`` (every extension module if None) and add its commands to the group."""
        from importlib import import_module

        for name in sorted({module} if module else set(EXTENSIONS.values())):
            import_module(f"{__package__}.{name}").register(self)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        # Click prints usage errors as usage + hint + message; the contract is one line.
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # a group that needs a command: its help
            click.echo(error.format_message())
            raise SystemExit(0) from None
        except click.ClickException as error:
            where = getattr(getattr(error, "ctx", None), "command_path", None) or "tracker"
            raise SystemExit(
                fail(f"{error.format_message()} (see `{where} --help`)", error.exit_code).exit_code
            ) from None
        except click.Abort:
            raise SystemExit(fail("interrupted", 130).exit_code) from None
        if not standalone_mode:
            return result
        raise SystemExit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise fail(worded(error)) from None
        except BrokenPipeError:
            raise reader_gone() from None
        except OSError as error:
            raise fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": ")) from None


# -- the app ---------------------------------------------------------------------


@click.group(cls=TrackerGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    envvar="TRACKER_DB",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store file (default: $TRACKER_DB, then ./positions.json).",
)
@click.pass_context
def app(ctx: click.Context, db: Path | None) -> None:
    """Track where every party to a negotiation stands on every issue, and what changed.

    With no command, opens the dashboard on the store.
    """
    ctx.obj = Context(db)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@app.command()
@as_of_option
@click.option("--compare", help="Mark what changed since this date.")
@evidence_options
@pass_context
def tui(
    context: Context, as_of: str, compare: str | None, min_grade: str | None, include_reported: bool | None
) -> None:
    """Open the dashboard (what bare `tracker` does); `r` there toggles reports in."""
    store = context.store()
    day, since = iso_date(as_of), iso_date(compare)
    policy_of(store, min_grade, include_reported)  # a bad --min-grade is one line here, before Textual loads
    from .tui import run as run_dashboard  # Textual loads only for the dashboard
    from .tui.session import Session

    session = Session(store, min_grade=min_grade)
    run_dashboard(session, as_of=day, compare=since, include_reported=bool(include_reported))


@app.command()
@click.option("--demo", is_flag=True, help="Start from the bundled 2025 Russia–Ukraine–US record.")
@click.option("--force", is_flag=True, help="Replace an existing store (a backup copy is kept).")
@click.option("--title", default="Negotiation tracker", show_default=True, help="The dataset's title.")
@pass_context
def init(context: Context, demo: bool, force: bool, title: str) -> None:
    """Create a store with the default codebook (or the bundled dataset)."""
    from importlib import resources

    from .store import Store, default_tables, parse_tables

    if demo:
        bundled = resources.files("tracker").joinpath("data/positions.json")
        tables = parse_tables(bundled.read_bytes(), Path(str(bundled)))
    else:
        tables = default_tables(title)
    store = Store.create(context.path, tables, force=force)
    count = len({s.id for s in store.revisions()})
    book = store.codebook
    click.echo(
        f"Created {context.path} with {len(book.parties)} parties, {len(book.issues)} issues and {count} statements."
    )


@app.command()
@stacked(as_of_option, known_at_option, parties_option, issues_option, evidence_options, picture_format_option)
@pass_context
def matrix(
    context: Context,
    as_of: str,
    known_at: str | None,
    party: tuple[str, ...],
    issue: tuple[str, ...],
    min_grade: str | None,
    include_reported: bool | None,
    fmt: Format,
) -> None:
    """Where every party stands on every issue as of a date.

    A position is what a party said (official, spokesperson or interview, graded
    at least the store's threshold); newer reports about it are shown beside it,
    marked "reported", and a cell where two of its speakers disagree is marked ⚑.
    """
    from .render import emit, matrix_view

    store = context.store()
    day = iso_date(as_of)
    assert day is not None
    parties, issues = selection(store, party, issue)
    policy = policy_of(store, min_grade, include_reported)
    grid = store.timeline(known_at_instant(known_at), policy).matrix(day, parties, issues)
    emit(matrix_view(grid, store.codebook, store.title), fmt)


@app.command()
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="[TO]", required=False, default="today")
@stacked(parties_option, issues_option, known_at_option, evidence_options)
@click.option("--all", "show_all", is_flag=True, help="Also list restatements (same stance, newer statement).")
@click.option("--exit-code", is_flag=True, help="Exit 1 if anything changed, 0 if not (like git diff).")
@format_option
@pass_context
def diff(
    context: Context,
    start: str,
    end: str,
    party: tuple[str, ...],
    issue: tuple[str, ...],
    known_at: str | None,
    min_grade: str | None,
    include_reported: bool | None,
    show_all: bool,
    exit_code: bool,
    fmt: Format,
) -> None:
    """What changed between two dates, cell by cell, with the statements behind each change.

    \b
    FROM is the earlier date, TO the later one (default: today); each is
    YYYY-MM-DD, today, yesterday, or Nd / Nw for N days / weeks ago.

    Markdown output is a brief to paste into an email; json and csv are for scripts.
    """
    from .render import diff_view, emit

    store = context.store()
    first, last = iso_date(start), iso_date(end)
    assert first is not None and last is not None
    if first > last:
        raise InputError(f"FROM {first} is after TO {last}")
    parties, issues = selection(store, party, issue)
    policy = policy_of(store, min_grade, include_reported)
    changes = store.timeline(known_at_instant(known_at), policy).diff(first, last, parties, issues, restated=show_all)
    emit(diff_view(changes, store.codebook, store.title), fmt)
    if exit_code and changes.changes:
        raise click.exceptions.Exit(1)


@app.command()
@stacked(parties_option, issues_option)
@click.option("--since", help="Stated on or after this date.")
@click.option("--until", help="Stated on or before this date.")
@click.option("--revisions", is_flag=True, help="List every revision, not just the latest of each statement.")
@by_option
@evidence_options
@format_option
@pass_context
def log(
    context: Context,
    party: tuple[str, ...],
    issue: tuple[str, ...],
    since: str | None,
    until: str | None,
    revisions: bool,
    by: str | None,
    min_grade: str | None,
    include_reported: bool | None,
    fmt: Format,
) -> None:
    """The history of statements, newest first; each marked stated or reported.

    With --by, only the rows NAME recorded: the statements whose latest
    revision is theirs, or with --revisions every revision they recorded.
    """
    from .render import emit, log_view

    store = context.store()
    parties, issues = selection(store, party, issue)
    start, end = iso_date(since), iso_date(until)
    if start and end and start > end:
        raise InputError(f"--since {start} is after --until {end}")
    found = store.revisions() if revisions else store.latest(parties, issues)
    chosen = [
        s
        for s in recorded_by(found, by)
        if (not parties or s.party in parties)
        and (not issues or s.issue in issues)
        and (start is None or s.stated_on >= start)
        and (end is None or s.stated_on <= end)
    ]
    chosen.sort(key=lambda s: (s.stated_on, s.id, s.rev), reverse=True)
    emit(log_view(chosen, store.codebook, policy=policy_of(store, min_grade, include_reported)), fmt)


@app.command()
@click.argument("statement_id", metavar="ID")
@by_option
@evidence_options
@format_option
@pass_context
def show(
    context: Context,
    statement_id: str,
    by: str | None,
    min_grade: str | None,
    include_reported: bool | None,
    fmt: Format,
) -> None:
    """One statement (ID: st_…, or enough of its start to be the only one) with all its revisions, and
    whether it counts as a position.

    With --by, the statement as it stands, with only the revisions NAME recorded.
    """
    from .render import emit, show_view

    store = context.store()
    found = store.statement_id(statement_id)
    history = store.history(found)
    chosen = recorded_by(history, by)
    if not chosen:
        names = ", ".join(sorted({shown(r.recorded_by or "unknown") for r in history}))
        raise InputError(f"statement {found} has no revision recorded by {shown(by)} (its authors: {names})")
    emit(show_view(chosen, policy_of(store, min_grade, include_reported), current=history[-1]), fmt)


@app.command()
@click.option("--min-grade", metavar="XY", help="The weakest grade a stated statement may have, e.g. C3.")
@click.option("--window", type=int, metavar="DAYS", help="Days within which two speakers' stances conflict.")
@format_option
@pass_context
def policy(context: Context, min_grade: str | None, window: int | None, fmt: Format) -> None:
    """Show or set what counts as a party's position in this store.

    \b
    A statement is *stated* when its channel is official, spokesperson or
    interview and its grade meets the threshold (reliability at or above X,
    credibility at or below Y); otherwise it is *reported*: shown beside the
    position, never as it. Stated statements of one party and issue by
    different speakers, with different stances, within the window of each
    other, make the cell contested. With no option, shows the policy.
    """
    from .evidence import Policy
    from .render import emit, policy_view

    store = context.store()
    current = store.policy
    if min_grade is not None or window is not None:
        changed = current.overridden(min_grade=min_grade)
        if window is not None:
            changed = Policy.from_json({**changed.as_json(), "window_days": window})
        current = store.set_policy(changed)
    emit(policy_view(current), fmt)


# -- recording -------------------------------------------------------------------

statement_options = stacked(
    click.option("--party", help="Party: its id, name or an alias, e.g. usa, us or Kremlin (see `tracker parties`)."),
    click.option("--issue", help="Issue: its id or name (see `tracker issues`)."),
    click.option("--stance", help='Stance on the issue\'s scale: its code or label, e.g. not-now or "Not now".'),
    click.option("--date", help=f"When it was stated, today or earlier: {dates.HELP}."),
    click.option("--summary", help="One-sentence summary of the position."),
    click.option("--quote", help="The speaker's verbatim words."),
    click.option("--speaker", help="Who said it."),
    click.option("--channel", help="media-report, official, spokesperson, interview or leak."),
    click.option("--condition", multiple=True, help="A condition attached (repeatable)."),
    click.option("--url", help="Source URL: an absolute http:// or https:// address."),
    click.option("--title", help="Source title."),
    click.option("--outlet", help="Source outlet."),
    click.option("--published", help="Source publication date."),
    click.option("--grade", help="Admiralty grade: reliability A-F, credibility 1-6, e.g. B2 (or b2)."),
    click.option("--tag", multiple=True, help="A tag (repeatable); `correct --tag` adds it to the tags."),
    click.option("--note", help="Analyst's note."),
)
"""The statement's fields as options, shared by ``add`` and ``correct``."""


FLAGS = {"conditions": "--condition", "tags": "--tag"}
"""Where an option's name differs from the input field it fills."""


def flag(field: str) -> str:
    """The option that gives an input field (``date`` → ``--date``, ``conditions`` → ``--condition``)."""
    return FLAGS.get(field, f"--{field}")


def _fields(given: dict[str, Any], book: Codebook, *, new: bool, issue: str = "") -> dict[str, Any]:
    """The statement fields the analyst gave as options, parsed as every surface parses them (codes
    resolved against ``book``; a stance without --issue is on ``issue``)."""
    from . import statement_input

    typed = {FLAGS_TO_FIELDS.get(name, name): value for name, value in given.items()}
    parsed = statement_input.parse(typed, book, new=new, issue=issue)
    if parsed.missing:
        raise InputError(f"missing {', '.join(map(flag, parsed.missing))} (see `tracker add --help`)")
    return parsed.check()


FLAGS_TO_FIELDS = {"condition": "conditions", "tag": "tags"}
"""click's parameter names for the repeatable options, and the input fields they fill."""


@app.command()
@statement_options
@format_option
@pass_context
def add(context: Context, /, fmt: Format, **given: Any) -> None:
    """Record a statement; prints its id, and on stderr what was recorded.

    --party, --issue, --stance and --date are required. A statement counts as
    the party's position only when it is stated (official, spokesperson or
    interview, graded at least the store's threshold: see `tracker policy`);
    otherwise it is recorded as a report, and the command says so.

    The id alone is printed on stdout (ID=$(tracker add …) keeps working), the
    line "recorded: party · issue · stance · date" on stderr (with the default
    table format), so a typed alias or label can be checked against the codes
    it became.
    """
    from .render import emit, revision_view

    store = context.store()
    statement = store.add(_fields(given, store.codebook, new=True))
    emit(revision_view(statement, store.policy), fmt)
    if fmt is Format.table:  # json, csv, markdown: a script is reading, and has the codes already
        note_recorded(store, statement)
    note_if_reported(store, statement)


def note_recorded(store: Store, statement: Statement) -> None:
    """One line on stderr saying what was recorded, in the codes it was recorded under."""
    from . import describe

    click.echo(f"recorded: {describe.statement_line(statement, store.codebook)}", err=True)


def note_if_reported(store: Store, statement: Statement) -> None:
    """Tell the analyst, on stderr, when what they recorded will show as a report, not as the position."""
    from .evidence import STATED_CHANNELS, Evidence

    policy = store.policy
    if policy.classify(statement.channel, statement.grade) is Evidence.stated:
        return
    why = (
        f"its channel is {statement.channel}"
        if statement.channel not in STATED_CHANNELS
        else f"its grade {statement.grade or '(none)'} is below {policy.min_grade}"
        if statement.grade
        else "it has no grade"
    )
    click.echo(
        f"note: {statement.id} is recorded as reported ({why}): it is shown beside the position, not as it.", err=True
    )


@app.command()
@click.argument("statement_id", metavar="ID")
@click.option("--reason", default="", help="Why it is corrected.")
@statement_options
@click.option("--untag", multiple=True, help="Remove this tag (repeatable).")
@click.option("--clear-tags", is_flag=True, help="Remove every tag (any --tag given is then the new tags).")
@format_option
@pass_context
def correct(
    context: Context, /, statement_id: str, reason: str, untag: tuple[str, ...], clear_tags: bool, fmt: Format,
    **given: Any,
) -> None:  # fmt: skip
    """Correct a statement (ID, or the start of it): adds a revision with the fields given changed.

    Tags: --tag adds one, --untag removes one, --clear-tags removes them all.
    """
    from .model import sanitise
    from .render import emit, revision_view

    store = context.store()
    found = store.statement_id(statement_id)
    added, removed = (tuple(filter(None, map(sanitise, values))) for values in (given.pop("tag"), untag))
    # A stance without --issue is on the statement's own issue (read only then: a history is a pass over the file).
    issue = store.history(found)[-1].issue if given.get("stance") and not given.get("issue") else ""
    changes = _fields(given, store.codebook, new=False, issue=issue)
    if clear_tags:
        changes["tags"] = []
    revision = store.correct(found, changes, reason=reason, add_tags=added, remove_tags=removed)
    emit(revision_view(revision, store.policy), fmt)


@app.command()
@click.argument("statement_id", metavar="ID")
@click.option("--reason", default="", help="Why (required).")
@click.option("--date", help="The party withdrew the position on this date; without it the statement never stood.")
@format_option
@pass_context
def retract(context: Context, statement_id: str, reason: str, date: str | None, fmt: Format) -> None:
    """Retract a statement (ID, or the start of it): adds a revision marking it retracted, with a reason."""
    from .render import emit, revision_view

    store = context.store()
    found = store.statement_id(statement_id)
    emit(revision_view(store.retract(found, reason, withdrawn_on=iso_date(date) or ""), store.policy), fmt)


# -- the codebook -------------------------------------------------------------------


@app.group(invoke_without_command=True)
@format_option
@pass_context
def parties(context: Context, fmt: Format) -> None:
    """The parties (list them, add, update or remove one).

    Without a command, lists them: id, name, aliases, colour.
    """
    if click.get_current_context().invoked_subcommand is None:  # not before a subcommand, nor its --help
        from .render import emit, parties_view

        emit(parties_view(context.store().codebook.parties), fmt)


def nonempty(option: str, values: Sequence[str]) -> list[str]:
    """A repeatable option's values, cleaned (``--alias``, ``--keyword``); an empty one is refused: it
    would name nothing, or, as an alias or keyword, match any sentence."""
    from .model import sanitise

    cleaned = [sanitise(value) for value in values]
    if not all(cleaned):
        raise InputError(f"{option} must not be empty")
    return cleaned


@parties.command("add")
@click.argument("party_id", metavar="ID")
@click.option("--name", default="", help="Display name.")
@click.option("--alias", multiple=True, help="A speaker or institution that speaks for it (repeatable).")
@click.option("--color", default="", help="A colour name or #rrggbb.")
@pass_context
def parties_add(context: Context, party_id: str, name: str, alias: tuple[str, ...], color: str) -> None:
    """Add a party with a short lower-case ID, e.g. china."""
    from .model import Party, sanitise

    aliases = tuple(nonempty("--alias", alias))
    party = context.store().add_party(Party(party_id, sanitise(name) or party_id, aliases, color))
    click.echo(f"Added party {party.id}.")


@parties.command("update")
@click.argument("party_id", metavar="ID")
@click.option("--name", default="", help="New display name (the id stays: statements name it).")
@click.option(
    "--alias", multiple=True, help="One more alias: a speaker or institution that speaks for it (repeatable)."
)
@click.option("--remove-alias", multiple=True, metavar="ALIAS", help="Take this alias away, in any case (repeatable).")
@click.option("--color", default="", help="New colour: a colour name or #rrggbb.")
@pass_context
def parties_update(
    context: Context, party_id: str, name: str, alias: tuple[str, ...], remove_alias: tuple[str, ...], color: str
) -> None:
    """Rename or recolour party ID, or give it aliases or take some away.

    Aliases are what ingest looks for in articles, and what --party accepts
    in place of the id (--party Kremlin). The id stays. An update that
    changes nothing is refused.
    """
    from .model import sanitise

    if not (name or alias or remove_alias or color):
        raise InputError("nothing to update: give --name, --alias, --remove-alias or --color")
    party = context.store().update_party(
        party_id,
        name=sanitise(name),
        aliases=nonempty("--alias", alias),
        remove_aliases=list(map(sanitise, remove_alias)),
        color=color,
    )
    click.echo(f"Updated party {party.id} ({party.name}): aliases {', '.join(party.aliases) or 'none'}.")


@parties.command("remove")
@click.argument("party_id", metavar="ID")
@pass_context
def parties_remove(context: Context, party_id: str) -> None:
    """Take party ID out of the codebook (a mistake, never used).

    Refused while any statement, in any revision, or any inbox candidate names
    it (the error says how many): statements are never deleted, so a party
    that has been used stays; rename it with `parties update ID --name`.
    """
    party = context.store().remove_party(party_id)
    click.echo(f"Removed party {party.id} ({party.name}).")


@app.group(invoke_without_command=True)
@format_option
@pass_context
def issues(context: Context, fmt: Format) -> None:
    """The issues and their scales (list them, add, update or remove one).

    Without a command, lists them with their scales and keywords.
    """
    if click.get_current_context().invoked_subcommand is None:  # not before a subcommand, nor its --help
        from .render import emit, issues_view

        emit(issues_view(context.store().codebook.issues), fmt)


@issues.command("add")
@click.argument("issue_id", metavar="ID")
@click.option(
    "--stance",
    multiple=True,
    required=True,
    help="A step of the scale as code or code:label, from Kyiv's pole to Moscow's (repeat, in order).",
)
@click.option("--name", default="", help="Display name.")
@click.option("--question", default="", help="The question under negotiation.")
@click.option("--keyword", multiple=True, help="A word that marks a sentence as about it (repeatable).")
@pass_context
def issues_add(
    context: Context, issue_id: str, stance: tuple[str, ...], name: str, question: str, keyword: tuple[str, ...]
) -> None:
    """Add an issue with a short lower-case ID (e.g. prisoners) and its ordered scale of stances."""
    from .model import Issue, sanitise

    scale = [
        {"code": s.partition(":")[0].strip(), "label": sanitise(s.partition(":")[2]) or s.partition(":")[0].strip()}
        for s in stance
    ]
    issue = Issue.from_json(
        {
            "id": issue_id,
            "name": sanitise(name),
            "question": sanitise(question),
            "keywords": nonempty("--keyword", keyword),
            "scale": scale,
        }
    )
    context.store().add_issue(issue)
    click.echo(f"Added issue {issue.id} with {len(issue.scale)} stances.")


@issues.command("update")
@click.argument("issue_id", metavar="ID")
@click.option("--name", default="", help="New display name (the id stays: statements name it).")
@click.option("--question", default="", help="New question.")
@click.option(
    "--keyword", multiple=True, help="One more keyword: a word that marks a sentence as about it (repeatable)."
)
@click.option("--remove-keyword", multiple=True, metavar="KEYWORD", help="Take this keyword away (repeatable).")
@click.option(
    "--relabel",
    multiple=True,
    metavar="CODE:LABEL",
    help="Give stance CODE a new label; the code stays, and so do the statements that use it (repeatable).",
)
@click.option(
    "--add-stance",
    metavar="CODE[:LABEL]",
    help="Insert a new stance into the scale, where --at, --before or --after says.",
)
@click.option("--at", "at_score", type=int, metavar="SCORE", help="The new stance's score: 0 is the first pole.")
@click.option("--before", metavar="CODE", help="Put the new stance just before this stance.")
@click.option("--after", metavar="CODE", help="Put the new stance just after this stance.")
@click.option("--stance", "cue_stance", default="", metavar="CODE", help="The stance that --cue phrases suggest.")
@click.option(
    "--cue", multiple=True, help='A phrase that suggests --stance in the news, e.g. "lay down their arms" (repeatable).'
)
@pass_context
def issues_update(
    context: Context,
    issue_id: str,
    name: str,
    question: str,
    keyword: tuple[str, ...],
    remove_keyword: tuple[str, ...],
    relabel: tuple[str, ...],
    add_stance: str | None,
    at_score: int | None,
    before: str | None,
    after: str | None,
    cue_stance: str,
    cue: tuple[str, ...],
) -> None:
    """Rename issue ID, reword its question, change its keywords, relabel or insert stances, give cues.

    \b
    Codes stay, and statements keep theirs. A stance's score is its place on
    the scale, so a stance inserted with --add-stance moves the ones above it
    up by one, and every view (matrix, diff, the dashboard's colours) follows.
    A label can be typed for --stance, so labels on one scale must differ.
    --stance CODE --cue PHRASE gives a stance phrases that suggest it to ingest.
    An update that changes nothing is refused.
    """
    from .model import Stance, sanitise

    if bool(cue) != bool(cue_stance):
        raise InputError("--cue and --stance CODE go together: the phrases, and the stance they suggest")
    places = [given for given in (at_score, before, after) if given is not None]
    if add_stance is None and places:
        raise InputError("--at, --before and --after place a new stance: give --add-stance CODE[:LABEL]")
    edits = bool(name or question or keyword or remove_keyword or relabel or add_stance is not None)
    if not (edits or cue):
        raise InputError(
            "nothing to update: give --name, --question, --keyword, --remove-keyword, --relabel, --add-stance "
            "or --stance CODE --cue PHRASE"
        )
    store = context.store()
    if cue:
        cued = store.add_cues(issue_id, cue_stance, [sanitise(c) for c in cue])
        stance = cued.stance(cue_stance)
        click.echo(f"Updated issue {cued.id}: cues of {cue_stance}: {', '.join(stance.cues if stance else ())}.")
    if not edits:
        return
    labels = dict(_stance_spec(spec, "--relabel", need_label=True) for spec in relabel)
    new_stance = None
    if add_stance is not None:
        if len(places) != 1:
            raise InputError("say where the new stance goes: give one of --at SCORE, --before CODE or --after CODE")
        code, label = _stance_spec(add_stance, "--add-stance", need_label=False)
        new_stance = Stance(code, label or code, at_score if at_score is not None else -1)
    updated = store.update_issue(
        issue_id,
        name=sanitise(name),
        question=sanitise(question),
        keywords=nonempty("--keyword", keyword),
        remove_keywords=list(map(sanitise, remove_keyword)),
        labels=labels,
        new_stance=new_stance,
        before=before or "",
        after=after or "",
    )
    scale = ", ".join(f"{s.score} {s.code}" for s in updated.scale)
    click.echo(f"Updated issue {updated.id} ({updated.name}): scale {scale}; keywords {', '.join(updated.keywords)}.")
    added = updated.stance(new_stance.code) if new_stance is not None else None
    if added is not None and added.score < len(updated.scale) - 1:
        click.echo(f"note: the stances after {added.code} now score one more; statements keep their codes.", err=True)


def _stance_spec(spec: str, option: str, *, need_label: bool) -> tuple[str, str]:
    """CODE:LABEL as typed (the form `issues add --stance` takes), split and cleaned; the store reads CODE
    as --stance is read (a code or a label)."""
    from .model import sanitise

    code, _, label = spec.partition(":")
    code, label = code.strip(), sanitise(label)
    if not code or (need_label and not label):
        raise InputError(f"{option} {spec!r}: give CODE:LABEL" if need_label else f"{option} {spec!r}: give a code")
    return code, label


@issues.command("remove")
@click.argument("issue_id", metavar="ID")
@pass_context
def issues_remove(context: Context, issue_id: str) -> None:
    """Take issue ID out of the codebook (a mistake, never used).

    Refused while any statement, in any revision, or any inbox candidate is on
    it (the error says how many): statements are never deleted, so an issue
    that has been used stays; rename it with `issues update ID --name`.
    """
    issue = context.store().remove_issue(issue_id)
    click.echo(f"Removed issue {issue.id} ({issue.name}).")


# -- checking, import and export ---------------------------------------------------------


@app.command()
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (open conflicts).")
@format_option
@pass_context
def check(context: Context, strict: bool, fmt: Format) -> None:
    """Validate the store; exits 1 and lists every problem if there are any.

    A file that cannot be read as a store at all (empty, truncated, not JSON)
    is one line on stderr and exit 2, as for every other command.

    Open conflicts (a party's speakers stating different stances on an issue
    within the policy's window) are listed as warnings: exit 0 unless --strict.

    A store with no problems gets its index cache (positions.json.idx) written,
    as every write leaves it: after a git pull or a hand edit, reads are fast
    again from the next command on.
    """
    from .checks import find_problems  # only this command needs it
    from .render import emit, problems_view

    problems, summary = find_problems(context.path)
    warnings: list[str] = []
    if not problems:
        store = context.store()
        store.write_index()
        warnings = conflict_warnings(store)
    emit(problems_view(problems, summary, warnings), fmt)
    if problems or (strict and warnings):
        raise click.exceptions.Exit(1)


def conflict_warnings(store: Store) -> list[str]:
    """One line per contested cell as of today: who said what, when."""
    today = dates.today().isoformat()
    lines = []
    for cell in store.timeline().conflicts(today):
        sides = "; ".join(
            f"{c.stance.label} ({c.statement.speaker or 'unknown speaker'}, {c.statement.stated_on}, {c.statement.id})"
            for c in (cell, *cell.conflicts)
        )
        lines.append(f"conflict: {cell.party} · {cell.issue}: {sides}")
    return lines


@app.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "file_format", help="json or csv (default: by the file's extension).")
@click.option(
    "--merge",
    is_flag=True,
    help="Join the file's revisions to the store's by statement id and rev: the same revision is skipped, "
    "a new one added; one that differs under the same id and rev is a conflict, listed, and nothing is "
    "written (exit 1) unless --force-theirs or --keep-ours says how to resolve it.",
)
@click.option(
    "--force-theirs",
    is_flag=True,
    help="With --merge: add the file's conflicting revisions (and its later ones of those statements) "
    "as new revisions after ours; nothing is lost.",
)
@click.option(
    "--keep-ours", is_flag=True, help="With --merge: skip the file's conflicting revisions (and its later ones)."
)
@click.option(
    "--all",
    "whole",
    is_flag=True,
    help="FILE is a full backup (`tracker export --all`): rebuild the whole store from it, as `tracker restore`.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --all: replace a store that holds statements, feeds or candidates (a backup copy is kept).",
)
@quiet_option
@pass_context
def import_(
    context: Context,
    file: Path,
    file_format: str | None,
    merge: bool,
    force_theirs: bool,
    keep_ours: bool,
    whole: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Import statements from FILE: every row is checked first, then all are written at once.

    \b
    FILE is a .json array of statements (the `show` shape, id optional) or a
    .csv with the same fields; each becomes a new statement. A revision that
    gives its recorded_at keeps it and its recorded_by, so --known-at shows it
    as its own file did. --merge joins a colleague's export instead (exit 1
    on conflicts), and --all restores a full backup. On a terminal, stderr
    shows how far the reading and checking of FILE is, then the writing.
    """
    from . import progress, transfer

    if whole:
        if merge or force_theirs or keep_ours:
            raise InputError(
                "--all restores a whole store; it does not combine with --merge, --force-theirs or --keep-ours"
            )
        if file_format is not None and file_format.lower() != "json":
            raise InputError("--all reads a backup, which is JSON (`tracker export --all`): leave out --format")
        restore_from(context, file, force, quiet)
        return
    if force:
        raise InputError("--force applies only with --all (replace a store that holds statements)")
    if (force_theirs or keep_ours) and not merge:
        raise InputError("--force-theirs and --keep-ours apply only with --merge")
    if force_theirs and keep_ours:
        raise InputError("choose one of --force-theirs and --keep-ours")
    store = context.store()
    kind = transfer.file_format(file, file_format)
    with progress.shown(quiet) as steps:
        # The store checks each record as the reader hands it over: reading and checking are one step,
        # measured in the file's bytes, and the writing starts when the last record has been taken.
        steps.step(f"reading {file}")
        records = steps.then(transfer.read_records(file, kind, steps.on_progress), f"writing {store.path}")
        if merge:
            from .revisions import Resolution

            resolution = Resolution.theirs if force_theirs else Resolution.ours if keep_ours else None
            merged = store.merge_statements(records, resolution)
        else:
            imported = store.import_statements(records)
    if merge:
        for conflict in merged.conflicts:
            click.echo(conflict.line())
        click.echo(merged.summary())
        if not merged.written:
            raise click.exceptions.Exit(1)
        return
    click.echo(f"Imported {len({s.id for s in imported})} statements ({len(imported)} revisions) into {store.path}.")


@app.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a store that holds statements, feeds or candidates (a backup copy is kept).",
)
@quiet_option
@pass_context
def restore(context: Context, file: Path, force: bool, quiet: bool) -> None:
    """Rebuild the whole store from FILE, a backup written by `tracker export --all` (what `import --all` does).

    \b
    The store (made if missing) then holds exactly what the backup holds: the
    same positions.json, byte for byte. The backup is checked whole first; a
    store that holds statements, feeds or candidates is replaced only with
    --force, and the file replaced is always kept as positions.json.<time>.bak.
    On a terminal, stderr shows how far the reading, checking and writing are.
    """
    restore_from(context, file, force, quiet)


def restore_from(context: Context, file: Path, force: bool, quiet: bool) -> None:
    """``restore`` and ``import --all``: one way to rebuild a store from a backup."""
    from functools import partial

    from . import progress
    from .backup import read_backup
    from .store import Store, describe_tables

    with progress.shown(quiet) as steps:
        steps.step(f"reading {file}")
        tables = read_backup(file, steps.on_progress, partial(steps.step, f"checking {file}"))
        steps.step(f"writing {context.path}")
        store = Store.restore(context.path, tables, force=force)
    kept = f"; the previous file is kept as {store.backup}" if store.backup else ""
    click.echo(f"Restored {store.path} from {file}: {describe_tables(tables)}{kept}.")


@app.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file (default: standard output).")
@click.option("--format", "file_format", help="json (default; every revision) or csv (latest revisions).")
@click.option(
    "--all",
    "whole",
    is_flag=True,
    help="A full backup instead: meta and policy, the codebook, every revision with its record time and "
    "author, feeds and inbox, as one JSON file for `tracker restore` (or `import --all`).",
)
@quiet_option
@pass_context
def export(context: Context, output: Path | None, file_format: str | None, whole: bool, quiet: bool) -> None:
    """Export every statement, as JSON (with revisions, re-importable) or CSV; --all: a full backup.

    On a terminal, stderr shows how far the export is (to standard output, the
    file follows once the display is gone).
    """
    from . import progress, transfer
    from .store import write_atomic

    store = context.store()
    if whole and ((file_format or "json").lower() != "json" or (output and output.suffix.lower() == ".csv")):
        raise InputError("--all writes a JSON backup: leave out --format csv and give a file name not ending .csv")
    kind = "json" if whole else transfer.file_format(output, file_format)
    if output is not None and output.resolve() == store.path.resolve():
        raise InputError(f"--output {output} is the store itself; export to another file")
    with progress.shown(quiet) as steps:
        steps.step(f"reading {store.path}")
        if whole:
            payload, what = full_backup(store, steps)
        else:
            revisions = store.revisions()
            steps.step("exporting", "statements")
            payload, count = transfer.export_bytes(revisions, kind, steps.on_progress)
            what = f"{count} statements"
        if output is not None:
            steps.step(f"writing {output}")
            write_atomic(output, payload)
    if output is None:
        sys.stdout.write(payload.decode())
    else:
        click.echo(f"Exported {what} to {output}.", err=True)


def full_backup(store: Store, steps: Steps) -> tuple[bytes, str]:
    """The ``export --all`` file of ``store``, and what it holds in words; a store that would not
    restore (``tracker check`` finds a problem) gets no backup. ``steps`` shows the checking and writing."""
    from .backup import backup_bytes, first_problem, prepared
    from .errors import StoreError
    from .store import describe_tables

    tables = store.tables()
    steps.step(f"checking {store.path}")
    tables, problems = prepared(tables, store.path)
    if problems:
        raise StoreError(
            f"{store.path}: {first_problem(problems)}; no backup was written, as it would not restore "
            "(`tracker check` lists every problem)"
        )
    steps.step("backing up", "documents")
    return backup_bytes(tables, steps.on_progress), f"a backup of {describe_tables(tables)}"


READER_GONE = 128 + 13
"""The exit status when the reader of the output went away (``tracker log | head -1``): 128 + SIGPIPE,
what a shell reports for any Unix tool a closed pipe stopped. Not 1, which says "differences" or
"problems" (``diff --exit-code``, ``check``)."""


def reader_gone() -> click.exceptions.Exit:
    """The end of a command whose reader closed the pipe: no error line, exit :data:`READER_GONE`.

    A reader that stops early (``| head -1``) closes the pipe, and the next write fails with
    EPIPE: the end of the output, not an error, so the command ends quietly, as other Unix tools
    do. Python ignores SIGPIPE, so the failure comes as BrokenPipeError. Stdout is then pointed at
    /dev/null, so that the interpreter's own flush at exit does not fail again (Python's docs,
    "Note on SIGPIPE"). SIGPIPE itself stays ignored: it would also kill a pull whose server
    closed a socket.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return click.exceptions.Exit(READER_GONE)


def run() -> None:
    """Console-script entry point: the process's gc policy (see tracker/gcpolicy.py), then the command.

    Stdout is flushed here, not at exit, so that a reader gone before the last of the output
    (which sat in the buffer) ends the command as quietly as one gone mid-command.
    """
    from . import gcpolicy
    from .storage import cache_writers

    gcpolicy.command_line()
    cache_writers.write_aside()  # a read that writes the index cache does it beside its own work
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
            cache_writers.wait_for_writers()
    except BrokenPipeError:
        raise SystemExit(reader_gone().exit_code) from None


def command() -> None:
    """The ``tracker`` command (the console script, ``python -m tracker``): :func:`run`, then the process
    ends without the interpreter's teardown, which frees every object one by one (the index, the
    statements, the output's pieces): 30-40 ms of a 0.4 s warm ``diff`` at 100,000 statements, for
    memory the kernel takes back at once. Only when nothing else could still be running or
    buffered: the output is flushed, the cache writers are waited for (``run``), no other thread is
    alive (the dashboard's may be: then Python exits as usual), and the exit is a plain status.
    ``run`` itself ends with ``SystemExit``, for a program that calls it."""
    import contextlib
    import threading

    try:
        run()
    except SystemExit as leaving:
        status = leaving.code
        if (status is None or isinstance(status, int)) and threading.active_count() == 1:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed: nothing to lose
                    stream.flush()
            os._exit(status or 0)
        raise
