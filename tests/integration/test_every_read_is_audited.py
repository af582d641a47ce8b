"""Every service that reads patient data writes exactly one audit event per access.

The services are enumerated: a new service function that takes an `actor` must be listed
here, either as a read (and exercised) or as something else (with the reason).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import himdesk.services
from himdesk.bootstrap import Himdesk
from himdesk.domain.access import Actor, Role
from himdesk.domain.coding.abstract_draft import AbstractDraft
from himdesk.domain.coding.code_set import CodeSetLibrary
from himdesk.domain.record_search import Page, RecordCriteria, RecordKind
from himdesk.services import (
    access_history,
    access_review,
    amendments,
    charts,
    coding,
    coding_productivity,
    coding_screen,
    coding_worklist,
    completeness,
    encounter_analysis,
    fhir_reads,
    import_reviews,
    patient_labels,
    patient_merges,
    patients,
    queries,
    query_answers,
    record_exchange,
    review_queues,
    worklists,
)
from himdesk.services.code_reference import CodeReference
from himdesk.services.ports import UnitOfWork
from tests.fakes import ChartBuilder
from tests.integration.test_physician_queries import a_query, its_attending
from tests.submissions import queue_examples

MANAGER = Actor(user_id=31, username="mia", role=Role.HIM_MANAGER)
PRIVACY = Actor(user_id=32, username="pia", role=Role.PRIVACY_OFFICER)
# Opening an abstract reads the chart whether or not code sets are loaded.
NO_CODE_SETS = CodeReference(CodeSetLibrary)
Ids = dict[str, int]
Read = Callable[[UnitOfWork, Ids], Any]

READS: dict[str, tuple[Read, bool]] = {
    # name: (call, whether the event names the patient)
    "charts.open_chart": (lambda u, i: charts.open_chart(u, MANAGER, i["patient"]), True),
    "charts.chart_by_mrn": (lambda u, i: charts.chart_by_mrn(u, MANAGER, "M0000001"), True),
    "charts.read_document": (
        lambda u, i: charts.read_document(u, MANAGER, i["patient"], i["document"]), True),
    "charts.demographics_history": (
        lambda u, i: charts.demographics_history(u, MANAGER, i["patient"]), True),
    "access_history.access_history": (
        lambda u, i: access_history.access_history(u, MANAGER, i["patient"]), True),
    "patients.search_patients": (
        lambda u, i: patients.search_patients(u, MANAGER, "nguyen"), False),
    "patients.start_correction": (
        lambda u, i: patients.start_correction(u, MANAGER, i["patient"]), True),
    "access_review.open_flags": (lambda u, i: access_review.open_flags(u, PRIVACY), False),
    "access_review.patient_access_report": (
        lambda u, i: access_review.patient_access_report(u, PRIVACY, i["patient"]), True),
    "access_review.patient_access_report_by_mrn": (
        lambda u, i: access_review.patient_access_report_by_mrn(u, PRIVACY, "M0000001"), True),
    "access_review.user_access_report": (
        lambda u, i: access_review.user_access_report(u, PRIVACY, "mia"), False),
    "amendments.start_request": (
        lambda u, i: amendments.start_request(u, MANAGER, i["patient"], "document", i["document"]),
        True),
    "amendments.open_requests": (lambda u, i: amendments.open_requests(u, MANAGER), False),
    "amendments.open_case": (lambda u, i: amendments.open_case(u, MANAGER, i["request"]), True),
    "queries.start_query": (lambda u, i: queries.start_query(
        u, MANAGER, u.chart.encounters(i["patient"])[0].id or 0), True),
    "queries.open_query": (
        lambda u, i: queries.open_query(u, MANAGER, a_query(u, i["patient"])), True),
    "queries.query_worklist": (lambda u, i: queries.query_worklist(u, MANAGER), False),
    "queries.query_metrics": (lambda u, i: queries.query_metrics(u, MANAGER), False),
    "query_answers.clinician_inbox": (
        lambda u, i: query_answers.clinician_inbox(u, its_attending(u, i["patient"])), False),
    "worklists.completeness_worklist": (
        lambda u, i: worklists.completeness_worklist(u, MANAGER), False),
    "worklists.delinquency_report": (lambda u, i: worklists.delinquency_report(u, MANAGER), False),
    "encounter_analysis.encounter_analysis": (
        lambda u, i: encounter_analysis.encounter_analysis(u, MANAGER, i["encounter"]), True),
    "encounter_analysis.analysis_of_deficiency": (
        lambda u, i: encounter_analysis.analysis_of_deficiency(u, MANAGER, i["deficiency"]),
        True),
    "import_reviews.open_hold": (
        lambda u, i: import_reviews.open_hold(u, MANAGER, i["hold_id"]), False),
    "import_reviews.open_rejection": (
        lambda u, i: import_reviews.open_rejection(u, MANAGER, i["rejection_id"]), False),
    "record_exchange.whole_record": (
        lambda u, i: record_exchange.whole_record(u, MANAGER, i["patient"]), True),
    "record_exchange.whole_records": (
        lambda u, i: record_exchange.whole_records(u, MANAGER, [i["patient"]]), True),
    "fhir_reads.search": (lambda u, i: fhir_reads.search(
        u, MANAGER, RecordKind.DOCUMENT, RecordCriteria(patient_id=i["patient"]), Page(50)), True),
    "fhir_reads.read": (
        lambda u, i: fhir_reads.read(u, MANAGER, RecordKind.DOCUMENT, i["document"]), True),
    "fhir_reads.everything": (lambda u, i: fhir_reads.everything(u, MANAGER, i["patient"]), True),
    "patient_merges.list_merges": (lambda u, i: patient_merges.list_merges(u, MANAGER), False),
    "patient_labels.label_patients": (
        lambda u, i: patient_labels.label_patients(u, MANAGER, [i["patient"]]), False),
    "review_queues.held_imports": (
        lambda u, i: review_queues.held_imports(u, MANAGER, review_queues.QueueView.ALL), False),
    "coding_worklist.coding_worklist": (
        lambda u, i: coding_worklist.coding_worklist(u, MANAGER), False),
    "coding_productivity.coding_productivity": (
        lambda u, i: coding_productivity.coding_productivity(u, MANAGER), False),
    "coding_screen.open_abstract": (
        lambda u, i: coding_screen.open_abstract(u, MANAGER, NO_CODE_SETS, i["encounter"]), True),
    "coding.preview_abstract": (lambda u, i: coding.preview_abstract(
        u, MANAGER, NO_CODE_SETS, i["encounter"], AbstractDraft(["I50.21"])), True),
    "review_queues.rejected_inputs": (
        lambda u, i: review_queues.rejected_inputs(u, MANAGER, review_queues.QueueView.ALL),
        False),
}  # fmt: skip

NOT_READS = {
    "patient_merges.merge_within": "a write in the caller's transaction, audited as "
    "patient.merge for both patients",
    "patient_merges.undo_merge": "a write, audited as patient.unmerge for both patients",
    "access_control.check_access": "a step inside the reads above, audited by them",
    "completeness.analyze_charts": "one audited access per encounter analysed "
    "(tests/integration/test_completeness.py)",
    "completeness.complete_review": "a write (the chart's status), audited as chart.review",
    "completeness.waive_deficiency": "a write, audited as deficiency.waive",
    "charts.document_of": "a step inside document reads and writes; audits refused IDs",
    "access_control.has_active_grant": "a step inside open_chart",
    "access_control.flag_chart_access": "a step inside open_chart",
    "access_control.request_access": "a write (the grant), audited as record.break_glass",
    "access_control.restrict_patient": "a write, audited",
    "access_review.close_flag": "a write, audited",
    "amendments.record_request": "a write, audited",
    "amendments.accept_document_amendment": "a write, audited",
    "amendments.accept_demographics_amendment": "a write, audited",
    "amendments.deny_request": "a write, audited",
    "amendments.file_disagreement": "a write, audited",
    "audit.record": "writes the audit event itself",
    "audit.record_many": "writes the audit events themselves",
    "audit.require": "the permission check that audits refusals",
    "authentication.add_user": "user management, no patient data",
    "audit.write_checkpoint": "seals the audit trail, no patient data",
    "authentication.unlock": "user management, no patient data",
    "hospital.enroll_demo_users": "user management, no patient data",
    "second_factor.reset_authenticator": "user management, no patient data",
    "documents.sign_document": "a write, audited",
    "documents.amend_document": "a write, audited",
    "field_keys.rotate_field_keys": "re-encryption, audited per batch, returns no patient data",
    "field_keys.key_status": "counts only",
    "hospital.load_hospital": "bulk load, audited once",
    "hospital.add_demo_users": "user management, no patient data",
    "hospital.demo_totp_code": "a demo login's authenticator code (demo mode only), audited",
    "patients.correct_demographics": "a write, audited",
    "patients.keep_demographics_correction": "a step inside writes that audit",
    "queries.send_query": "a write, audited",
    "queries.escalate_overdue": "a write, audited per query escalated",
    "queries.hidden_names": "a step inside the query lists, which audit",
    "queries.screened": "a step inside the query lists, which audit",
    "query_answers.answer_query": "a write, audited (answer, addendum, diagnosis, clearing)",
    "imports.import_submission": "a write, audited per patient as record.import "
    "(tests/integration/test_imports.py)",
    "imports.apply_submission": "the import inside import_submission and resolve_hold",
    "import_registration.register_patients": "a step inside apply_submission, which audits",
    "import_merges.merge_patients": "a step inside apply_submission (merges audit themselves)",
    "imports.require_importer": "the permission check before any file is read",
    "imports.record_rejection": "a write (the queue entry), audited as import.reject",
    "import_reviews.queue_counts": "counts only, no patient data",
    "import_reviews.resolve_hold": "a write (the import), audited",
    "import_reviews.decide_hold": "a write (resolve_hold or discard_hold), audited",
    "import_reviews.discard_hold": "a write, audited as import.hold.discarded",
    "import_reviews.resolve_rejection": "a write, audited as import.rejection.resolve",
    "record_exchange.minimum_necessary": "pure: shapes a record already read and audited",
    "coding.save_abstract": "a write, audited as coding.abstract.save",
    "coding.finalize_coding": "a write, audited as coding.abstract.finalize",
    "coding.reopen_coding": "a write, audited as coding.abstract.reopen",
    "coding_screen.coded_encounter": "a step inside the coding services, which audit",
    "record_exchange.demographics_for": "pure: shapes demographics already read and audited",
    "code_sets.load_code_sets": "code sets, no patient data; audited as codeset.load",
    "code_sets.list_code_sets": "code sets only, no patient data",
    "drg_grouping.group_claim": "groups bare codes (no patient); permission checked only",
    "code_edits.validate_codes": "edits of bare codes (no patient); permission checked only",
    "code_views.code_view": "code sets only, no patient data",
    "code_views.neoplasm_table": "code sets only, no patient data",
    "code_views.drug_table": "code sets only, no patient data",
    "code_views.pcs_step": "code sets only, no patient data",
    "code_lookup.lookup_codes": "the encoder: code sets only, no patient data",
    "code_lookup.require_lookup": "the permission check of the encoder page",
    "api_clients.register_client": "API client management, no patient data; audited",
    "api_clients.list_clients": "API client management, no patient data; audited",
    "api_clients.revoke_client": "API client management, no patient data; audited",
    "api_clients.add_demo_client": "the demo hospital's API client, no patient data; audited",
    "api_clients.store_client": "API client management (both registrations); audited",
    "client_assertions.register_client_with_keys": "API client management, no patient data; "
    "audited",
    "client_assertions.replace_client_keys": "API client management, no patient data; audited",
    "bulk_export.start_export": "a write (the job), audited as export.start",
    "bulk_export.export_status": "job status, no patient data; refusals audited",
    "bulk_export.export_file": "audited as export.download (tests/integration/test_bulk_export.py)",
    "bulk_export.cancel_export": "a write, audited as export.cancel",
    "bulk_export.record_for_export": "audited as the read and as record.export "
    "(tests/cli/test_export_commands.py)",
    "export_run.run_export": "each patient audited as the read and as record.export "
    "(tests/integration/test_bulk_export.py)",
}


def _services_with_an_actor() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(himdesk.services.__path__):
        module = importlib.import_module(f"himdesk.services.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            ours = function.__module__ == module.__name__ and not name.startswith("_")
            if ours and "actor" in inspect.signature(function).parameters:
                found.add(f"{info.name}.{name}")
    return found


def test_every_service_with_an_actor_is_listed_as_a_read_or_not() -> None:
    assert _services_with_an_actor() - set(READS) - set(NOT_READS) == set()
    assert set(READS) | set(NOT_READS) <= _services_with_an_actor()


@pytest.fixture
def ids(himdesk: Himdesk) -> Ids:
    from himdesk.services.ports import User

    with himdesk.unit_of_work() as uow:
        build = ChartBuilder(uow)
        doctor = build.clinician()
        patient = build.patient()
        stay = build.inpatient_stay(patient, doctor)
        document = build.document(patient, stay, doctor)
        uow.users.add(User(0, "mia", "Mia Manager", Role.HIM_MANAGER, "x"))
        uow.commit()
    assert patient.id and document.id
    with himdesk.unit_of_work() as uow:
        request = amendments.record_request(
            uow, MANAGER, (patient.id, "document", document.id), "My allergy is to sulfa.",
            "2026-11-01")  # fmt: skip
    assert request.id is not None and stay.id is not None
    with himdesk.unit_of_work() as uow:
        completeness.analyze_charts(uow, MANAGER, stay.id)  # the stay has no H&P
        deficiency = uow.chart_reviews.history(stay.id)[0].id
    queued = {name: int(value) for name, value in queue_examples(himdesk).items()}
    return {"patient": patient.id, "document": document.id, "request": request.id,
            "encounter": stay.id, "deficiency": deficiency, **queued}  # fmt: skip


@pytest.mark.parametrize("name", sorted(READS))
def test_each_read_writes_exactly_one_audit_event(himdesk: Himdesk, ids: Ids, name: str) -> None:
    call, names_patient = READS[name]
    with himdesk.unit_of_work() as uow:
        before = uow.audit.count()
        call(uow, ids)
    with himdesk.unit_of_work() as uow:
        new = [e.entry for e in uow.audit.iterate() if e.sequence > before]
    assert len(new) == 1, [e.action for e in new]
    assert new[0].outcome == "success"
    assert new[0].patient_id == (ids["patient"] if names_patient else None)


def test_the_audit_trail_holds_ids_never_names_ssns_or_clinical_text(
    himdesk: Himdesk, ids: Ids
) -> None:
    for call, _names_patient in READS.values():
        with himdesk.unit_of_work() as uow:
            call(uow, ids)
    with himdesk.unit_of_work() as uow:
        trail = " ".join(repr(e.entry) for e in uow.audit.iterate()).lower()
    for secret in ("nguyen", "linh", "123-45-6789", "chest pain", "sulfa", "elm st"):
        assert secret not in trail
