"""The encoder as a use case: a term or code in, ranked ICD-10-CM codes out.

A lookup reads code sets only, never patient data, so it checks the permission to look up
codes and records no audit event. The encoder of each release is built on first use and
kept by the `CodeReference`.
"""

from __future__ import annotations

from himdesk.domain.access import Action, Actor, PermissionDenied, is_permitted
from himdesk.domain.coding.lookup import MAX_QUERY_LENGTH, LookupHit
from himdesk.services.code_reference import CodeReference

MAX_LIMIT = 100


class InvalidLookup(ValueError):
    """The lookup text or limit cannot be searched; the message says why."""


def lookup_codes(
    actor: Actor,
    reference: CodeReference,
    text: str,
    limit: int = 10,
    fiscal_year: int | None = None,
) -> list[LookupHit]:
    """Codes for `text` ("heart attack", "NSTEMI", "I21.4"), best first, against the
    ICD-10-CM release of `fiscal_year` (the latest loaded when None).

    Raises PermissionDenied without LOOKUP_CODES, InvalidLookup for empty or overlong text
    or a limit outside 1..100, CodeSetsNotLoaded when no such release is loaded.
    """
    require_lookup(actor)
    check_lookup(text, limit)
    return reference.encoder(fiscal_year).lookup(text.strip(), limit)


def require_lookup(actor: Actor) -> None:
    """Raises PermissionDenied unless the actor's role may look up codes."""
    if not is_permitted(actor.role, Action.LOOKUP_CODES):
        raise PermissionDenied(actor, Action.LOOKUP_CODES)


def check_lookup(text: str, limit: int = 10) -> None:
    """Raises InvalidLookup naming what is wrong with a lookup's text or limit."""
    term = text.strip()
    if not term:
        raise InvalidLookup("Type a diagnosis, a term or a code to look up.")
    if len(term) > MAX_QUERY_LENGTH:
        raise InvalidLookup(
            f"A lookup is at most {MAX_QUERY_LENGTH} characters; this one has {len(term)}."
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidLookup(f"The limit must be between 1 and {MAX_LIMIT}, not {limit}.")
