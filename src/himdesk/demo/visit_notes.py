"""Bodies of the notes of a single visit: the emergency department note and the clinic note."""

from __future__ import annotations

import random
from datetime import datetime

from himdesk.demo.context import StayStory
from himdesk.demo.phrasing import (
    capitalized,
    fill,
    general_appearance,
    history_clause,
    home_medications,
    lowered,
    negations,
    numbered_plan,
    problem_list,
    review_of_systems,
    vitals,
)
from himdesk.demo.profile import PatientProfile
from himdesk.domain.records import Patient

_ARRIVAL = (
    "presents by private vehicle",
    "arrives by ambulance",
    "walked in",
    "was brought in by family",
)
_RETURN = (
    "Return precautions reviewed and understanding verbalized.",
    "Strict return precautions given.",
    "Instructed to return for worsening symptoms, fever or any new concern.",
)
_FOLLOW_UP = (
    "Return in 3 months.",
    "Return in 6 months or sooner as needed.",
    "Follow up in 4-6 weeks.",
)


def emergency_note(
    rng: random.Random, patient: Patient, profile: PatientProfile, story: StayStory, at: datetime
) -> str:
    words = story.words
    condition = story.principal
    complaint = fill(condition.complaint, words)
    results = " ".join(
        filter(
            None,
            (story.admission_labs and f"Labs: {story.admission_labs}.", " ".join(story.imaging)),
        )
    )
    return "\n\n".join(
        (
            f"CHIEF COMPLAINT:\n{complaint}",
            f"HISTORY OF PRESENT ILLNESS:\n{capitalized(words['person'])} "
            f"{history_clause(profile)} who {rng.choice(_ARRIVAL)} with {lowered(complaint)}. "
            f"{words['Subj']} {fill(rng.choice(condition.story), words)}. "
            f"{negations(rng, story.conditions, words)}",
            f"PAST MEDICAL HISTORY:\n{problem_list(profile)}",
            f"MEDICATIONS:\n{home_medications(profile)}",
            f"ALLERGIES:\n{profile.allergy_text()}",
            f"SOCIAL HISTORY:\n{profile.social_history}",
            f"REVIEW OF SYSTEMS:\n{review_of_systems(rng, story.conditions, words)}",
            "PHYSICAL EXAMINATION:\nVitals: "
            f"{vitals(rng, story.conditions, story.age, recovering=False)}\n"
            f"General: {general_appearance(rng, patient, at)}\n{fill(condition.exam, words)}",
            f"ED COURSE AND MEDICAL DECISION MAKING:\n{fill(condition.course, words)} "
            f"{results}".rstrip(),
            f"DIAGNOSIS:\n{fill(condition.diagnosis, words)}",
            f"DISPOSITION:\nDischarged home in stable condition. {fill(condition.plan[0], words)} "
            f"{rng.choice(_RETURN)}",
        )
    )


def clinic_note(
    rng: random.Random, patient: Patient, profile: PatientProfile, story: StayStory, at: datetime
) -> str:
    words = story.words
    condition = story.principal
    results = "\n".join(filter(None, (story.admission_labs, *story.imaging))) or "None today."
    return "\n\n".join(
        (
            f"REASON FOR VISIT:\n{fill(condition.diagnosis, words)}",
            f"INTERVAL HISTORY:\n{capitalized(words['person'])} {history_clause(profile)} who "
            f"{fill(rng.choice(condition.story), words)}. "
            f"{negations(rng, story.conditions, words)}",
            f"MEDICATIONS:\n{home_medications(profile)}",
            f"ALLERGIES:\n{profile.allergy_text()}",
            f"FAMILY HISTORY:\n{profile.family_history}",
            "PHYSICAL EXAMINATION:\nVitals: "
            f"{vitals(rng, story.conditions, story.age, recovering=True)}\n"
            f"General: {general_appearance(rng, patient, at)}\n{fill(condition.exam, words)}",
            f"RESULTS:\n{results}",
            f"ASSESSMENT AND PLAN:\n{numbered_plan(rng, story.conditions, words)}"
            + (f"\n{rng.choice(_FOLLOW_UP)}" if condition.history else ""),
        )
    )
