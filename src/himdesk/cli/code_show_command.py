"""`himdesk code show`: a code as the Tabular List shows it — where it sits, whether it can
be reported, every note that applies to it (and where that note is printed) and its 7th
characters with the full codes they build."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from himdesk.cli.context import build, clean_errors, fail, operator
from himdesk.domain.access import Role
from himdesk.domain.coding.note_links import label_of
from himdesk.domain.coding.tabular_view import (
    NOTE_HEADINGS,
    NOTE_ORDER,
    HierarchyStep,
    TabularView,
    UnknownCode,
    UnreadableCode,
    ViewNote,
)
from himdesk.services.code_reference import CodeSetsNotLoaded
from himdesk.services.code_views import code_view


def show_code(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="ICD-10-CM code or section, dot optional: I21.4, S72001A"),
    year: int = typer.Option(None, "--year", help="Fiscal year of a loaded release (else latest)"),
    as_json: bool = typer.Option(False, "--json", help="Print the view as one JSON document"),
) -> None:
    """Show a code from the ICD-10-CM Tabular List: hierarchy, notes, 7th characters."""
    himdesk = build(ctx)
    with clean_errors():
        try:
            view = code_view(operator(Role.CODER), himdesk.code_reference, code, year)
        except UnknownCode as err:
            fail(_unknown(err))
        except (UnreadableCode, CodeSetsNotLoaded) as err:
            fail(str(err))
    if as_json:
        typer.echo(json.dumps(as_document(view)))
        return
    _print(view)


def as_document(view: TabularView) -> dict[str, Any]:
    seventh = view.seventh
    built = {choice.character: choice.code for choice in seventh.choices} if seventh else {}
    return {
        "code": view.step.label,
        "title": view.step.title,
        "fiscal_year": view.fiscal_year,
        "level": view.step.level.value,
        "billable": view.billable,
        "status": view.billing_status,
        "hierarchy": [_step(step) for step in view.hierarchy[:-1]],
        "children": [
            {**_step(child.step), "billable": child.billable, "needs_seventh": child.needs_seventh}
            for child in view.children
        ],
        "notes": {
            kind.value: [_note(note) for note in view.notes_of(kind)] for kind in NOTE_ORDER
        },
        "seventh": None if seventh is None else {
            "printed_at": seventh.printed_at.label,
            "note": seventh.note,
            "characters": [
                {"character": c, "meaning": meaning, "code": built.get(c)}
                for c, meaning in seventh.characters
            ],
        },
        "builds_on": None if view.builds_on is None else _step(view.builds_on),
        "seventh_character": None if view.seventh_character is None else {
            "character": view.seventh_character.character,
            "meaning": view.seventh_character.meaning,
        },
    }  # fmt: skip


def _unknown(err: UnknownCode) -> str:
    nearest = err.nearest
    if nearest is None or nearest.label in err.why:
        return str(err)
    return f"{err} Nearest existing code: {nearest.label} {nearest.title}."


def _step(step: HierarchyStep) -> dict[str, str]:
    return {"code": step.label, "title": step.title, "level": step.level.value}


def _note(note: ViewNote) -> dict[str, Any]:
    return {
        "text": note.text,
        "printed_at": note.printed_at.label,
        "codes": [label_of(s.target) for s in note.segments if s.target is not None],
    }


def _print(view: TabularView) -> None:
    out = Console(highlight=False, soft_wrap=True)
    for depth, step in enumerate(view.hierarchy[:-1]):
        out.print(f"{'  ' * depth}{escape(step.label)}  {escape(step.title)}", style="dim")
    out.print(f"[bold]{escape(view.step.label)}[/]  {escape(view.step.title)}")
    out.print(f"[{'green' if view.billable else 'yellow'}]{escape(view.billing_status)}[/]")
    if view.builds_on is not None and view.seventh_character is not None:
        chosen = view.seventh_character
        out.print(f"Built on {escape(view.builds_on.label)}; 7th character "
                  f"{chosen.character}: {escape(chosen.meaning)}")  # fmt: skip
    for child in view.children:
        mark = (
            "billable" if child.billable else "7th character" if child.needs_seventh else "header"
        )
        out.print(f"  {escape(child.step.label):<9} {escape(child.step.title)}  [dim]({mark})[/]")
    _print_notes(out, view)
    _print_seventh(out, view)


def _print_notes(out: Console, view: TabularView) -> None:
    for kind in NOTE_ORDER:
        notes = view.notes_of(kind)
        if notes:
            out.print(f"\n[bold]{NOTE_HEADINGS[kind]}[/]")
        for note in notes:
            where = (
                f"  [dim](printed at {escape(note.printed_at.label)})[/]" if note.inherited else ""
            )
            out.print(f"  - {escape(note.text)}{where}")


def _print_seventh(out: Console, view: TabularView) -> None:
    if view.seventh is None:
        return
    out.print(f"\n[bold]7th characters[/] [dim](printed at {view.seventh.printed_at.label})[/]")
    built = {choice.character: choice.code for choice in view.seventh.choices}
    for character, meaning in view.seventh.characters:
        out.print(f"  {character}  {escape(built.get(character, '')):<9} {escape(meaning)}")
