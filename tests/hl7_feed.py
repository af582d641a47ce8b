"""Synthetic HL7 v2 messages for tests: a small ADT/ORU/MDM feed from one hospital."""

from __future__ import annotations

FACILITY = "MERCY"
NPI_OID = "2.16.840.1.113883.4.6"


def _message(*segments: str) -> bytes:
    return ("\r".join(segments) + "\r").encode()


def msh(kind: str, control_id: str) -> str:
    return f"MSH|^~\\&|ADT1|{FACILITY}|HIMDESK|HIM|20261101083000||{kind}|{control_id}|P|2.5.1"


def pid(
    mrn: str = "MRN1001", *, birth: str = "19610409", family: str = "NGUYEN", ssn: str = "123456789"
) -> str:
    ssn_id = f"~{ssn}^^^USSSA^SS" if ssn else ""
    return (
        f"PID|1||{mrn}^^^{FACILITY}^MR{ssn_id}||{family}^LINH^THI^^^^L||{birth}|F"
        "|||12 ELM ST^APT 4^SPRINGFIELD^MA^01103||(555)010-0199"
    )


def pv1(
    visit: str = "V5001",
    *,
    patient_class: str = "I",
    admitted: str = "20261028143000",
    discharged: str = "",
    disposition: str = "",
) -> str:
    fields = [""] * 46
    fields[1], fields[2], fields[3] = "1", patient_class, "4W^401^A"
    fields[7] = f"1234567893^OSLER^WILLIAM^^^DR^MD^^NPI&{NPI_OID}&ISO"
    fields[10], fields[19], fields[36] = "MED", visit, disposition
    fields[44], fields[45] = admitted, discharged
    return "PV1" + "|".join(fields)


def adt(
    event: str,
    control_id: str = "MSG0001",
    *,
    mrn: str = "MRN1001",
    visit: str = "V5001",
    discharged: str = "",
    disposition: str = "",
    patient_class: str = "I",
    birth: str = "19610409",
    family: str = "NGUYEN",
    ssn: str = "123456789",
) -> bytes:
    return _message(
        msh(f"ADT^{event}^ADT_A01", control_id),
        f"EVN|{event}|20261101083000",
        pid(mrn, birth=birth, family=family, ssn=ssn),
        pv1(visit, patient_class=patient_class, discharged=discharged, disposition=disposition),
    )


def merge(control_id: str, surviving: str, merged: str) -> bytes:
    return _message(
        msh("ADT^A40^ADT_A39", control_id),
        "EVN|A40|20261101083000",
        pid(surviving),
        f"MRG|{merged}^^^{FACILITY}^MR",
    )


def oru(control_id: str = "LAB0001", *, mrn: str = "MRN1001", visit: str = "V5001") -> bytes:
    return _message(
        msh("ORU^R01^ORU_R01", control_id),
        pid(mrn),
        f"PV1|1|I|||||||||||||||||{visit}",
        "OBR|1|ORD77|FIL77^LAB|BMP^Basic metabolic panel^L|||20261029060000",
        "OBX|1|NM|2951-2^Sodium^LN||131|mmol/L|135-145|L|||F",
        "OBX|2|SN|2823-3^Potassium^LN||^4.1|mmol/L|3.5-5.1||||F|||20261029061500",
        "OBX|3|ST|5778-6^Color of urine^LN||Yellow||||||F",
        "OBX|4|NM|2345-7^Glucose^LN||250|mg/dL|70-99|||F",
    )


def mdm(control_id: str = "DOC0001", *, mrn: str = "MRN1001", visit: str = "V5001") -> bytes:
    return _message(
        msh("MDM^T02^MDM_T02", control_id),
        "EVN|T02|20261101083000",
        pid(mrn),
        f"PV1|1|I|||||||||||||||||{visit}",
        "TXA|1|DS^Discharge summary|TX|20261031170000+0100|"
        f"1234567893^OSLER^WILLIAM^^^DR^MD^^NPI&{NPI_OID}&ISO|20261031160000||||||"
        "DOC-778|||||AU|||||1234567893^OSLER^WILLIAM^^^^^^^^^^^^20261031180000",
        "OBX|1|TX|18842-5^Discharge summary^LN||Admitted for pneumonia \\T\\ sepsis.||||||F",
        "OBX|2|FT|18842-5^Discharge summary^LN||Plan:\\.br\\Home with oral antibiotics.||||||F",
    )
