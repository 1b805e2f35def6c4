"""The ``tracker`` command: a thin Typer layer over the store, timeline and render.

Every command resolves its store the same way (``--db``, ``$TRACKER_DB``,
``./positions.json``), reports any :class:`TrackerError` as one line on stderr
with exit 2, and prints listings through :func:`render.emit`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import dates, transfer
from .errors import InputError, TrackerError
from .model import Issue, Party, sanitise
from .options import (
    AsOfOpt,
    Context,
    FormatOpt,
    IssuesOpt,
    KnownAtOpt,
    PartiesOpt,
    context,
    iso_date,
    known_at_instant,
    selection,
)
from .render import (
    Format,
    diff_view,
    emit,
    issues_view,
    log_view,
    matrix_view,
    parties_view,
    problems_view,
    revision_view,
    show_view,
)
from .store import Store, default_tables, parse_tables


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clean line on stderr; the caller raises the returned Exit."""
    line = " ".join(sanitise(message).split())
    sys.stderr.write(f"tracker: error: {line}\n")
    return typer.Exit(code)


class TrackerGroup(TyperGroup):
    """Turns the core's errors into one line on stderr and exit 2, for every command."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # Click prints usage errors as usage + hint + message; the contract is one line.
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as error:
            if not hasattr(error, "format_message"):
                raise
            where = getattr(getattr(error, "ctx", None), "command_path", "tracker")
            raise SystemExit(
                fail(f"{error.format_message()} (see `{where} --help`)", getattr(error, "exit_code", 2)).exit_code
            ) from None
        if not standalone_mode:
            return result
        raise SystemExit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise fail(str(error)) from None
        except OSError as error:
            raise fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": ")) from None


app = typer.Typer(
    cls=TrackerGroup,
    help="Track where every party to a negotiation stands on every issue, and what changed.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# -- the app ---------------------------------------------------------------------


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", envvar="TRACKER_DB", help="The store file (default: $TRACKER_DB, then ./positions.json)."),
    ] = None,
) -> None:
    """Track where every party to a negotiation stands on every issue, and what changed.

    With no command, opens the dashboard on the store.
    """
    ctx.obj = Context(db)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui, ctx=ctx)


@app.command()
def tui(
    ctx: typer.Context,
    as_of: AsOfOpt = "today",
    compare: Annotated[str | None, typer.Option("--compare", help="Mark what changed since this date.")] = None,
) -> None:
    """Open the dashboard (what bare `tracker` does)."""
    store = context(ctx).store()
    day, since = iso_date(as_of), iso_date(compare)
    from .tui import run as run_dashboard  # Textual loads only for the dashboard

    run_dashboard(store, as_of=day, compare=since)


@app.command()
def init(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Start from the bundled 2025 Russia–Ukraine–US record.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing store (a backup copy is kept).")] = False,
    title: Annotated[str, typer.Option("--title", help="The dataset's title.")] = "Negotiation tracker",
) -> None:
    """Create a store with the default codebook (or the bundled dataset)."""
    path = context(ctx).path
    if demo:
        bundled = resources.files("tracker").joinpath("data/positions.json")
        tables = parse_tables(bundled.read_bytes(), Path(str(bundled)))
    else:
        tables = default_tables(title)
    store = Store.create(path, tables, force=force)
    count = len({s.id for s in store.revisions()})
    book = store.codebook
    typer.echo(f"Created {path} with {len(book.parties)} parties, {len(book.issues)} issues and {count} statements.")


@app.command()
def matrix(
    ctx: typer.Context,
    as_of: AsOfOpt = "today",
    known_at: KnownAtOpt = None,
    party: PartiesOpt = None,
    issue: IssuesOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Where every party stands on every issue as of a date."""
    store = context(ctx).store()
    day = iso_date(as_of)
    assert day is not None
    parties, issues = selection(store, party, issue)
    grid = store.timeline(known_at_instant(known_at)).matrix(day, parties, issues)
    emit(matrix_view(grid, store.codebook, store.title), fmt)


