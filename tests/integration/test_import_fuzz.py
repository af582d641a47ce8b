"""Any submission is imported whole, held, or rejected — never half-written, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from himdesk.bootstrap import Himdesk
from himdesk.domain.incoming import (
    IdentifierKind,
    IncomingAllergy,
    IncomingChart,
    IncomingClinician,
    IncomingDocument,
    IncomingEncounter,
    IncomingObservation,
    IncomingPatient,
    PatientIdentifier,
    Rejected,
    SourceFormat,
    SourceRef,
    Submission,
)
from himdesk.domain.records import (
    AdministrativeSex,
    DocumentStatus,
    DocumentType,
    EncounterClass,
    EncounterStatus,
)
from himdesk.services.imports import import_submission
from tests.integration.test_imports import rows
from tests.submissions import IMPORTER

clean = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
short = st.text(clean, max_size=12)
texts = st.one_of(short, short, st.text(clean, min_size=195, max_size=230))  # display text
# hypothesis wants naive bounds and adds the zone itself
times = st.datetimes(datetime(1990, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))  # noqa: DTZ001
refs = {
    kind: st.builds(SourceRef, st.just("urn:fhir"), st.sampled_from([f"{kind}/{n}" for n in "abc"]))
    for kind in ("Patient", "Encounter", "Practitioner", "Observation", "Doc", "Allergy")
}
maybe = st.none() | st.none() | refs["Encounter"]
finite = st.decimals(-999, 999, places=3)
values = st.one_of(
    finite,
    finite,
    finite,
    finite,
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("1e12")]),
)

patients = st.builds(
    IncomingPatient,
    refs["Patient"],
    st.sampled_from(["Ng", "Nguyen", "Ngu"]),
    st.sampled_from(["An", "Anh"]),
    st.dates(),
    st.sampled_from(list(AdministrativeSex)),
    identifiers=st.lists(
        st.builds(
            PatientIdentifier,
            st.sampled_from(list(IdentifierKind)),
            st.sampled_from(["A", "B"]),
            st.sampled_from(["1", "2", "x"]),
        ),
        max_size=2,
    ).map(tuple),
)
charts = st.builds(
    IncomingChart,
    patients | refs["Patient"],
    encounters=st.lists(
        st.builds(
            IncomingEncounter,
            refs["Encounter"],
            st.sampled_from(list(EncounterClass)),
            times,
            st.sampled_from(list(EncounterStatus)),
            account_number=st.text(clean, max_size=25),
            attending=st.none() | refs["Practitioner"],
        ),
        max_size=2,
    ).map(tuple),
    documents=st.lists(
        st.builds(
            IncomingDocument,
            refs["Doc"],
            st.sampled_from(list(DocumentType)),
            times,
            texts,
            texts | st.just("NUL\x00"),
            encounter=maybe,
            status=st.sampled_from(list(DocumentStatus)),
        ),
        max_size=2,
    ).map(tuple),
    observations=st.lists(
        st.builds(
            IncomingObservation,
            refs["Observation"],
            short,
            texts,
            values,
            short,
            times,
            encounter=maybe,
        ),
        max_size=3,
    ).map(tuple),
    allergies=st.lists(
        st.builds(IncomingAllergy, refs["Allergy"], texts, st.dates()), max_size=1
    ).map(tuple),
    updates_demographics=st.booleans(),
)
submissions = st.builds(
    Submission,
    st.sampled_from(list(SourceFormat)),
    st.just("fuzz"),
    st.text("0123456789abcdef", min_size=8, max_size=8),
    charts=st.lists(charts, max_size=2).map(tuple),
    clinicians=st.lists(
        st.builds(
            IncomingClinician,
            refs["Practitioner"],
            short,
            short,
            npi=st.sampled_from(["", "1234567893", "x" * 11]),
        ),
        max_size=2,
    ).map(tuple),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(submission=submissions)
def test_any_submission_is_kept_whole_or_rejected_without_a_trace(
    himdesk: Himdesk, submission: Submission
) -> None:
    before = rows(himdesk)
    try:
        with himdesk.unit_of_work() as uow:
            outcome = import_submission(uow, IMPORTER, submission)
    except Rejected as rejected:
        event("rejected")
        assert rejected.where or rejected.problem
        assert rows(himdesk) == before
        return
    event(outcome.status)
    if outcome.status != "held":
        settled = rows(himdesk)
        with himdesk.unit_of_work() as uow:
            again = import_submission(uow, IMPORTER, submission)
        assert again.status == "unchanged" and rows(himdesk) == settled
