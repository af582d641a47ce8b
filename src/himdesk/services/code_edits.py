"""Code edits for a claim, against the code sets valid on its discharge date.

The ICD-10-CM and ICD-10-PCS releases are chosen by `claim.discharged_on` (the latest
loaded when there is none). When the release valid on that date is not loaded, the nearest
is used and the edits say so. The Medicare Code Editor runs when one is configured.

`edits_for_claim` checks no permission: its callers do (the coding screen as part of the
encounter it shows). `validate_codes` is the encoder's: code sets only, no patient data, so
it checks the permission to look up codes and records no audit event.
"""

from __future__ import annotations

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.coding.claims import Claim
from himdesk.domain.coding.code_edit import CodeEdit, EditSeverity, ordered
from himdesk.domain.coding.code_set import CodeSetChoice, DiagnosisCodeSet, ProcedureCodeSet
from himdesk.domain.coding.edits import edits_for
from himdesk.services.code_reference import CodeReference, CodeSetsNotLoaded


def validate_codes(actor: Actor, reference: CodeReference, claim: Claim) -> list[CodeEdit]:
    if not is_permitted(actor.role, Action.LOOKUP_CODES):
        raise PermissionDenied(actor, Action.LOOKUP_CODES)
    return edits_for_claim(reference, claim)


def edits_for_claim(reference: CodeReference, claim: Claim) -> list[CodeEdit]:
    diagnoses, diagnosis_choice = _diagnosis_set(reference, claim)
    procedures, procedure_choice = _procedure_set(reference, claim)
    editor = reference.medicare_editor
    medicare = editor.edit(claim) if editor is not None and claim.diagnoses else []
    edits = edits_for(claim, diagnoses, procedures, medicare)
    notes = [c for c in (diagnosis_choice, procedure_choice) if c is not None and not c.exact]
    return ordered([*edits, *(_release_note(choice) for choice in notes)])


def _diagnosis_set(
    reference: CodeReference, claim: Claim
) -> tuple[DiagnosisCodeSet, CodeSetChoice | None]:
    library = reference.library
    if claim.discharged_on is None:
        latest = library.latest_diagnoses
        if latest is None:
            raise CodeSetsNotLoaded("No ICD-10-CM code set is loaded.")
        return latest, None
    chosen = library.diagnosis_set_for(claim.discharged_on)
    if chosen is None:
        raise CodeSetsNotLoaded("No ICD-10-CM code set is loaded.")
    return chosen


def _procedure_set(
    reference: CodeReference, claim: Claim
) -> tuple[ProcedureCodeSet | None, CodeSetChoice | None]:
    library = reference.library
    if claim.discharged_on is None:
        return library.latest_procedures, None
    return library.procedure_set_for(claim.discharged_on) or (None, None)


def _release_note(choice: CodeSetChoice) -> CodeEdit:
    return CodeEdit(
        "", "code_set_release", EditSeverity.WARNING,
        f"{choice.note}. Codes added, deleted or revised in the discharge date's fiscal year "
        "are not checked as of that year.",
        "Load the release valid on the discharge date (`himdesk codesets load DIR`) and "
        "validate again.",
    )  # fmt: skip
