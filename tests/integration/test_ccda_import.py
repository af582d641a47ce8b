"""Real C-CDA documents imported through the import service, on every backend.

The representative set: every SMART vendor folder with its EMERGE patients, and HL7's approved
example documents. Each document is imported whole, held for review, or rejected with a reason;
importing them again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from himdesk.bootstrap import Himdesk
from himdesk.domain.incoming import Rejected
from himdesk.domain.records import DocumentType
from himdesk.interop.ccda.reader import read_ccda
from himdesk.services.imports import ImportOutcome, import_submission
from himdesk.storage import tables as t
from tests.submissions import IMPORTER

LOGS = {"audit_events", "audit_checkpoints", "import_receipts"}


def representative(shared_data: Path) -> list[Path]:
    ccda = shared_data / "ccda"
    vendors = [
        p
        for p in sorted((ccda / "smart_sample_ccdas").rglob("*"))
        if p.is_file() and p.suffix.lower() != ".md" and not p.name.lower().startswith("readme")
    ]
    examples = sorted(
        p for p in (ccda / "hl7_ccda_examples" / "Documents").rglob("*") if p.is_file()
    )
    return [p for p in vendors + examples if p.suffix.lower() != ".md"]


def rows(himdesk: Himdesk) -> dict[str, int]:
    with himdesk.engine.connect() as c:
        return {
            table.name: int(c.execute(select(func.count()).select_from(table)).scalar_one())
            for table in t.metadata.sorted_tables
            if table.name not in LOGS
        }


def submit(himdesk: Himdesk, content: bytes, label: str) -> ImportOutcome | Rejected:
    [read] = list(read_ccda(content, label))
    if isinstance(read, Rejected):
        return read
    try:
        with himdesk.unit_of_work() as uow:
            return import_submission(uow, IMPORTER, read)
    except Rejected as rejected:
        return rejected


def status(outcome: ImportOutcome | Rejected) -> str:
    return "rejected" if isinstance(outcome, Rejected) else outcome.status


def test_real_documents_import_whole_or_with_a_reason_and_again_change_nothing(
    himdesk: Himdesk, shared_data: Path
) -> None:
    files = representative(shared_data)
    imported = {p: submit(himdesk, p.read_bytes(), p.name) for p in files}
    statuses = Counter(status(o) for o in imported.values())
    assert set(statuses) <= {"imported", "held", "rejected"}
    # Held: the EMERGE samples give different people one MRN, which goes to review, not a
    # chart. Rejected as reused: they also give different people's documents one id.
    reused = sum(
        isinstance(o, Rejected) and "reused its identifier" in o.problem for o in imported.values()
    )
    assert statuses["imported"] + statuses["held"] + reused >= 0.95 * len(files), statuses
    assert statuses["imported"] >= 0.3 * len(files), statuses
    for path, outcome in imported.items():
        if isinstance(outcome, Rejected):
            assert outcome.where and outcome.problem, path
            assert "could not be read" not in outcome.problem, path

    # Again, what was kept or held. (A document rejected for naming an encounter another
    # patient's may fit later: the samples reuse ids across patients, so that is order-bound.)
    kept = [p for p in files if status(imported[p]) != "rejected"]
    before = rows(himdesk)
    again = {p: status(submit(himdesk, p.read_bytes(), p.name)) for p in kept}
    assert rows(himdesk) == before
    expected = {"imported": "unchanged", "held": "held"}
    assert again == {p: expected[status(imported[p])] for p in kept}


def test_a_document_sent_again_in_another_file_is_found_part_by_part_unchanged(
    himdesk: Himdesk, shared_data: Path
) -> None:
    """Not the receipt (other bytes): every part is found by its source reference, including
    the entries without an id, whose reference is derived from where they are."""
    for path in representative(shared_data)[::6]:
        first = submit(himdesk, path.read_bytes(), path.name)
        if status(first) != "imported":
            continue
        before = rows(himdesk)
        resent = submit(himdesk, path.read_bytes() + b"\n<!-- resent -->\n", f"again {path.name}")
        assert status(resent) == "unchanged", path
        assert rows(himdesk) == before, path


def test_the_hl7_discharge_summary_lands_in_the_chart(himdesk: Himdesk, shared_data: Path) -> None:
    path = shared_data / "ccda/hl7_ccda_examples/Documents/Discharge Summary/Discharge_Summary.xml"
    outcome = submit(himdesk, path.read_bytes(), path.name)
    assert isinstance(outcome, ImportOutcome) and outcome.status == "imported"
    assert outcome.counts["allergies"] == 3 and outcome.counts["documents"] == 1
    assert dict(outcome.not_held)["Immunizations section entries"] == 2
    [patient_id] = outcome.patient_ids
    with himdesk.unit_of_work() as uow:
        patient = uow.patients.get(patient_id)
        assert (patient.given_name, patient.family_name) == ("Isabella", "Jones")
        [stay] = uow.chart.encounters(patient_id)
        [document] = uow.chart.encounter_documents(stay.id or 0)
    assert document.document_type is DocumentType.DISCHARGE_SUMMARY
    assert document.type_code == "18842-5"
    assert "HOSPITAL COURSE:" in document.text


def test_different_people_sharing_a_sample_mrn_never_share_a_chart(
    himdesk: Himdesk, shared_data: Path
) -> None:
    emerge = sorted((shared_data / "ccda/smart_sample_ccdas/EMERGE").glob("*.xml"))[:3]
    outcomes = [submit(himdesk, p.read_bytes(), p.name) for p in emerge]
    charts = [o.patient_ids for o in outcomes if isinstance(o, ImportOutcome) and o.patient_ids]
    assert len(set(charts)) == len(charts)