@app.command()
def diff(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(metavar="FROM", help=f"The earlier date: {dates.HELP}.")],
    end: Annotated[str, typer.Argument(metavar="[TO]", help="The later date (default: today).")] = "today",
    party: PartiesOpt = None,
    issue: IssuesOpt = None,
    known_at: KnownAtOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list restatements (same stance, newer statement).")
    ] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 if anything changed, 0 if not (like git diff).")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """What changed between two dates, cell by cell, with the statements behind each change.

    Markdown output is a brief to paste into an email; json and csv are for scripts.
    """
    store = context(ctx).store()
    first, last = iso_date(start), iso_date(end)
    assert first is not None and last is not None
    if first > last:
        raise InputError(f"FROM {first} is after TO {last}")
    parties, issues = selection(store, party, issue)
    changes = store.timeline(known_at_instant(known_at)).diff(first, last, parties, issues, restated=show_all)
    emit(diff_view(changes, store.codebook, store.title), fmt)
    if exit_code and changes.changes:
        raise typer.Exit(1)


@app.command()
def log(
    ctx: typer.Context,
    party: PartiesOpt = None,
    issue: IssuesOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Stated on or after this date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stated on or before this date.")] = None,
    revisions: Annotated[
        bool, typer.Option("--revisions", help="List every revision, not just the latest of each statement.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """The history of statements, newest first."""
    store = context(ctx).store()
    parties, issues = selection(store, party, issue)
    start, end = iso_date(since), iso_date(until)
    if start and end and start > end:
        raise InputError(f"--since {start} is after --until {end}")
    found = store.revisions() if revisions else store.latest(parties, issues)
    chosen = [
        s
        for s in found
        if (not parties or s.party in parties)
        and (not issues or s.issue in issues)
        and (start is None or s.stated_on >= start)
        and (end is None or s.stated_on <= end)
    ]
    chosen.sort(key=lambda s: (s.stated_on, s.id, s.rev), reverse=True)
    emit(log_view(chosen, store.codebook), fmt)


@app.command()
def show(
    ctx: typer.Context,
    statement_id: Annotated[str, typer.Argument(metavar="ID", help="The statement's id (st_…).")],
    fmt: FormatOpt = Format.table,
) -> None:
    """One statement with all its revisions."""
    emit(show_view(context(ctx).store().history(statement_id)), fmt)


# -- recording -------------------------------------------------------------------

Text = Annotated[str | None, typer.Option()]
Texts = Annotated[list[str] | None, typer.Option()]


def _fields(**given: Any) -> dict[str, Any]:
    """The statement fields the analyst gave, with source fields nested and dates checked."""
    fields: dict[str, Any] = {}
    source: dict[str, str] = {}
    for name, value in given.items():
        if value is None or value == []:
            continue
        if name in ("url", "title", "outlet", "published"):
            source[name] = dates.parse_date(value).isoformat() if name == "published" else value
        elif name == "date":
            fields["stated_on"] = dates.parse_date(value).isoformat()
        elif name == "condition":
            fields["conditions"] = value
        elif name == "tag":
            fields["tags"] = value
        else:
            fields[name] = value
    if source:
        fields["source"] = source
    return fields


PartyOpt = Annotated[str | None, typer.Option("--party", help="Party id (see `tracker parties`).")]
IssueOpt = Annotated[str | None, typer.Option("--issue", help="Issue id (see `tracker issues`).")]
StanceOpt = Annotated[str | None, typer.Option("--stance", help="Stance code on the issue's scale.")]
DateOpt = Annotated[str | None, typer.Option("--date", help=f"When it was stated: {dates.HELP}.")]
SummaryOpt = Annotated[str | None, typer.Option("--summary", help="One-sentence summary of the position.")]
QuoteOpt = Annotated[str | None, typer.Option("--quote", help="The speaker's verbatim words.")]
SpeakerOpt = Annotated[str | None, typer.Option("--speaker", help="Who said it.")]
ChannelOpt = Annotated[
    str | None, typer.Option("--channel", help="official, spokesperson, interview, media-report or leak.")
]
ConditionOpt = Annotated[list[str] | None, typer.Option("--condition", help="A condition attached (repeatable).")]
UrlOpt = Annotated[str | None, typer.Option("--url", help="Source URL.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Source title.")]
OutletOpt = Annotated[str | None, typer.Option("--outlet", help="Source outlet.")]
PublishedOpt = Annotated[str | None, typer.Option("--published", help="Source publication date.")]
GradeOpt = Annotated[
    str | None, typer.Option("--grade", help="Admiralty grade: reliability A-F, credibility 1-6, e.g. B2.")
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Analyst's note.")]


@app.command()
def add(
    ctx: typer.Context,
    party: PartyOpt = None,
    issue: IssueOpt = None,
    stance: StanceOpt = None,
    date: DateOpt = None,
    summary: SummaryOpt = None,
    quote: QuoteOpt = None,
    speaker: SpeakerOpt = None,
    channel: ChannelOpt = None,
    condition: ConditionOpt = None,
    url: UrlOpt = None,
    title: TitleOpt = None,
    outlet: OutletOpt = None,
    published: PublishedOpt = None,
    grade: GradeOpt = None,
    tag: TagOpt = None,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a statement; prints its id.

    --party, --issue, --stance and --date are required.
    """
    given = dict(locals())
    given.pop("ctx"), given.pop("fmt")
    missing = [f"--{name}" for name in ("party", "issue", "stance", "date") if not given[name]]
    if missing:
        raise InputError(f"missing {', '.join(missing)} (see `tracker add --help`)")
    emit(revision_view(context(ctx).store().add(_fields(**given))), fmt)


