"""Authentication (signing, co-signing) and amendment of clinical documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from himdesk.domain.documents import MAX_DOCUMENT_TEXT, DocumentRuleBroken, amend, sign
from himdesk.domain.records import ClinicalDocument, Clinician, DocumentStatus, DocumentType

AUTHORED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGNED_AT = AUTHORED_AT + timedelta(hours=1)
COSIGNED_AT = AUTHORED_AT + timedelta(hours=5)
AMENDED_AT = AUTHORED_AT + timedelta(days=1)

ATTENDING = Clinician(1, "1234567893", "House", "Greg", "MD", "Internal medicine")
OTHER_ATTENDING = Clinician(2, "1245319599", "Cuddy", "Lisa", "MD", "Endocrinology")
RESIDENT = Clinician(3, "1679576722", "Cameron", "Allison", "MD", "Internal medicine", True)
OTHER_RESIDENT = Clinician(4, "1891234567", "Chase", "Robert", "MD", "Surgery", True)


def _draft(author: Clinician = ATTENDING, **changes: object) -> ClinicalDocument:
    document = ClinicalDocument(
        patient_id=10,
        encounter_id=20,
        document_type=DocumentType.PROGRESS_NOTE,
        author_id=author.id,
        authored_at=AUTHORED_AT,
        title="Progress note",
        text="Patient improving. Continue antibiotics.",
        requires_cosignature=author.is_resident,
        id=30,
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def _signed(author: Clinician = ATTENDING) -> ClinicalDocument:
    return sign(_draft(author), author, SIGNED_AT)


def _cosigned_resident_note() -> ClinicalDocument:
    return sign(_signed(RESIDENT), ATTENDING, COSIGNED_AT)


# --- signing ----------------------------------------------------------------------------------


def test_the_author_signing_a_draft_records_who_and_when() -> None:
    signed = _signed(ATTENDING)

    assert signed.status is DocumentStatus.SIGNED
    assert (signed.signed_by_id, signed.signed_at) == (ATTENDING.id, SIGNED_AT)
    assert signed.version == 1


def test_signing_leaves_the_draft_value_unchanged() -> None:
    draft = _draft()
    sign(draft, ATTENDING, SIGNED_AT)
    assert draft.status is DocumentStatus.DRAFT
    assert draft.signed_by_id is None


def test_only_the_author_signs_a_draft() -> None:
    with pytest.raises(DocumentRuleBroken, match="Only the author"):
        sign(_draft(ATTENDING), OTHER_ATTENDING, SIGNED_AT)


def test_a_signed_document_that_needs_no_cosignature_cannot_be_signed_again() -> None:
    with pytest.raises(DocumentRuleBroken, match="already signed"):
        sign(_signed(ATTENDING), OTHER_ATTENDING, COSIGNED_AT)


def test_resident_document_needs_an_attending_cosignature() -> None:
    signed = _signed(RESIDENT)
    assert signed.status is DocumentStatus.SIGNED
    assert signed.requires_cosignature
    assert signed.cosigned_by_id is None

    cosigned = sign(signed, ATTENDING, COSIGNED_AT)

    assert (cosigned.cosigned_by_id, cosigned.cosigned_at) == (ATTENDING.id, COSIGNED_AT)
    assert (cosigned.signed_by_id, cosigned.signed_at) == (RESIDENT.id, SIGNED_AT)


def test_another_resident_may_not_cosign() -> None:
    with pytest.raises(DocumentRuleBroken, match="attending, not a resident"):
        sign(_signed(RESIDENT), OTHER_RESIDENT, COSIGNED_AT)


def test_the_author_cannot_cosign_their_own_document() -> None:
    signed = sign(_draft(ATTENDING, requires_cosignature=True), ATTENDING, SIGNED_AT)
    with pytest.raises(DocumentRuleBroken, match="cannot co-sign their own"):
        sign(signed, ATTENDING, COSIGNED_AT)


def test_a_cosigned_document_cannot_be_cosigned_again() -> None:
    with pytest.raises(DocumentRuleBroken, match="already signed"):
        sign(_cosigned_resident_note(), OTHER_ATTENDING, AMENDED_AT)


# --- amending ---------------------------------------------------------------------------------


def test_amending_a_signed_document_makes_a_new_version() -> None:
    original = _signed(ATTENDING)

    amended = amend(original, ATTENDING, "  Patient improving. Stop antibiotics.  ", AMENDED_AT)

    assert amended.version == original.version + 1
    assert amended.status is DocumentStatus.AMENDED
    assert amended.text == "Patient improving. Stop antibiotics."
    assert (amended.signed_by_id, amended.signed_at) == (ATTENDING.id, AMENDED_AT)
    assert amended.id == original.id
    assert original.text == "Patient improving. Continue antibiotics."
    assert original.version == 1


def test_an_amended_document_can_be_amended_again() -> None:
    once = amend(_signed(), ATTENDING, "Second text.", AMENDED_AT)
    twice = amend(once, ATTENDING, "Third text.", AMENDED_AT + timedelta(hours=1))
    assert (twice.version, twice.text) == (3, "Third text.")


def test_a_draft_is_edited_not_amended() -> None:
    with pytest.raises(DocumentRuleBroken, match="sign it first"):
        amend(_draft(), ATTENDING, "New text.", AMENDED_AT)


def test_only_the_author_amends() -> None:
    with pytest.raises(DocumentRuleBroken, match="Only the author"):
        amend(_signed(ATTENDING), OTHER_ATTENDING, "New text.", AMENDED_AT)


def test_an_empty_amendment_is_refused() -> None:
    with pytest.raises(DocumentRuleBroken, match="empty"):
        amend(_signed(), ATTENDING, " \n\t ", AMENDED_AT)


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    with pytest.raises(DocumentRuleBroken, match="same as the current"):
        amend(_signed(), ATTENDING, "\nPatient improving. Continue antibiotics.\n", AMENDED_AT)


def test_an_oversize_amendment_is_refused() -> None:
    with pytest.raises(DocumentRuleBroken, match="longer than"):
        amend(_signed(), ATTENDING, "x" * (MAX_DOCUMENT_TEXT + 1), AMENDED_AT)


def test_an_amendment_of_exactly_the_maximum_length_is_accepted() -> None:
    amended = amend(_signed(), ATTENDING, "x" * MAX_DOCUMENT_TEXT, AMENDED_AT)
    assert len(amended.text) == MAX_DOCUMENT_TEXT


def test_an_amended_resident_document_needs_a_fresh_attending_cosignature() -> None:
    amended = amend(_cosigned_resident_note(), RESIDENT, "Corrected plan.", AMENDED_AT)

    assert amended.cosigned_by_id is None
    assert amended.cosigned_at is None
    recosigned = sign(amended, ATTENDING, AMENDED_AT + timedelta(hours=2))
    assert recosigned.cosigned_at == AMENDED_AT + timedelta(hours=2)
