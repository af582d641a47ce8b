"""The README documents every setting and every command (it is the user's manual)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from himdesk.cli.main import app
from himdesk.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [
        f"HIMDESK_{name.upper()}"
        for name in Settings.model_fields
        if f"HIMDESK_{name.upper()}" not in README
    ]
    assert missing == []


def _commands(group: Any, prefix: str = "himdesk") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (Typer may vendor its own click)
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_command_is_documented_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(app))
    assert "himdesk audit verify" in commands
    assert [c for c in commands if c not in README] == []


def test_the_quick_start_is_the_two_make_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert [line.split()[0:2] for line in quick_start.splitlines() if line.startswith("make ")] == [
        ["make", "demo"],
        ["make", "test"],
    ]
