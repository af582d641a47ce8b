"""Layers point one way: domain <- services <- adapters (DESIGN.md section 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "himdesk"
FRAMEWORKS = {"fastapi", "starlette", "jinja2", "sqlalchemy", "alembic", "typer", "uvicorn", "rich"}
ADAPTERS = {
    "himdesk.web",
    "himdesk.storage",
    "himdesk.cli",
    "himdesk.interop",
    "himdesk.codesets",
    "himdesk.bootstrap",
    "himdesk.config",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(layer: str, forbidden_ours: set[str]) -> list[str]:
    found = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            ours = any(name == a or name.startswith(a + ".") for a in forbidden_ours)
            if top in FRAMEWORKS or ours:
                found.append(f"{path.relative_to(SRC)} imports {name}")
    return found


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("domain", ADAPTERS | {"himdesk.services", "himdesk.demo"}),
        ("services", ADAPTERS),
        ("demo", ADAPTERS | {"himdesk.services"}),
    ],
)
def test_inner_layers_import_no_framework_and_no_adapter(layer: str, forbidden: set[str]) -> None:
    assert _violations(layer, forbidden) == []


def test_the_check_would_catch_a_framework_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nimport himdesk.web.app\n")
    assert _imports(bad) == {"sqlalchemy", "himdesk.web.app"}


def test_no_module_is_named_utils_helpers_or_manager() -> None:
    names = {p.stem for p in SRC.rglob("*.py")}
    assert not names & {"utils", "helpers", "misc", "common"}
    assert not [
        p for p in SRC.rglob("*.py") if "class " in p.read_text() and "Manager(" in p.read_text()
    ]
