"""The tabular as stored: one list per node, children and notes included."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from himdesk.domain.coding.tabular import (
    NoteKind,
    SeventhCharacterRule,
    Tabular,
    TabularLevel,
    TabularNode,
)

_LEVELS = {level.value: level for level in TabularLevel}
_KINDS = {kind.value: kind for kind in NoteKind}
_NO_NOTES: MappingProxyType[NoteKind, tuple[str, ...]] = MappingProxyType({})


def encode_tabular(tabular: Tabular) -> dict[str, Any]:
    return {
        "fiscal_year": tabular.fiscal_year,
        "nodes": [
            [
                node.key, node.level.value, node.title, node.parent, node.children,
                [[kind.value, list(texts)] for kind, texts in node.notes.items()] or 0,
                _encode_seventh(node.seventh),
            ]
            for node in tabular.nodes.values()
        ],
    }  # fmt: skip


def _encode_seventh(rule: SeventhCharacterRule | None) -> list[Any] | None:
    if rule is None:
        return None
    return [rule.defined_at, rule.note, [list(pair) for pair in rule.characters]]


def decode_tabular(stored: dict[str, Any]) -> Tabular:
    nodes: dict[str, TabularNode] = {}
    levels, kinds = _LEVELS, _KINDS
    for key, level, title, parent, children, notes, seventh in stored["nodes"]:
        nodes[key] = TabularNode(
            key,
            levels[level],
            title,
            parent,
            tuple(children),
            MappingProxyType({kinds[k]: tuple(t) for k, t in notes}) if notes else _NO_NOTES,
            None if seventh is None else _decode_seventh(seventh),
        )
    return Tabular(stored["fiscal_year"], nodes)


def _decode_seventh(stored: list[Any]) -> SeventhCharacterRule:
    defined_at, note, characters = stored
    return SeventhCharacterRule(defined_at, note, tuple((c, m) for c, m in characters))
