"""Clinical indicators with no diagnosis to go with them: a clearly abnormal result (sodium
below 130 with no hyponatremia) or a medication that implies a condition (insulin with no
diabetes) where neither the diagnosis list nor any document of the encounter affirms the
condition. One finding per test (citing the worst value) or per drug group.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from himdesk.domain.citations import cite_medication, cite_result, plain
from himdesk.domain.clinical_indications import DRUG_RULES, RESULT_RULES, ResultRule
from himdesk.domain.clinical_text import ChartText
from himdesk.domain.completeness import Deficiency, DeficiencyKind, EncounterRecord
from himdesk.domain.records import Observation

K = DeficiencyKind
_RULES_BY_TEST = {
    code: [rule for rule in RESULT_RULES if rule.code == code]
    for code in {rule.code for rule in RESULT_RULES}
}


def find_unexplained_results(
    record: EncounterRecord, text: ChartText, due: date
) -> Iterator[Deficiency]:
    tripped: dict[ResultRule, list[Observation]] = defaultdict(list)
    for result in record.observations:
        for rule in _RULES_BY_TEST.get(result.code, ()):
            if rule.trips(result.value, result.unit):
                tripped[rule].append(result)
    for rule, results in tripped.items():
        if _explained(rule.explained_by, record, text):
            continue
        worst = (min if rule.low else max)(results, key=lambda r: r.value)
        way = "below" if rule.low else "at or above"
        count = f"{len(results)} results" if len(results) > 1 else "one result"
        yield Deficiency(
            K.RESULT_WITHOUT_DIAGNOSIS,
            "abnormal_result_explained",
            f"{rule.test} {plain(worst.value)} {worst.unit} on "
            f"{worst.observed_at:%Y-%m-%d %H:%M} ({count} {way} {plain(rule.threshold)}) with "
            f"no {rule.condition} documented.",
            record.encounter.attending_id,
            due,
            subject=f"result {rule.code} {'low' if rule.low else 'high'}",
            evidence=(cite_result(worst),),
        )


def find_unexplained_medications(
    record: EncounterRecord, text: ChartText, due: date
) -> Iterator[Deficiency]:
    lowered = [m.name.lower() for m in record.medications]
    for rule in DRUG_RULES:
        given = [m for m, name in zip(record.medications, lowered, strict=True)
                 if rule.drugs.search(name)]  # fmt: skip
        if not given or _explained(rule.explained_by, record, text):
            continue
        names = ", ".join(dict.fromkeys(m.name for m in given))
        yield Deficiency(
            K.MEDICATION_WITHOUT_DIAGNOSIS,
            "medication_indicated",
            f"{names[:1].upper()}{names[1:]} on the medication list, but no {rule.condition} "
            "is documented.",
            record.encounter.attending_id,
            due,
            subject=f"medication for {rule.condition}"[:60],
            evidence=tuple(cite_medication(m) for m in given),
        )


def _explained(pattern: re.Pattern[str], record: EncounterRecord, text: ChartText) -> bool:
    """On the diagnosis list, or affirmed (not negated, not a relative's) in a document."""
    if any(pattern.search(d.description.lower()) for d in record.diagnoses):
        return True
    return text.affirmed(pattern) is not None
