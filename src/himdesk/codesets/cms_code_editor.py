"""The CMS Medicare Code Editor (MCE) through `msdrg`, with each edit pinned to its code.

`msdrg.MceEditor.edit` answers per claim with edit names and counts ("SEX_CONFLICT: 2"),
not with the codes that caused them. Edits about the principal diagnosis belong to it, and
claim-wide ones (an invalid age) to no code. For code-level edits (invalid code, age or sex
conflict, coverage) the claim is probed: the principal alone, then each other code added to
it alone; what a code adds to the principal's edits is that code's. When the probes explain
more than the whole claim shows (a combination clears an edit), each candidate is checked
by leaving it out; what they cannot explain stays an edit of the claim as a whole. An MCE
call takes about 10 microseconds, so the probes cost nothing a coder would notice.

Rules are those of the discharge date, kept within the dates the MCE data covers: ICD-10
from 1 October 2015, and up to the last date it knows, which is also used when the claim
has no discharge date (never the wall clock). From 1 October 2024 CMS no longer edits sex
conflicts; the MCE's sex lists are then read as of 30 September 2024 and reported as
advice (`RETIRED_SEX_CONFLICT`). One native MCE context serves the process, behind a lock.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import msdrg

from himdesk.domain.coding.claims import Claim, ClaimSex, MedicareCodeEditor, MedicareEdit
from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.medicare_edits import EDITOR_UNAVAILABLE, RETIRED_SEX_CONFLICT

log = logging.getLogger(__name__)

FIRST_ICD10_DAY = 20151001
LAST_SEX_EDIT_DAY = 20240930
PRINCIPAL_EDITS = frozenset({
    "E_CODE_AS_PDX", "MANIFESTATION_AS_PDX", "UNACCEPTABLE_PDX", "NONSPECIFIC_PDX",
    "QUESTIONABLE_ADMISSION", "QUESTIONABLE_OBSTETRIC_ADMISSION", "REQUIRES_SDX",
})  # fmt: skip
CLAIM_EDITS = frozenset({"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS"})
DUPLICATE_OF_PDX = "DUPLICATE_OF_PDX"
_SEX = {ClaimSex.MALE: 0, ClaimSex.FEMALE: 1, ClaimSex.UNKNOWN: 2}
_DIAGNOSIS, _PROCEDURE = "diagnosis", "procedure"

Coded = tuple[str, str]  # (normalized code, "diagnosis" | "procedure")


_shared: MsdrgCodeEditor | None = None
_sharing = threading.Lock()


def make_medicare_editor() -> MedicareCodeEditor:
    """The process's one editor (every code reference of the process shares it)."""
    global _shared
    with _sharing:
        if _shared is None:
            _shared = MsdrgCodeEditor(msdrg.MceEditor())
            atexit.register(_shared.close)
        return _shared


class MsdrgCodeEditor:
    def __init__(self, mce: msdrg.MceEditor) -> None:
        self._mce = mce
        self._lock = threading.Lock()
        # The MCE answers with its version: the last discharge date its data covers.
        answer = self.run({"discharge_date": FIRST_ICD10_DAY, "pdx": {"code": "I10"}})
        self.last_day = int(answer["version"])

    def close(self) -> None:
        with self._lock:
            self._mce.close()

    def edit(self, claim: Claim) -> list[MedicareEdit]:
        if not claim.diagnoses:
            return []
        try:
            return self._edits(_ClaimCodes.of(claim), claim)
        except (RuntimeError, ValueError) as err:
            # No patient data in the log: the native library's message names codes.
            log.warning("Medicare Code Editor failed: %s", type(err).__name__)
            return [MedicareEdit(EDITOR_UNAVAILABLE, "", "")]

    def rules_day(self, discharged_on: date | None) -> int:
        if discharged_on is None:
            return self.last_day
        day = int(discharged_on.strftime("%Y%m%d"))
        return min(max(day, FIRST_ICD10_DAY), self.last_day)

    def _edits(self, codes: _ClaimCodes, claim: Claim) -> list[MedicareEdit]:
        day = self.rules_day(claim.discharged_on)
        probe = _Probe(self, codes, claim, day)
        whole = probe.whole()
        found = _positional(whole, codes)
        per_code = {name: n for name, n in whole.items() if _is_per_code(name)}
        found += probe.attributed(per_code)
        if day > LAST_SEX_EDIT_DAY and claim.sex is not ClaimSex.UNKNOWN:
            before = _Probe(self, codes, claim, LAST_SEX_EDIT_DAY)
            if sex := before.whole()["SEX_CONFLICT"]:
                found += [
                    MedicareEdit(RETIRED_SEX_CONFLICT, e.code, e.code_type)
                    for e in before.attributed({"SEX_CONFLICT": sex})
                ]
        return found

    def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            result: dict[str, Any] = dict(self._mce.edit(payload))  # type: ignore[arg-type]
        return result


