"""One discharged encounter's completeness analysis, as the HIT reviews it.

The page shows every deficiency tracked for the encounter with the evidence it rests on.
Evidence quoted from a labelled (sensitive) document is withheld here: the document is
named by its category and opens, with a stated reason, from the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from himdesk.domain.access import Action, Actor
from himdesk.domain.chart_review import ChartReview, ChartStatus, TrackedDeficiency
from himdesk.domain.completeness import Evidence, EvidenceSource
from himdesk.domain.delinquency import AgeBand, band_of
from himdesk.domain.import_records import PartKind
from himdesk.domain.record_sources import analysed_here, received_label
from himdesk.domain.records import Clinician, Encounter
from himdesk.services import audit
from himdesk.services.access_control import check_access, flag_chart_access
from himdesk.services.charts import Banner, banner_of, get_patient
from himdesk.services.errors import NotFound
from himdesk.services.ports import DocumentHeader, UnitOfWork


@dataclass(frozen=True)
class EvidenceShown:
    source: EvidenceSource
    quote: str  # "" when withheld
    document_id: int | None  # set when the evidence is a document of this chart
    document_title: str = ""
    withheld: bool = False


@dataclass(frozen=True)
class DeficiencyLine:
    tracked: TrackedDeficiency
    assignee: str
    document_title: str  # the document the deficiency is about, "" when none
    evidence: Sequence[EvidenceShown]

    def is_delinquent(self, today: date) -> bool:
        return self.tracked.is_delinquent(today)


@dataclass(frozen=True)
class EncounterAnalysis:
    banner: Banner
    encounter: Encounter
    attending: str
    review: ChartReview | None
    open: Sequence[DeficiencyLine]
    cleared: Sequence[DeficiencyLine]
    today: date
    # An encounter received from another organisation is filed, not analysed here.
    received_from: str = ""
    analysed_here: bool = True

    @property
    def status(self) -> ChartStatus:
        return self.review.status if self.review else ChartStatus.AWAITING_ANALYSIS

    @property
    def days_since_discharge(self) -> int:
        assert self.encounter.discharged_at is not None  # noqa: S101 - only discharged ones
        return (self.today - self.encounter.discharged_at.date()).days

    @property
    def age_band(self) -> AgeBand:
        return band_of(self.days_since_discharge)


def encounter_analysis(uow: UnitOfWork, actor: Actor, encounter_id: int) -> EncounterAnalysis:
    """The encounter's deficiencies, open and cleared, with their evidence (an audited read)."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    return _analysis(uow, actor, _discharged(uow, encounter_id))


def analysis_of_deficiency(uow: UnitOfWork, actor: Actor, deficiency_id: int) -> EncounterAnalysis:
    """The analysis of the encounter a deficiency belongs to (to show a form's error)."""
    audit.require(uow, actor, Action.ANALYZE_CHARTS)
    tracked = uow.chart_reviews.find(deficiency_id)
    if tracked is None:
        raise NotFound("deficiency", deficiency_id)
    return _analysis(uow, actor, _discharged(uow, tracked.encounter_id))


def _discharged(uow: UnitOfWork, encounter_id: int) -> Encounter:
    encounter = uow.chart.encounter(encounter_id)
    if encounter is None or encounter.discharged_at is None:
        raise NotFound("discharged encounter", encounter_id)
    return encounter


def _analysis(uow: UnitOfWork, actor: Actor, encounter: Encounter) -> EncounterAnalysis:
    assert encounter.id is not None  # noqa: S101 - stored encounters have ids
    patient = get_patient(uow, encounter.patient_id)
    check_access(uow, actor, encounter.patient_id)
    history = uow.chart_reviews.history(encounter.id)
    documents = {h.id: h for h in uow.chart.document_headers(encounter.patient_id)}
    people = {t.deficiency.assignee_id for t in history} | {encounter.attending_id}
    names = uow.clinicians.get_many({i for i in people if i})
    lines = [_line(t, names, documents) for t in history]
    senders = uow.chart.senders_of(PartKind.ENCOUNTER, encounter.id)
    analysis = EncounterAnalysis(
        banner=banner_of(uow, patient),
        encounter=encounter,
        attending=_name(names, encounter.attending_id),
        review=uow.chart_reviews.reviews([encounter.id]).get(encounter.id),
        open=[line for line in lines if line.tracked.is_open],
        cleared=[line for line in lines if not line.tracked.is_open],
        today=uow.clock().date(),
        received_from=received_label(senders),
        analysed_here=analysed_here(senders),
    )
    event = audit.record(uow, actor, "chart.analysis.read", patient_id=encounter.patient_id,
                         object_type="encounter", object_id=encounter.id)  # fmt: skip
    flag_chart_access(uow, actor, patient, event)
    uow.commit()
    return analysis


def _name(names: dict[int, Clinician], clinician_id: int | None) -> str:
    return names[clinician_id].display_name if clinician_id in names else ""


def _line(
    tracked: TrackedDeficiency, names: dict[int, Clinician], documents: dict[int, DocumentHeader]
) -> DeficiencyLine:
    d = tracked.deficiency
    header = documents.get(d.document_id) if d.document_id else None
    return DeficiencyLine(
        # The evidence travels only as shown below: withheld quotes never reach the page.
        tracked=replace(tracked, deficiency=replace(d, evidence=())),
        assignee=_name(names, d.assignee_id),
        document_title=_title(header) if header else "",
        evidence=[_shown(e, documents) for e in d.evidence],
    )


def _title(header: DocumentHeader) -> str:
    if header.sensitivity is not None:
        return f"Restricted document ({header.sensitivity.label})"
    return header.title


def _shown(evidence: Evidence, documents: dict[int, DocumentHeader]) -> EvidenceShown:
    if evidence.source is not EvidenceSource.DOCUMENT:
        return EvidenceShown(evidence.source, evidence.quote, None)
    header = documents.get(evidence.source_id or 0)
    if header is None:  # not a document of this chart: say nothing of what it holds
        return EvidenceShown(evidence.source, "", None, f"Document {evidence.source_id}", True)
    withheld = header.sensitivity is not None
    quote = "" if withheld else evidence.quote
    return EvidenceShown(evidence.source, quote, header.id, _title(header), withheld)
