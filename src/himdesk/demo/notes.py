"""Bodies of the inpatient notes: history and physical, progress note, consultation and
discharge summary. Each retells the stay's facts with varied phrasing.
"""

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
    series,
    surgical_history,
    vitals,
)
from himdesk.demo.profile import PatientProfile
from himdesk.domain.records import DischargeDisposition, Patient

_SUBJECTIVE = (
    "No acute events overnight. Feels somewhat better this morning.",
    "Slept poorly but reports overall improvement; tolerating diet.",
    "Feels better today and ambulated in the hallway with nursing.",
    "Pain is better controlled. Eager to go home.",
    "Overnight nursing notes reviewed; no complaints this morning.",
)
_STATUS = ("Improving.", "Clinically stable.", "Slowly improving.", "Better today.")
_CONDITION_AT_DISCHARGE = ("Stable.", "Improved.", "Good; ambulating independently.")


def presenting_story(
    rng: random.Random, patient: Patient, profile: PatientProfile, story: StayStory
) -> str:
    words = story.words
    principal = story.principal
    complaint = lowered(fill(principal.complaint, words))
    intro = (
        f"{capitalized(words['person'])} {history_clause(profile)} who presents with {complaint}."
    )
    return f"{intro} {words['Subj']} {fill(rng.choice(principal.story), words)}."


def history_and_physical(
    rng: random.Random, patient: Patient, profile: PatientProfile, story: StayStory, at: datetime
) -> str:
    words = story.words
    exam = "\n".join(fill(c.exam, words) for c in story.conditions)
    imaging = "\n".join(story.imaging) or "No imaging on admission."
    return "\n\n".join(
        (
            f"CHIEF COMPLAINT:\n{fill(story.principal.complaint, words)}",
            f"HISTORY OF PRESENT ILLNESS:\n{presenting_story(rng, patient, profile, story)} "
            f"{negations(rng, story.conditions, words)}",
            f"PAST MEDICAL HISTORY:\n{problem_list(profile)}",
            f"PAST SURGICAL HISTORY:\n{surgical_history(profile)}",
            f"MEDICATIONS PRIOR TO ADMISSION:\n{home_medications(profile)}",
            f"ALLERGIES:\n{profile.allergy_text()}",
            f"FAMILY HISTORY:\n{profile.family_history}",
            f"SOCIAL HISTORY:\n{profile.social_history}",
            f"REVIEW OF SYSTEMS:\n{review_of_systems(rng, story.conditions, words)}",
            "PHYSICAL EXAMINATION:\nVitals: "
            f"{vitals(rng, story.conditions, story.age, recovering=False)}\n"
            f"General: {general_appearance(rng, patient, at)}\n{exam}",
            f"LABORATORY DATA:\n{story.admission_labs or 'Pending.'}",
            f"IMAGING:\n{imaging}",
            f"ASSESSMENT AND PLAN:\n{capitalized(words['person'])} admitted to "
            f"{story.encounter.service} with {lowered(fill(story.principal.diagnosis, words))}.\n"
            f"{numbered_plan(rng, story.conditions, words)}\n"
            "DVT prophylaxis: sequential compression devices. Code status: full code.",
        )
    )


def progress_note(rng: random.Random, story: StayStory, at: datetime) -> str:
    words = story.words
    day = (at - story.encounter.admitted_at).days + 1
    lines = [f"Hospital day {day}."]
    plan = numbered_plan(rng, story.conditions, words, _STATUS)
    operation = story.operation
    if operation is not None and story.operation_at is not None and at > story.operation_at:
        post_op = (at.date() - story.operation_at.date()).days
        name = lowered(fill(operation.name, words))
        lines.append(f"Postoperative day {post_op} after {name}.")
        first, rest = plan.split(": ", 1)[0], plan.split("\n", 1)[1:]
        recovery = f"{first}: {rng.choice(_STATUS)} {fill(operation.recovery, words)}"
        plan = "\n".join([recovery, *rest])
    exam = fill(story.principal.progress_exam, words)
    return "\n\n".join(
        (
            f"SUBJECTIVE:\n{rng.choice(_SUBJECTIVE)} {negations(rng, story.conditions, words)}",
            "OBJECTIVE:\nVitals: "
            f"{vitals(rng, story.conditions, story.age, recovering=True)}\n"
            f"Exam: {exam}\nMorning labs reviewed.",
            f"ASSESSMENT AND PLAN:\n{' '.join(lines)}\n{plan}",
        )
    )


