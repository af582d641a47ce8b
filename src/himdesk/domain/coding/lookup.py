"""PLACEHOLDER: replaced by the lookup helper."""

from __future__ import annotations

from dataclasses import dataclass

from himdesk.domain.coding.code_set import DiagnosisCodeSet


@dataclass(frozen=True, slots=True)
class LookupHit:
    code: str  # dotted
    title: str
    path: str  # the index path that leads to the code
    score: float


class Encoder:
    @classmethod
    def build(cls, code_set: DiagnosisCodeSet) -> Encoder:
        raise NotImplementedError

    def lookup(self, text: str, limit: int = 10) -> list[LookupHit]:
        raise NotImplementedError
