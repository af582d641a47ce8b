"""Is each code on a claim a code of the release, complete enough to bill?

ICD-10-CM: a code the tabular has, not a category or subcategory with codes beneath it
(Official Guidelines I.B.2), with the 7th character its rule requires in the 7th position,
placeholder X filling any gap (I.A.5). ICD-10-PCS: some row of its table allows each of its
characters 4-7; the edit names the first character no row allows.
"""

from __future__ import annotations

import re

from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity
from himdesk.domain.coding.codes import dotted, looks_like_cm_code, normalized_code
from himdesk.domain.coding.pcs import PcsAxis, PcsRow, PcsTable, PcsTables
from himdesk.domain.coding.tabular import SeventhCharacterRule, Tabular, TabularNode

SHOWN_CHOICES = 6
PLACEHOLDER = "X"
_PCS_SHAPE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_PCS_AXES = ("Section", "Body System", "Operation")


def diagnosis_validity(code: str, tabular: Tabular, release: str) -> CodeEdit | None:
    """At most one edit: the first reason the code cannot be billed as written."""
    code = normalized_code(code)
    if not looks_like_cm_code(code):
        return CodeEdit(
            code, "invalid_code", EditSeverity.ERROR,
            f"{code or 'An empty code'} is not an ICD-10-CM code.",
            "Write the code as a letter, a digit, a third character and up to four more "
            "(e.g. I21.4, S72.001A).",
        )  # fmt: skip
    node = tabular.nodes.get(code)
    if node is not None:
        if node.children:
            return _header(node, tabular)
        rule = tabular.seventh_rule(code)
        return _seventh_missing(node, rule) if rule is not None else None
    if tabular.resolve_billable(code) is not None:
        return None
    return _seventh_problem(code, tabular) or _unknown(code, tabular, release)


def padded_stem(code: str) -> str:
    """'S020' -> 'S020XX': the six characters a 7th character follows (Guideline I.A.5)."""
    return code.ljust(6, PLACEHOLDER)


def full_code(code: str, character: str) -> str:
    return padded_stem(code) + character


def stem_of(code: str) -> str:
    """'S020XXA' -> 'S020': the code a 7-character code rests on."""
    return code[:6].rstrip(PLACEHOLDER)


def billable_beneath(tabular: Tabular, key: str) -> list[str]:
    """The codes without children under a node, in tabular order."""
    found: list[str] = []
    pending = [key]
    while pending:
        node = tabular.nodes.get(pending.pop())
        if node is None:
            continue
        if not node.children:
            found.append(node.key)
        pending.extend(reversed(node.children))
    return found


def _header(node: TabularNode, tabular: Tabular) -> CodeEdit:
    shown = dotted(node.key)
    choices = billable_beneath(tabular, node.key)
    listed = ", ".join(dotted(c) for c in choices[:SHOWN_CHOICES])
    more = ", ..." if len(choices) > SHOWN_CHOICES else ""
    seventh = " (each with its 7th character)" if tabular.seventh_rule(choices[0]) else ""
    return CodeEdit(
        shown, "header_code", EditSeverity.ERROR,
        f"{shown} ({node.title}) is a {node.level.value}, not a billable code: choose one "
        f"of {listed}{more} ({len(choices)} codes){seventh}.",
        f"Report the most specific code beneath {shown} that the documentation supports.",
    )  # fmt: skip


def _seventh_missing(node: TabularNode, rule: SeventhCharacterRule) -> CodeEdit:
    shown = dotted(node.key)
    meanings = "; ".join(f"{c} {meaning}" for c, meaning in rule.characters)
    built = ", ".join(dotted(full_code(node.key, c)) for c, _ in rule.characters)
    return CodeEdit(
        shown, "seventh_character_missing", EditSeverity.ERROR,
        f"{shown} ({node.title}) requires a 7th character: {meanings}.",
        f"Add the 7th character that fits the encounter, with placeholder X where needed: "
        f"{built}.",
    )  # fmt: skip


def _seventh_problem(code: str, tabular: Tabular) -> CodeEdit | None:
    """A code that rests on a real code but has its 7th character wrong or misplaced."""
    if len(code) == 7:
        stem = stem_of(code)
        node, rule = tabular.nodes.get(stem), tabular.seventh_rule(stem)
        if node is None or node.children:
            return None
        if rule is None:
            return CodeEdit(
                dotted(code), "invalid_code", EditSeverity.ERROR,
                f"{dotted(code)} is not a code: {dotted(stem)} ({node.title}) takes no 7th "
                "character.",
                f"Report {dotted(stem)} without a 7th character.",
            )  # fmt: skip
        if code[len(stem) : 6] != PLACEHOLDER * (6 - len(stem)):
            return _placeholder(code, stem, code[6], rule)
        return _seventh_invalid(code, node, rule)
    stem = code[:-1].rstrip(PLACEHOLDER)
    node, rule = tabular.nodes.get(stem), tabular.seventh_rule(stem)
    if node is None or node.children or rule is None or code[-1] not in dict(rule.characters):
        return None
    return _placeholder(code, stem, code[-1], rule)


def _placeholder(code: str, stem: str, character: str, rule: SeventhCharacterRule) -> CodeEdit:
    built = dotted(full_code(stem, character))
    return CodeEdit(
        dotted(code), "placeholder_missing", EditSeverity.ERROR,
        f"{dotted(code)}: the 7th character {character} ({dict(rule.characters)[character]}) "
        f"must be in the 7th position, after placeholder X: {dotted(padded_stem(stem))}.",
        f"Report {built}.",
    )  # fmt: skip


