"""A VIP or employee marking follows the person through a merge (HL7 A40): the registration
merged away is as closed as the chart its marking moved to."""

from __future__ import annotations

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services import record_exchange
from himdesk.services.access_control import ReasonRequired, request_access, restrict_patient
from himdesk.services.charts import open_chart
from himdesk.services.patient_merges import merge_within, undo_merge
from tests.fakes import ChartBuilder

MANAGER = Actor(user_id=2, username="mia", role=Role.HIM_MANAGER)
CODER = Actor(user_id=3, username="cody", role=Role.CODER)


@pytest.fixture
def merged_vip(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        survivor = build.patient("M0000901", "Abara", "Tobenna")
        duplicate = build.patient("M0000902", "Abara", "Tobi")
        uow.commit()
    assert survivor.id and duplicate.id
    with himdesk.unit_of_work() as uow:
        restrict_patient(uow, MANAGER, duplicate.id, "vip", "Member of the hospital board")
    with himdesk.unit_of_work() as uow:
        merge_id = merge_within(uow, MANAGER, surviving_id=survivor.id, merged_id=duplicate.id,
                                source="A40")  # fmt: skip
        uow.commit()
    return {"survivor": survivor.id, "merged": duplicate.id, "merge": merge_id}


def test_the_registration_merged_away_needs_a_reason_like_the_survivor(
    himdesk: Himdesk, merged_vip: dict[str, int]
) -> None:
    for patient_id in (merged_vip["merged"], merged_vip["survivor"]):
        with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
            open_chart(uow, MANAGER, patient_id)
        with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
            record_exchange.whole_record(uow, MANAGER, patient_id)


def test_the_banner_of_the_registration_merged_away_shows_the_marking(
    himdesk: Himdesk, merged_vip: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        request_access(uow, MANAGER, merged_vip["merged"], "Release requested by the patient")
    with himdesk.unit_of_work() as uow:
        chart = open_chart(uow, MANAGER, merged_vip["merged"])
    assert SensitiveCategory.VIP in chart.banner.restrictions


def test_after_the_merge_is_undone_the_marking_is_the_merged_patients_alone(
    himdesk: Himdesk, merged_vip: dict[str, int]
) -> None:
    with himdesk.unit_of_work() as uow:
        undo_merge(uow, MANAGER, merged_vip["merge"], "Two different people after all")
    with himdesk.unit_of_work() as uow:
        assert open_chart(uow, CODER, merged_vip["survivor"]).banner.restrictions == frozenset()
    with himdesk.unit_of_work() as uow, pytest.raises(ReasonRequired):
        open_chart(uow, MANAGER, merged_vip["merged"])
