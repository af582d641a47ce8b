"""Putting a note together as a legal document: the header every note carries, then
authorship, signature and, for a resident's note, the attending's co-signature.

The header names the patient, MRN and date of birth as real notes do; chart analysis checks
it against the chart. It ends at the first blank line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from himdesk.domain.records import (
    ClinicalDocument,
    Clinician,
    DocumentStatus,
    DocumentType,
    Patient,
)

HOSPITAL_NAME = "HIMDESK GENERAL HOSPITAL"
_LAST_MINUTE = timedelta(minutes=1)


def header(
    title: str,
    name: str,
    mrn: str,
    birth_on: date,
    account: str,
    at: datetime,
    author: Clinician,
) -> str:
    return (
        f"{HOSPITAL_NAME}\n{title.upper()}\n"
        f"Patient: {name}    MRN: {mrn}    DOB: {birth_on:%m/%d/%Y}\n"
        f"Account: {account}    Date of service: {at:%Y-%m-%d %H:%M} UTC\n"
        f"Author: {author.display_name}, {author.specialty}"
    )


def patient_header(
    title: str, patient: Patient, account: str, at: datetime, author: Clinician
) -> str:
    return header(title, patient.display_name, patient.mrn, patient.birth_on, account, at, author)


def body_of(document: ClinicalDocument) -> str:
    return document.text.split("\n\n", 1)[1]


@dataclass
class NoteWriter:
    """Writes and signs the notes of one chart; nothing is dated at or after `horizon`."""

    rng: random.Random
    patient: Patient
    horizon: datetime

    def write(
        self,
        kind: DocumentType,
        title: str,
        account: str,
        author: Clinician,
        at: datetime,
        body: str,
        cosigner: Clinician | None = None,
    ) -> ClinicalDocument:
        latest = self.horizon - _LAST_MINUTE
        signed_at = max(min(at + timedelta(minutes=self.rng.randint(5, 480)), latest), at)
        document = ClinicalDocument(
            patient_id=0,
            encounter_id=None,
            document_type=kind,
            author_id=author.id,
            authored_at=at,
            title=title,
            text=f"{patient_header(title, self.patient, account, at, author)}\n\n{body}",
            status=DocumentStatus.SIGNED,
            signed_by_id=author.id,
            signed_at=signed_at,
        )
        if author.is_resident:
            document.requires_cosignature = True
            if cosigner is not None:
                later = signed_at + timedelta(minutes=self.rng.randint(30, 1080))
                document.cosigned_by_id = cosigner.id
                document.cosigned_at = max(min(later, latest), signed_at)
        return document