@app.command()
def correct(
    ctx: typer.Context,
    statement_id: Annotated[str, typer.Argument(metavar="ID", help="The statement to correct.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is corrected.")] = "",
    party: PartyOpt = None,
    issue: IssueOpt = None,
    stance: StanceOpt = None,
    date: DateOpt = None,
    summary: SummaryOpt = None,
    quote: QuoteOpt = None,
    speaker: SpeakerOpt = None,
    channel: ChannelOpt = None,
    condition: ConditionOpt = None,
    url: UrlOpt = None,
    title: TitleOpt = None,
    outlet: OutletOpt = None,
    published: PublishedOpt = None,
    grade: GradeOpt = None,
    tag: TagOpt = None,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Correct a statement: adds a revision with the fields given changed."""
    given = dict(locals())
    for name in ("ctx", "fmt", "statement_id", "reason"):
        given.pop(name)
    emit(revision_view(context(ctx).store().correct(statement_id, _fields(**given), reason=reason)), fmt)


@app.command()
def retract(
    ctx: typer.Context,
    statement_id: Annotated[str, typer.Argument(metavar="ID", help="The statement to retract.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")] = "",
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="The party withdrew the position on this date; without it the statement never stood."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Retract a statement: adds a revision marking it retracted, with a reason."""
    store = context(ctx).store()
    emit(revision_view(store.retract(statement_id, reason, withdrawn_on=iso_date(date) or "")), fmt)


# -- the codebook -------------------------------------------------------------------

parties_app = typer.Typer(cls=TyperGroup, help="The parties (list them, add one, extend one).")
issues_app = typer.Typer(cls=TyperGroup, help="The issues and their scales (list them, add one, extend one).")
app.add_typer(parties_app, name="parties")
app.add_typer(issues_app, name="issues")


@parties_app.callback(invoke_without_command=True)
def parties_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The parties: id, name, aliases, colour."""
    if ctx.invoked_subcommand is None:
        emit(parties_view(context(ctx).store().codebook.parties), fmt)


@parties_app.command("add")
def parties_add(
    ctx: typer.Context,
    party_id: Annotated[str, typer.Argument(metavar="ID", help="Short lower-case id, e.g. china.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="A speaker or institution that speaks for it (repeatable).")
    ] = None,
    color: Annotated[str, typer.Option("--color", help="A colour name or #rrggbb.")] = "",
) -> None:
    """Add a party."""
    party = (
        context(ctx)
        .store()
        .add_party(Party(party_id, sanitise(name) or party_id, tuple(map(sanitise, alias or [])), color))
    )
    typer.echo(f"Added party {party.id}.")


@parties_app.command("update")
def parties_update(
    ctx: typer.Context,
    party_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[str, typer.Option("--name", help="New display name.")] = "",
    alias: Annotated[list[str] | None, typer.Option("--alias", help="One more alias (repeatable).")] = None,
    color: Annotated[str, typer.Option("--color", help="New colour.")] = "",
) -> None:
    """Rename or recolour a party, or give it more aliases."""
    party = (
        context(ctx)
        .store()
        .update_party(party_id, name=sanitise(name), aliases=[sanitise(a) for a in alias or []], color=color)
    )
    typer.echo(f"Updated party {party.id}: aliases {', '.join(party.aliases)}.")


@issues_app.callback(invoke_without_command=True)
def issues_list(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The issues with their scales and keywords."""
    if ctx.invoked_subcommand is None:
        emit(issues_view(context(ctx).store().codebook.issues), fmt)


@issues_app.command("add")
def issues_add(
    ctx: typer.Context,
    issue_id: Annotated[str, typer.Argument(metavar="ID", help="Short lower-case id, e.g. prisoners.")],
    stance: Annotated[
        list[str],
        typer.Option(
            "--stance",
            help="A step of the scale as code or code:label, from Kyiv's pole to Moscow's (repeat, in order).",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    question: Annotated[str, typer.Option("--question", help="The question under negotiation.")] = "",
    keyword: Annotated[
        list[str] | None, typer.Option("--keyword", help="A word that marks a sentence as about it (repeatable).")
    ] = None,
) -> None:
    """Add an issue with its ordered scale of stances."""
    scale = [
        {"code": s.partition(":")[0].strip(), "label": sanitise(s.partition(":")[2]) or s.partition(":")[0].strip()}
        for s in stance
    ]
    issue = Issue.from_json(
        {
            "id": issue_id,
            "name": sanitise(name),
            "question": sanitise(question),
            "keywords": [sanitise(k) for k in keyword or []],
            "scale": scale,
        }
    )
    context(ctx).store().add_issue(issue)
    typer.echo(f"Added issue {issue.id} with {len(issue.scale)} stances.")


@issues_app.command("update")
def issues_update(
    ctx: typer.Context,
    issue_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[str, typer.Option("--name", help="New display name.")] = "",
    question: Annotated[str, typer.Option("--question", help="New question.")] = "",
    keyword: Annotated[list[str] | None, typer.Option("--keyword", help="One more keyword (repeatable).")] = None,
) -> None:
    """Rename an issue, reword its question, or give it more keywords."""
    issue = (
        context(ctx)
        .store()
        .update_issue(
            issue_id, name=sanitise(name), question=sanitise(question), keywords=[sanitise(k) for k in keyword or []]
        )
    )
    typer.echo(f"Updated issue {issue.id}: keywords {', '.join(issue.keywords)}.")


# -- checking, import and export ---------------------------------------------------------


@app.command()
def check(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Validate the store; exits 1 and lists every problem if there are any."""
    from .checks import find_problems  # only this command needs it

    path = context(ctx).path
    problems, summary = find_problems(path)
    emit(problems_view(problems, summary), fmt)
    if problems:
        raise typer.Exit(1)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A .json array of statements (the `show` shape, id optional) or a .csv with the same fields."
        ),
    ],
    file_format: Annotated[
        str | None, typer.Option("--format", help="json or csv (default: by the file's extension).")
    ] = None,
) -> None:
    """Import statements: every row is checked first, then all are written at once."""
    store = context(ctx).store()
    records = transfer.read_records(file, transfer.file_format(file, file_format))
    imported = store.import_statements(records)
    typer.echo(f"Imported {len({s.id for s in imported})} statements ({len(imported)} revisions) into {store.path}.")


@app.command()
def export(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: standard output).")
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="json (default; every revision) or csv (latest revisions).")
    ] = None,
) -> None:
    """Export every statement, as JSON (with revisions, re-importable) or CSV."""
    from .store import write_atomic

    store = context(ctx).store()
    kind = transfer.file_format(output, file_format)
    if output is not None and output.resolve() == store.path.resolve():
        raise InputError(f"--output {output} is the store itself; export to another file")
    payload, count = transfer.export_bytes(store.revisions(), kind)
    if output is None:
        sys.stdout.write(payload.decode())
    else:
        write_atomic(output, payload)
        typer.echo(f"Exported {count} statements to {output}.", err=True)


def _register_extensions() -> None:
    """Commands that live beside their layer (ingest); each imports its heavy parts lazily."""
    from .ingest.commands import register

    register(app)


_register_extensions()


def run() -> None:
    """Console-script entry point."""
    app()
