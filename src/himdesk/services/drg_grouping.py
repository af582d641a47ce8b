"""MS-DRG grouping of a claim: bare codes, no patient (the coding screen builds the claim
from the abstract and audits its own read). Nothing is audited here."""

from __future__ import annotations

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.coding.claims import Claim, DrgAssignment
from himdesk.services.code_reference import CodeReference


def group_claim(actor: Actor, reference: CodeReference, claim: Claim) -> DrgAssignment:
    """The DRG of the release in effect on the discharge date, with its drivers and hints.

    Raises ClaimNotGroupable (domain.coding.grouping) naming what is missing or wrong: no
    principal diagnosis, no age, a claim that is not inpatient, an unknown POA indicator or
    discharge status, or codes the release does not know (InvalidClaimCodes lists them).
    """
    if not is_permitted(actor.role, Action.LOOKUP_CODES):
        raise PermissionDenied(actor, Action.LOOKUP_CODES)
    return reference.grouper.group(claim)
