"""Building an ICD-10-PCS code one character at a time, offering only what the tables allow.

The first three characters pick a table (section, body system, operation). Each later
character is offered only from the rows that allow every character already chosen, so
the builder can never lead to a code the tables do not contain. Labels come from the
tables; definitions (operation, approach, device, body part key ...) from the Definitions
file of the same year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from himdesk.domain.coding.pcs import PcsDefinition, PcsRow, PcsTable, PcsTables

PCS_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O (mistaken for 1 and 0)
CODE_LENGTH = 7
TABLE_LENGTH = 3


class UnreadablePcsCode(ValueError):
    """The text cannot be the start of an ICD-10-PCS code."""


class PcsCombinationNotAllowed(LookupError):
    """Well-formed characters that no table (or no row of the table) allows together."""

    def __init__(self, message: str, valid_prefix: str) -> None:
        super().__init__(message)
        self.valid_prefix = valid_prefix  # the longest start of the code the tables allow


@dataclass(frozen=True, slots=True)
class PcsChoice:
    character: str
    label: str
    code: str  # the characters chosen so far followed by this one
    definition: PcsDefinition | None = None


@dataclass(frozen=True, slots=True)
class PcsChosen:
    position: int
    axis: str  # "Operation", "Approach" ...
    character: str
    label: str
    definition: PcsDefinition | None = None


@dataclass(frozen=True, slots=True)
class PcsStep:
    fiscal_year: int
    code: str  # the characters chosen so far
    chosen: tuple[PcsChosen, ...]
    position: int  # the next position to choose, 8 once the code is complete
    axis: str  # the next axis's title; "" once complete
    choices: tuple[PcsChoice, ...]
    operation_definition: str = ""  # printed with the table, once its three characters are in

    @property
    def complete(self) -> bool:
        return self.position > CODE_LENGTH

    @property
    def description(self) -> str:
        return ", ".join(chosen.label for chosen in self.chosen)


@dataclass(frozen=True, slots=True)
class _Offer:
    axis: str
    labels: Mapping[str, str]  # character -> label


class PcsBuilder:
    """Built once per release: the first three axes of every table, and the definitions."""

    def __init__(self, tables: PcsTables) -> None:
        self._tables = tables
        self._definitions = {
            (d.section, d.position, d.title.casefold()): d for d in tables.definitions
        }
        self._table_offers = _table_offers(tables.tables.values())

    @property
    def fiscal_year(self) -> int:
        return self._tables.fiscal_year

    def step(self, text: str) -> PcsStep:
        code = readable_pcs_start(text)
        for length in range(len(code)):
            offer = self._offer(code[:length])
            if code[length] not in offer.labels:
                raise PcsCombinationNotAllowed(self._refusal(code, length, offer), code[:length])
        chosen = tuple(self._chosen(code, i) for i in range(len(code)))
        table = self._tables.tables.get(code[:TABLE_LENGTH])
        definition = table.operation_definition if table is not None else ""
        if len(code) == CODE_LENGTH:
            return PcsStep(self.fiscal_year, code, chosen, CODE_LENGTH + 1, "", (), definition)
        offer = self._offer(code)
        choices = tuple(
            PcsChoice(c, label, code + c, self._definition(code, len(code) + 1, label))
            for c, label in sorted(offer.labels.items(), key=lambda item: _order(item[0]))
        )
        return PcsStep(self.fiscal_year, code, chosen, len(code) + 1, offer.axis, choices,
                       definition)  # fmt: skip

    def is_valid(self, code: str) -> bool:
        return self._tables.is_valid(code)

    def _offer(self, prefix: str) -> _Offer:
        if len(prefix) < TABLE_LENGTH:
            return self._table_offers.get(prefix, _Offer("", {}))
        table = self._tables.tables[prefix[:TABLE_LENGTH]]
        rows = [row for row in table.rows if _row_allows(row, prefix)]
        axis_index = len(prefix) - TABLE_LENGTH
        labels: dict[str, str] = {}
        for row in rows:
            for value in row.axes[axis_index].values:
                labels.setdefault(value.character, value.label)
        title = rows[0].axes[axis_index].title if rows else ""
        return _Offer(title, labels)

    def _chosen(self, code: str, index: int) -> PcsChosen:
        offer = self._offer(code[:index])
        label = offer.labels[code[index]]
        definition = self._definition(code, index + 1, label)
        return PcsChosen(index + 1, offer.axis, code[index], label, definition)

    def _definition(self, code: str, position: int, label: str) -> PcsDefinition | None:
        section = code[0] if code else ""
        return self._definitions.get((section, position, label.casefold()))

    def _refusal(self, code: str, length: int, offer: _Offer) -> str:
        character = code[length]
        axis = offer.axis.lower() or "value"
        if length == 0:
            return f"No ICD-10-PCS FY{self.fiscal_year} section is '{character}'."
        after = code[:length]
        where = f"table {after[:TABLE_LENGTH]}" if length >= TABLE_LENGTH else "the tables"
        return (
            f"In ICD-10-PCS FY{self.fiscal_year}, {where} allows no {axis} '{character}' "
            f"(character {length + 1}) after {after}; it offers "
            f"{', '.join(sorted(offer.labels, key=_order))}."
        )


def readable_pcs_start(text: str) -> str:
    """The characters as the builder takes them: upper case, at most seven, PCS characters."""
    code = text.strip().upper()
    if len(code) > CODE_LENGTH:
        raise UnreadablePcsCode(f"An ICD-10-PCS code has 7 characters; this has {len(code)}.")
    wrong = [(i + 1, c) for i, c in enumerate(code) if c not in PCS_CHARACTERS]
    if wrong:
        position, character = wrong[0]
        why = " (I and O are never used: they read as 1 and 0)" if character in "IO" else ""
        raise UnreadablePcsCode(
            f"Character {position} of an ICD-10-PCS code cannot be '{character[:1]}'{why}: "
            "use digits 0-9 and letters A-Z."
        )
    return code


def _table_offers(tables: Iterable[PcsTable]) -> dict[str, _Offer]:
    """For each start of fewer than three characters, the next characters the tables have."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for table in tables:
        for length in range(TABLE_LENGTH):
            axis = table.axes[length]
            title, labels = found.setdefault(table.prefix[:length], (axis.title, {}))
            labels.setdefault(table.prefix[length], axis.values[0].label)
    return {prefix: _Offer(title, labels) for prefix, (title, labels) in found.items()}


def _row_allows(row: PcsRow, prefix: str) -> bool:
    return all(
        any(v.character == prefix[TABLE_LENGTH + i] for v in row.axes[i].values)
        for i in range(len(prefix) - TABLE_LENGTH)
    )


def _order(character: str) -> int:
    return PCS_CHARACTERS.index(character) if character in PCS_CHARACTERS else len(PCS_CHARACTERS)
