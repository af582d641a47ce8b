"""What qualifies an imported part is written into the record like the rest of it: the side of a
diagnosis or procedure, a principal diagnosis, tissue sent to pathology, a document's signer,
co-signature and sensitivity label; a change to any of them is a correction; a held import
keeps them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from himdesk.bootstrap import Himdesk
from himdesk.domain.incoming import IncomingChart, Rejected, SourceRef, Submission
from himdesk.domain.records import ClinicalDocument
from himdesk.domain.sensitivity import SensitiveCategory
from himdesk.services import import_reviews as reviews
from himdesk.storage.submission_codec import decode_submission, encode_submission
from tests.integration.test_import_reviews import HIT, held_import
from tests.integration.test_imports import rows, run
from tests.submissions import ADMITTED, a_chart, a_clinician, a_submission, ref

ATTENDING, RESIDENT = ref("Practitioner", "d1"), ref("Practitioner", "d2")
COSIGNED_AT = ADMITTED + timedelta(days=3, hours=6)
CLINICIANS = (a_clinician("d1"), replace(a_clinician("d2", npi=""), family_name="Ngata"))


def qualified(chart: IncomingChart | None = None) -> IncomingChart:
    """A chart whose diagnosis, procedure and document carry every qualifier."""
    chart = chart or a_chart()
    (diagnosis,), (procedure,) = chart.diagnoses, chart.procedures
    (note,) = chart.documents
    return replace(
        chart,
        diagnoses=(replace(diagnosis, laterality="left", is_principal=True),),
        procedures=(replace(procedure, laterality="right", tissue_removed=True),),
        documents=(
            replace(note, author=RESIDENT, signed_by=RESIDENT, requires_cosignature=True,
                    cosigned_by=ATTENDING, cosigned_at=COSIGNED_AT,
                    sensitivity=SensitiveCategory.BEHAVIORAL_HEALTH),
        ),
    )  # fmt: skip


def submission(chart: IncomingChart, label: str = "qualified.json") -> Submission:
    return a_submission(chart, label=label, clinicians=CLINICIANS)


def _written(himdesk: Himdesk, patient_id: int) -> tuple[ClinicalDocument, dict[str, object]]:
    with himdesk.unit_of_work() as uow:
        record = uow.records.whole_record(patient_id)
    (diagnosis,), (procedure,), (note,) = record.diagnoses, record.procedures, record.documents
    named = {c.id: c.family_name for c in record.clinicians}
    return note, {
        "diagnosis": (diagnosis.laterality, diagnosis.is_principal),
        "procedure": (procedure.laterality, procedure.tissue_removed),
        "signer": (named.get(note.author_id or 0), named.get(note.signed_by_id or 0)),
        "cosigner": named.get(note.cosigned_by_id or 0),
    }


def test_every_qualifier_is_written_into_the_record(himdesk: Himdesk) -> None:
    outcome = run(himdesk, submission(qualified()))
    (patient_id,) = outcome.patient_ids
    note, written = _written(himdesk, patient_id)
    assert written == {"diagnosis": ("left", True), "procedure": ("right", True),
                       "signer": ("Ngata", "Ngata"), "cosigner": "Okonkwo"}  # fmt: skip
    assert (note.requires_cosignature, note.cosigned_at) == (True, COSIGNED_AT)
    assert note.sensitivity is SensitiveCategory.BEHAVIORAL_HEALTH


def test_a_signed_document_naming_no_signer_is_signed_by_its_author(himdesk: Himdesk) -> None:
    outcome = run(himdesk, a_submission())
    note, written = _written(himdesk, outcome.patient_ids[0])
    assert written["signer"] == ("Okonkwo", "Okonkwo") and written["cosigner"] is None
    assert (note.requires_cosignature, note.sensitivity) == (False, None)


def test_a_changed_side_or_label_is_a_correction_with_the_earlier_version_kept(
    himdesk: Himdesk,
) -> None:
    first = qualified()
    run(himdesk, submission(first))
    (diagnosis,), (note,) = first.diagnoses, first.documents
    relabelled = replace(note, sensitivity=SensitiveCategory.SUBSTANCE_USE)
    changed = replace(first, diagnoses=(replace(diagnosis, laterality="right"),),
                      documents=(relabelled,))  # fmt: skip
    outcome = run(himdesk, submission(changed, "corrected.json"))
    assert outcome.counts == {"diagnoses": 1, "documents": 1}
    with himdesk.unit_of_work() as uow:
        (patient_id,) = outcome.patient_ids
        (kept,) = uow.chart.diagnoses(patient_id)
        history = uow.versions.list_for("diagnosis", kept.id or 0)
    assert [v.snapshot["laterality"] for v in history] == ["left", "right"]
    stored, _written_now = _written(himdesk, patient_id)
    assert (stored.sensitivity, stored.version) == (SensitiveCategory.SUBSTANCE_USE, 2)


def test_a_cosigner_imported_before_is_found_by_the_senders_reference(himdesk: Himdesk) -> None:
    run(himdesk, submission(qualified()))
    (note,) = qualified().documents
    another = replace(note, source=ref("DocumentReference", "later"))
    later = replace(qualified(), documents=(another,))
    outcome = run(himdesk, a_submission(later, label="later.json", clinicians=()))
    assert outcome.counts == {"documents": 1}


def test_an_unknown_cosigner_rejects_the_submission_naming_the_document(
    himdesk: Himdesk,
) -> None:
    (note,) = qualified().documents
    stranger = replace(qualified(), documents=(replace(note, cosigned_by=SourceRef("x", "y")),))
    before = rows(himdesk)
    with pytest.raises(Rejected) as rejected:
        run(himdesk, submission(stranger))
    assert "document 1" in rejected.value.where and "co-signer" in rejected.value.where
    assert "clinician x|y" in rejected.value.problem
    assert rows(himdesk) == before


def test_a_side_longer_than_the_record_keeps_is_rejected(himdesk: Himdesk) -> None:
    (diagnosis,) = a_chart().diagnoses
    long_side = replace(a_chart(), diagnoses=(replace(diagnosis, laterality="left-of-mid"),))
    with pytest.raises(Rejected, match="at most 10") as rejected:
        run(himdesk, a_submission(long_side))
    assert rejected.value.where.endswith("laterality")


def test_a_held_submission_keeps_every_qualifier_exactly() -> None:
    held = submission(qualified())
    assert decode_submission(encode_submission(held)) == held


def test_a_held_import_resolved_later_writes_its_qualifiers(himdesk: Himdesk) -> None:
    hold_id, known = held_import(himdesk, submission(qualified()))
    with himdesk.unit_of_work() as uow:
        outcome = reviews.resolve_hold(uow, HIT, hold_id, {0: known})
    assert outcome.patient_ids == (known,)
    note, written = _written(himdesk, known)
    assert written["diagnosis"] == ("left", True) and written["procedure"] == ("right", True)
    assert (note.cosigned_at, note.sensitivity) == (
        COSIGNED_AT, SensitiveCategory.BEHAVIORAL_HEALTH)  # fmt: skip