class _ClaimCodes:
    """A claim's codes as the MCE takes them: normalized, without the dot."""

    def __init__(self, principal: str, secondary: list[str], procedures: list[str]) -> None:
        self.principal, self.secondary, self.procedures = principal, secondary, procedures

    @classmethod
    def of(cls, claim: Claim) -> _ClaimCodes:
        codes = [normalized_code(d.code) for d in claim.diagnoses]
        return cls(codes[0], codes[1:], [normalized_code(p) for p in claim.procedures])

    def occurrences(self, coded: Coded) -> int:
        code, kind = coded
        if kind == _PROCEDURE:
            return self.procedures.count(code)
        return [self.principal, *self.secondary].count(code)


class _Probe:
    """MCE calls for one claim on one rules date, varying only the codes."""

    def __init__(self, editor: MsdrgCodeEditor, codes: _ClaimCodes, claim: Claim, day: int):
        self._editor, self._codes, self._day = editor, codes, day
        self._claim = {"discharge_date": day, "sex": _SEX[claim.sex],
                       "discharge_status": claim.discharge_status}  # fmt: skip
        if claim.age is not None:
            self._claim["age"] = claim.age
        self._whole: Counter[str] | None = None

    def whole(self) -> Counter[str]:
        if self._whole is None:
            self._whole = self.counts(self._codes.secondary, self._codes.procedures)
        return self._whole

    def counts(self, secondary: Sequence[str], procedures: Sequence[str]) -> Counter[str]:
        payload = {**self._claim, "pdx": {"code": self._codes.principal},
                   "sdx": [{"code": c} for c in secondary],
                   "procedures": [{"code": c} for c in procedures]}  # fmt: skip
        result = self._editor.run(payload)
        return Counter({e["name"]: int(e["count"]) for e in result["edits"]})

    def attributed(self, whole: dict[str, int]) -> list[MedicareEdit]:
        if not whole:
            return []
        codes = self._codes
        principal = self.counts([], [])
        blame: dict[str, list[Coded]] = {n: [] for n in whole}
        for name in whole:
            if principal[name]:
                blame[name].append((codes.principal, _DIAGNOSIS))
        candidates = [(c, _DIAGNOSIS) for c in dict.fromkeys(codes.secondary)]
        candidates += [(c, _PROCEDURE) for c in dict.fromkeys(codes.procedures)]
        for coded in candidates:
            added = self._with_only(coded)
            for name in whole:
                if added[name] > principal[name] and coded[0] != codes.principal:
                    blame[name].append(coded)
        return [edit for name, n in whole.items() for edit in self._settled(name, n, blame[name])]

    def _with_only(self, coded: Coded) -> Counter[str]:
        code, kind = coded
        return self.counts([code], []) if kind == _DIAGNOSIS else self.counts([], [code])

    def _settled(self, name: str, whole: int, blamed: list[Coded]) -> list[MedicareEdit]:
        explained = sum(self._codes.occurrences(c) for c in blamed)
        if explained > whole:
            blamed = [c for c in blamed if c[0] == self._codes.principal or self._needed(name, c)]
            explained = sum(self._codes.occurrences(c) for c in blamed)
        edits = [MedicareEdit(name, code, kind) for code, kind in blamed]
        return edits + [MedicareEdit(name, "", "")] * max(whole - explained, 0)

    def _needed(self, name: str, coded: Coded) -> bool:
        """Does leaving this code out of the whole claim lower the edit's count?"""
        codes = self._codes
        secondary = [c for c in codes.secondary if (c, _DIAGNOSIS) != coded]
        procedures = [c for c in codes.procedures if (c, _PROCEDURE) != coded]
        return self.counts(secondary, procedures)[name] < self.whole()[name]


def _is_per_code(name: str) -> bool:
    return name not in PRINCIPAL_EDITS | CLAIM_EDITS | {DUPLICATE_OF_PDX}


def _positional(whole: Counter[str], codes: _ClaimCodes) -> list[MedicareEdit]:
    found = []
    for name in whole:
        if name in PRINCIPAL_EDITS or name == DUPLICATE_OF_PDX:
            found.append(MedicareEdit(name, codes.principal, _DIAGNOSIS))
        elif name in CLAIM_EDITS:
            found.append(MedicareEdit(name, "", ""))
    return found
