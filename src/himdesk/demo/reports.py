"""Bodies of the reports written about a procedure or a study: operative, surgical pathology
and radiology reports.
"""

from __future__ import annotations

import random
from datetime import datetime

from himdesk.demo.conditions import Condition, Imaging, Operation
from himdesk.demo.phrasing import Words, capitalized, fill, lowered
from himdesk.domain.records import Clinician

_TECHNIQUE = {
    "CT": "Axial images were obtained with multiplanar reformats.",
    "MRI": "Multiplanar, multisequence images were obtained including diffusion weighting.",
    "Ultrasound": "Grayscale and color Doppler images were obtained.",
    "Venous": "Compression and Doppler images were obtained.",
}
_COMPARISON = ("None.", "None available.", "No prior studies for comparison.")


def operative_report(
    rng: random.Random,
    condition: Condition,
    operation: Operation,
    words: Words,
    surgeon: Clinician,
    assistant: Clinician | None,
    at: datetime,
    allergy_tags: frozenset[str],
) -> str:
    name = fill(operation.name, words)
    diagnosis = fill(condition.diagnosis, words)
    checked = (
        f"patient, procedure and {words['side']} side"
        if condition.lateral
        else ("patient and procedure")
    )
    latex = " Latex precautions were observed." if "latex" in allergy_tags else ""
    specimen = f"{fill(operation.specimen, words)} to pathology." if operation.specimen else "None."
    return "\n\n".join(
        (
            f"DATE OF OPERATION: {at:%Y-%m-%d}\nPREOPERATIVE DIAGNOSIS: {diagnosis}\n"
            f"POSTOPERATIVE DIAGNOSIS: Same.\nPROCEDURE: {name}\n"
            f"SURGEON: {surgeon.display_name}\n"
            f"ASSISTANT: {assistant.display_name if assistant else 'None.'}\n"
            f"ANESTHESIA: {operation.anesthesia}\n"
            f"ESTIMATED BLOOD LOSS: {rng.choice((10, 25, 50, 100, 150, 250))} mL\n"
            f"SPECIMENS: {specimen}",
            f"INDICATIONS:\n{capitalized(words['person'])} with {lowered(diagnosis)}. Risks, "
            "benefits and alternatives were discussed and informed consent was obtained.",
            f"FINDINGS:\n{fill(operation.findings, words)}",
            "DESCRIPTION OF PROCEDURE:\nThe patient was brought to the procedure room and "
            f"positioned. After {lowered(operation.anesthesia)}, a time-out confirmed the correct "
            f"{checked}.{latex} {fill(operation.technique, words)} Sponge, needle "
            "and instrument counts were correct.",
            "COMPLICATIONS:\nNone.",
            "DISPOSITION:\nTo the recovery area in stable condition.",
        )
    )


def pathology_report(
    condition: Condition, operation: Operation, words: Words, received_at: datetime
) -> str:
    specimen = fill(operation.specimen, words)
    return "\n\n".join(
        (
            f"SPECIMEN:\n{specimen}",
            f"CLINICAL HISTORY:\n{fill(condition.diagnosis, words)}; "
            f"{lowered(fill(operation.name, words))}.",
            f"GROSS DESCRIPTION:\nReceived in formalin on {received_at:%Y-%m-%d}, labeled with the "
            f'patient\'s name and medical record number and "{lowered(specimen)}". '
            f"{fill(operation.gross, words)} Representative sections are submitted.",
            f"MICROSCOPIC DESCRIPTION:\n{fill(operation.microscopic, words)}",
            f"FINAL DIAGNOSIS:\n{specimen}, {lowered(fill(operation.name, words))}:\n"
            f"{fill(operation.pathology, words)}",
        )
    )


def radiology_study(imaging: Imaging, words: Words, allergy_tags: frozenset[str]) -> str:
    """The name of the study as performed: no IV contrast for a patient allergic to it."""
    study = fill(imaging.study, words)
    if "contrast" in allergy_tags and "with IV contrast" in study:
        study = study.replace("with IV contrast", "without contrast")
    return study


def radiology_report(
    rng: random.Random,
    condition: Condition,
    imaging: Imaging,
    words: Words,
    allergy_tags: frozenset[str],
) -> str:
    study = radiology_study(imaging, words, allergy_tags)
    technique = _TECHNIQUE.get(study.split()[0], "Standard views were obtained.")
    if study.endswith("without contrast") and "contrast" in allergy_tags:
        technique += " IV contrast was not given because of a documented contrast allergy."
    return "\n\n".join(
        (
            f"EXAMINATION:\n{study}",
            f"INDICATION:\n{fill(condition.complaint, words)}.",
            f"COMPARISON:\n{rng.choice(_COMPARISON)}",
            f"TECHNIQUE:\n{technique}",
            f"FINDINGS:\n{fill(imaging.findings, words)}",
            f"IMPRESSION:\n{fill(imaging.impression, words)}",
        )
    )