def _seventh_invalid(code: str, node: TabularNode, rule: SeventhCharacterRule) -> CodeEdit:
    allowed = "; ".join(f"{c} {meaning}" for c, meaning in rule.characters)
    return CodeEdit(
        dotted(code), "seventh_character_invalid", EditSeverity.ERROR,
        f"{dotted(code)}: 7th character {code[6]} is not defined for {dotted(node.key)} "
        f"({node.title}); it takes {allowed}.",
        f"Replace the 7th character: e.g. {dotted(full_code(node.key, rule.characters[0][0]))}.",
    )  # fmt: skip


def _unknown(code: str, tabular: Tabular, release: str) -> CodeEdit:
    shown = dotted(code)
    nearest = next(
        (tabular.nodes[code[:k]] for k in range(len(code) - 1, 2, -1) if code[:k] in tabular.nodes),
        None,
    )
    message = f"{shown} is not a code in {release}."
    if nearest is None:
        return CodeEdit(shown, "invalid_code", EditSeverity.ERROR,
                        f"{message} Its category {code[:3]} does not exist either.",
                        "Look the condition up in the Alphabetic Index and verify it in the "
                        "Tabular List.")  # fmt: skip
    near = dotted(nearest.key)
    if not nearest.children:
        return CodeEdit(shown, "invalid_code", EditSeverity.ERROR,
                        f"{message} The nearest code is {near} ({nearest.title}).",
                        f"Report {_as_billed(code, nearest, tabular)} if it describes the "
                        "condition.")  # fmt: skip
    choices = billable_beneath(tabular, nearest.key)
    listed = ", ".join(dotted(c) for c in choices[:SHOWN_CHOICES])
    more = ", ..." if len(choices) > SHOWN_CHOICES else ""
    return CodeEdit(
        shown, "invalid_code", EditSeverity.ERROR,
        f"{message} Its nearest parent is {near} ({nearest.title}), with {len(choices)} "
        f"codes beneath: {listed}{more}.",
        f"Choose the code beneath {near} that the documentation supports.",
    )  # fmt: skip


def _as_billed(code: str, node: TabularNode, tabular: Tabular) -> str:
    """The nearest code as it would be reported: with the 7th character the text had, when
    its rule defines it, or a note that one is needed."""
    rule = tabular.seventh_rule(node.key)
    if rule is None:
        return dotted(node.key)
    if len(code) == 7 and code[6] in dict(rule.characters):
        return dotted(full_code(node.key, code[6]))
    return f"{dotted(node.key)} with its 7th character"


def procedure_validity(code: str, tables: PcsTables) -> CodeEdit | None:
    code = normalized_code(code)
    if not _PCS_SHAPE.match(code):
        return CodeEdit(
            code, "invalid_code", EditSeverity.ERROR,
            f"{code or 'An empty code'} is not an ICD-10-PCS code.",
            "An ICD-10-PCS code has seven characters: digits and letters other than I and O.",
        )  # fmt: skip
    table = tables.tables.get(code[:3])
    if table is None:
        return _no_table(code, tables)
    if table.allows(code):
        return None
    return _no_row(code, table)


def _no_table(code: str, tables: PcsTables) -> CodeEdit:
    position = 1
    while position < 3 and any(prefix.startswith(code[:position]) for prefix in tables.tables):
        position += 1
    above = next((t for p, t in tables.tables.items() if p.startswith(code[: position - 1])), None)
    where = f" in {_table_path(above, position - 1)}" if above is not None and position > 1 else ""
    return CodeEdit(
        code, "invalid_code", EditSeverity.ERROR,
        f"{code} is not a valid ICD-10-PCS code: character {position} "
        f"({_PCS_AXES[position - 1]}) '{code[position - 1]}' does not exist{where}.",
        "Build the code from the ICD-10-PCS tables, choosing each character from the values "
        "they offer.",
    )  # fmt: skip


def _no_row(code: str, table: PcsTable) -> CodeEdit:
    best_row, matched = max(((row, _matched(row, code)) for row in table.rows),
                            key=lambda pair: pair[1])  # fmt: skip
    axis = best_row.axes[matched]
    allowed = "; ".join(f"{v.character} {v.label}" for v in axis.values)
    after = f" after {code[: axis.position - 1]}" if axis.position > 4 else ""
    return CodeEdit(
        code, "invalid_code", EditSeverity.ERROR,
        f"{code} is not a valid ICD-10-PCS code: in table {table.prefix} "
        f"({_table_path(table, 3)}), character {axis.position} ({axis.title}) "
        f"'{code[axis.position - 1]}' is not allowed{after}.",
        f"Choose character {axis.position} from: {allowed}.",
    )  # fmt: skip


def _matched(row: PcsRow, code: str) -> int:
    """How many of characters 4-7 the row allows before the first it does not."""
    count = 0
    for axis in row.axes:
        if not _allows(axis, code[axis.position - 1]):
            break
        count += 1
    return min(count, 3)


def _allows(axis: PcsAxis, character: str) -> bool:
    return any(value.character == character for value in axis.values)


def _table_path(table: PcsTable, upto: int) -> str:
    return ", ".join(axis.values[0].label for axis in table.axes[:upto] if axis.values)
