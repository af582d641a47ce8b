"""A recorded patient merge for page tests: two registrations of one man, merged."""

from __future__ import annotations

from datetime import date

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.services.patient_merges import merge_within
from tests.fakes import ChartBuilder

MERGER = Actor(user_id=42, username="marta", role=Role.HIM_MANAGER)


def merge_example(himdesk: Himdesk) -> dict[str, str]:
    """`merge_id` of a merge of M0000902 into M0000901 (neither is any other test's patient)."""
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        born = date(1950, 2, 3)
        survivor = build.patient("M0000901", "Abara", "Tobenna", born, ssn="123-45-6791")
        duplicate = build.patient("M0000902", "Abara", "Tobi", born, ssn="123-45-6792")
        build.inpatient_stay(duplicate, build.clinician("Barnard", npi="1000000091"), "A902")
        assert survivor.id and duplicate.id
        merge_id = merge_within(
            uow,
            MERGER,
            surviving_id=survivor.id,
            merged_id=duplicate.id,
            source="registration found twice",
        )
        uow.commit()
    return {"merge_id": str(merge_id)}
