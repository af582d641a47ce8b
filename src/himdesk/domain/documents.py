"""Authentication and amendment of clinical documents (legal-record rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from himdesk.domain.records import ClinicalDocument, Clinician, DocumentStatus

MAX_DOCUMENT_TEXT = 200_000


class DocumentRuleBroken(ValueError):
    pass


def sign(document: ClinicalDocument, signer: Clinician, at: datetime) -> ClinicalDocument:
    """The author signs; a resident's document then needs an attending's co-signature."""
    if document.status is DocumentStatus.DRAFT:
        if signer.id != document.author_id:
            raise DocumentRuleBroken("Only the author can sign this document.")
        return replace(document, status=DocumentStatus.SIGNED, signed_by_id=signer.id, signed_at=at)
    if document.requires_cosignature and document.cosigned_by_id is None:
        if signer.is_resident:
            raise DocumentRuleBroken("A co-signature must come from an attending, not a resident.")
        if signer.id == document.author_id:
            raise DocumentRuleBroken("The author cannot co-sign their own document.")
        return replace(document, cosigned_by_id=signer.id, cosigned_at=at)
    raise DocumentRuleBroken("This document is already signed.")


def amend(
    document: ClinicalDocument, author: Clinician, text: str, at: datetime
) -> ClinicalDocument:
    """A signed document is never edited in place: the amended text becomes a new version.

    An earlier co-signature attested to the earlier text only, so it is not carried over: a
    document that requires co-signature waits for the attending again.
    """
    if document.status is DocumentStatus.DRAFT:
        raise DocumentRuleBroken("A draft is edited, not amended; sign it first.")
    if author.id != document.author_id:
        raise DocumentRuleBroken("Only the author can amend this document.")
    text = text.strip()
    if not text:
        raise DocumentRuleBroken("The amended text is empty.")
    if len(text) > MAX_DOCUMENT_TEXT:
        raise DocumentRuleBroken(f"The text is longer than {MAX_DOCUMENT_TEXT} characters.")
    if text == document.text.strip():
        raise DocumentRuleBroken("The amended text is the same as the current text.")
    return replace(
        document,
        text=text,
        status=DocumentStatus.AMENDED,
        signed_by_id=author.id,
        signed_at=at,
        cosigned_by_id=None,
        cosigned_at=None,
        version=document.version + 1,
    )