def consultation(
    rng: random.Random,
    patient: Patient,
    profile: PatientProfile,
    story: StayStory,
    at: datetime,
    requester: str,
) -> str:
    words = story.words
    focus = next((c for c in story.conditions if c.consult == story.consultant), story.principal)
    diagnosis = fill(focus.diagnosis, words)
    return "\n\n".join(
        (
            f"REASON FOR CONSULTATION:\nRequested by {requester} for evaluation and management "
            f"of {lowered(diagnosis)}.",
            f"HISTORY OF PRESENT ILLNESS:\n{presenting_story(rng, patient, profile, story)}",
            f"PAST MEDICAL HISTORY:\n{problem_list(profile)}",
            f"ALLERGIES:\n{profile.allergy_text()}",
            f"REVIEW OF SYSTEMS:\n{review_of_systems(rng, story.conditions, words)}",
            "PHYSICAL EXAMINATION:\nVitals: "
            f"{vitals(rng, story.conditions, story.age, recovering=False)}\n"
            f"{fill(focus.exam, words)}",
            f"IMPRESSION:\n{capitalized(words['person'])} with {lowered(diagnosis)}.",
            f"RECOMMENDATIONS:\n1. {fill(rng.choice(focus.plan), words)}\n"
            "2. We will follow along with you. Thank you for this consultation.",
        )
    )


def discharge_summary(
    rng: random.Random, patient: Patient, profile: PatientProfile, story: StayStory
) -> str:
    words = story.words
    encounter = story.encounter
    diagnoses = [fill(c.diagnosis, words) for c in story.conditions]
    operation = story.operation
    procedures = "None."
    if operation is not None and story.operation_at is not None:
        procedures = f"{fill(operation.name, words)} on {story.operation_at:%Y-%m-%d}."
    return "\n\n".join(
        (
            f"ADMISSION DATE: {encounter.admitted_at:%Y-%m-%d}\n"
            f"DISCHARGE DATE: {encounter.discharged_at:%Y-%m-%d}\n"
            f"SERVICE: {encounter.service}\nATTENDING: {story.attending.display_name}",
            f"PRINCIPAL DIAGNOSIS:\n{diagnoses[0]}",
            "SECONDARY DIAGNOSES:\n" + ("\n".join(f"- {d}" for d in diagnoses[1:]) or "None."),
            f"PROCEDURES:\n{procedures}",
            f"HISTORY OF PRESENT ILLNESS:\n{presenting_story(rng, patient, profile, story)}",
            f"HOSPITAL COURSE:\n{hospital_course(story)}",
            *_discharge_sections(rng, profile, story),
        )
    )


def hospital_course(story: StayStory) -> str:
    words = story.words
    disposition = story.encounter.discharge_disposition
    parts = [fill(c.course, words) for c in story.conditions if c.course]
    if disposition is DischargeDisposition.EXPIRED:
        treated = series([lowered(fill(c.diagnosis, words)) for c in story.conditions])
        parts = [f"{words['Subj']} was treated for {treated} but did not improve."]
    if story.consultant:
        parts.append(f"{story.consultant} was consulted and followed during the admission.")
    if story.imaging:
        parts.append(f"Imaging: {' '.join(story.imaging)}")
    when = f"{story.encounter.discharged_at:%Y-%m-%d at %H:%M}"
    if disposition is DischargeDisposition.EXPIRED:
        parts.append(
            f"Despite treatment {words['subj']} declined, and in keeping with {words['poss']} "
            f"goals of care was transitioned to comfort measures. {words['Subj']} expired on "
            f"{when}. The family was present."
        )
    elif disposition is DischargeDisposition.LEFT_AMA:
        parts.append(
            f"{words['Subj']} chose to leave against medical advice on {when} after the risks, "
            "including worsening illness and death, were discussed; capacity was intact."
        )
    return " ".join(parts)


def _discharge_sections(
    rng: random.Random, profile: PatientProfile, story: StayStory
) -> tuple[str, ...]:
    disposition = story.encounter.discharge_disposition or DischargeDisposition.HOME
    if disposition is DischargeDisposition.EXPIRED:
        return (f"DISCHARGE DISPOSITION:\n{disposition.label}.",)
    changed = {m.split()[0] for m in story.discharge_meds}  # a new dose replaces the old
    medicines = [m for m in profile.home_meds if m.split()[0] not in changed]
    medicines += story.discharge_meds
    follow = {c.consult for c in story.conditions if c.consult} - {"Hospital Medicine"}
    clinics = series(sorted(follow)) if follow else story.encounter.service
    going_home = 3 if disposition is DischargeDisposition.HOME else 2
    # "Left" against medical advice would read as a body side to a laterality check.
    label = (
        "Against medical advice (AMA)"
        if disposition is DischargeDisposition.LEFT_AMA
        else disposition.label
    )
    return (
        f"CONDITION AT DISCHARGE:\n{rng.choice(_CONDITION_AT_DISCHARGE[:going_home])}",
        f"DISCHARGE DISPOSITION:\n{label}.",
        "DISCHARGE MEDICATIONS:\n" + ("\n".join(f"- {m}" for m in medicines) or "None."),
        f"ALLERGIES:\n{profile.allergy_text()}",
        f"FOLLOW-UP:\nPrimary care within 7 days; {clinics} clinic in 2 weeks. Return for "
        "fever, worsening symptoms or any new concern.",
    )
