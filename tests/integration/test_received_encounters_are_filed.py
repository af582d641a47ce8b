"""Encounters received from another organisation are filed as they came, not analysed here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.incoming import SourceFormat, SourceRef
from himdesk.services.completeness import complete_review, reanalyze_encounter
from himdesk.services.errors import Conflict
from himdesk.services.imports import import_submission
from tests.submissions import IMPORTER, a_chart, a_submission

HIT = Actor(user_id=7, username="hana", role=Role.HIT)


def imported_encounter(himdesk: Himdesk, format: SourceFormat) -> int:  # noqa: A002
    chart = a_chart()
    if format is SourceFormat.HL7V2:  # the feed names its visits under its own system
        [stay] = chart.encounters
        chart = replace(chart, encounters=(replace(stay, source=SourceRef("hl7v2:GH", "visit/1")),),
                        documents=(), observations=(), diagnoses=(), procedures=(),
                        medications=())  # fmt: skip
    with himdesk.unit_of_work() as uow:
        outcome = import_submission(uow, IMPORTER, a_submission(chart, format=format))
        [patient_id] = outcome.patient_ids
        [encounter] = uow.chart.encounters(patient_id)
    assert encounter.id is not None
    return encounter.id


def test_a_received_fhir_encounter_is_not_reanalysed_after_a_change(himdesk: Himdesk) -> None:
    encounter_id = imported_encounter(himdesk, SourceFormat.FHIR)
    with himdesk.unit_of_work() as uow:
        assert reanalyze_encounter(uow, "hana", encounter_id) is None
        assert uow.chart_reviews.reviews([encounter_id]) == {}


def test_completing_the_review_of_a_received_encounter_is_refused(himdesk: Himdesk) -> None:
    encounter_id = imported_encounter(himdesk, SourceFormat.CCDA)
    with himdesk.unit_of_work() as uow, pytest.raises(Conflict, match="another organisation"):
        complete_review(uow, HIT, encounter_id)


def test_an_encounter_from_the_hospitals_own_adt_feed_is_analysed(himdesk: Himdesk) -> None:
    encounter_id = imported_encounter(himdesk, SourceFormat.HL7V2)
    with himdesk.unit_of_work() as uow:
        assert reanalyze_encounter(uow, "hana", encounter_id) is not None
