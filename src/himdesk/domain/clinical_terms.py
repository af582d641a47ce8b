"""The words discrepancy detection reads clinical text with: how diagnosis wording is
normalised for matching, the cues that negate a mention or put it in the family's history,
body sites for laterality, and sex- and age-specific terms.

Kept small and literal on purpose: every finding becomes a candidate physician query, so a
term belongs here only when its meaning is unambiguous in a clinical note. The encoder
(issue 5) adds the Medicare Code Editor's code-based edits; these are the wording-based ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that do not tell one diagnosis from another (sides are the laterality rule's concern,
# acuity words vary between a summary and the abstract for the same condition).
FILLER_WORDS = _word_set(
    """a an the of on in at to by for from with without and or due per as is was be not
    unspecified specified site other initial subsequent encounter sequela episode
    left right bilateral unilateral both side sided acute chronic exacerbation exacerbated
    primary mild moderate severe status organism nos nec elsewhere classified"""
)

# Spelling variants and plain-language equivalents, to one word.
SYNONYMS: Mapping[str, str] = {
    "anaemia": "anemia",
    "anaemic": "anemia",
    "anemic": "anemia",
    "haemorrhage": "hemorrhage",
    "hyponatraemia": "hyponatremia",
    "hypernatraemia": "hypernatremia",
    "hypokalaemia": "hypokalemia",
    "hyperkalaemia": "hyperkalemia",
    "oedema": "edema",
    "renal": "kidney",
    "tumour": "tumor",
    "cerebrovascular": "cerebral",
    # "Cellulitis of the leg" supports "Cellulitis of left lower limb".
    "extremity": "limb",
    "leg": "limb",
}

# Abbreviations and short words that clinicians write for whole diagnoses.
ABBREVIATIONS: Mapping[str, str] = {
    "stroke": "cerebral infarction",
    "mca": "middle cerebral artery",
    "mi": "myocardial infarction",
    "pna": "pneumonia",
    "hld": "hyperlipidemia",
    "aki": "acute kidney injury",
    "arf": "acute kidney failure",
    "ckd": "chronic kidney disease",
    "esrd": "end stage kidney disease",
    "chf": "congestive heart failure",
    "hfref": "systolic heart failure",
    "hfpef": "diastolic heart failure",
    "copd": "chronic obstructive pulmonary disease",
    "uti": "urinary tract infection",
    "dvt": "deep vein thrombosis",
    "nstemi": "non st elevation myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "cad": "coronary artery disease",
    "htn": "hypertension",
    "t2dm": "type 2 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "afib": "atrial fibrillation",
    "cva": "cerebral infarction",
    "tia": "transient ischemic attack",
    "gerd": "gastroesophageal reflux disease",
    "osa": "obstructive sleep apnea",
    "bph": "benign prostatic hyperplasia",
    "dka": "diabetic ketoacidosis",
    "siadh": "syndrome inappropriate antidiuretic hormone",
}

# "No evidence of anemia", "denies chest pain", "to exclude DVT": the condition is absent.
NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|denies|denied|deny|negative for|without evidence of|free of|absence of"
    r"|rule out|ruled out|r/o|to exclude|never had)\b(?:(?!\bbut\b)[^;:]){0,60}$"
)
NEGATED_AFTER = re.compile(r"^[^;:]{0,40}?\b(?:ruled out|was excluded|is excluded|unlikely)\b")
# Someone else's condition: the family history.
FAMILY = re.compile(
    r"\b(?:family history|mother|father|sister|brother|grandmother|grandfather|aunt|uncle"
    r"|cousin)\b"
)
# What the patient had before, not what this encounter is about.
HISTORICAL = re.compile(r"\b(?:history of|status post|s/p|prior|previous|remote)\b")
HISTORY_SECTIONS = ("PAST ", "FAMILY", "SOCIAL")

# Body sites that have a side, each term naming the site group(s) it belongs to. Groups are
# narrow on purpose: "right foot" in a chart with a left hip fracture may well be true. Words
# that also name vessels used for access ("femoral", "radial") are left out.
_SITES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hip", ("hip", "acetabulum", "acetabular", "trochanter", "trochanteric",
             "intertrochanteric", "subtrochanteric", "femoral neck", "femoral head",
             "femoral shaft", "femur")),
    ("knee", ("knee", "patella", "patellar", "tibial plateau")),
    ("leg", ("leg", "lower limb", "lower extremity", "calf", "shin", "thigh")),
    ("ankle", ("ankle", "malleolus", "malleolar", "talofibular")),
    ("foot", ("foot", "heel", "toe", "metatarsal")),
    ("shoulder", ("shoulder", "rotator cuff", "humeral head")),
    ("arm", ("arm", "upper limb", "upper extremity", "humerus", "forearm", "elbow")),
    ("wrist", ("wrist", "radius", "ulna", "scaphoid")),
    ("hand", ("hand", "finger", "thumb", "metacarpal")),
    ("brain", ("cerebral", "cerebrum", "hemisphere", "hemispheric", "mca", "frontal lobe",
               "parietal lobe", "occipital lobe", "temporal lobe", "insula", "brain",
               "basal ganglia", "thalamus", "thalamic")),
    ("ear", ("ear", "tympanic", "auditory canal", "mastoid")),
    ("eye", ("eye", "ocular", "orbit", "retina", "cornea")),
    ("breast", ("breast", "axilla", "axillary")),
    ("kidney", ("kidney", "renal", "ureter", "flank")),
    ("lung", ("lung", "lobe", "hemithorax", "pleural")),
    ("ovary", ("ovary", "ovarian", "fallopian", "adnexa", "adnexal")),
    ("testis", ("testis", "testicle", "testicular", "scrotal", "scrotum")),
)  # fmt: skip
SITE_GROUPS: Mapping[str, frozenset[str]] = {
    term: frozenset(group for group, terms in _SITES if term in terms)
    for _, terms in _SITES
    for term in terms
}
SITE_TERMS = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, SITE_GROUPS), key=len, reverse=True)) + r")\b"
)
# "LLE", "RUE": a side and a limb in one abbreviation.
SIDED_LIMBS: Mapping[str, tuple[str, str]] = {
    "lle": ("left", "leg"),
    "rle": ("right", "leg"),
    "lue": ("left", "arm"),
    "rue": ("right", "arm"),
}
SIDE_WORDS = re.compile(r"\b(?:left|right|lle|rle|lue|rue)\b")
# The words for each side, to look only for the side that would contradict the record.
SIDE_TERMS: Mapping[str, tuple[str, ...]] = {
    "left": ("left", "lle", "lue"),
    "right": ("right", "rle", "rue"),
}
BOTH_SIDES = re.compile(r"\b(?:bilateral|bilaterally|both)\b")
# A sentence about the other side that is normal, absent, a comparison or where a line or cuff
# went is the contralateral exam or a deliberate choice: "Right lower extremity: normal",
# "IV in the right forearm", "BP 128/70 right arm".
OTHER_SIDE_AS_EXPECTED = re.compile(
    r"\b(?:no|not|without|denies|negative|normal|normally|unremarkable|intact|symmetric"
    r"|unchanged|contralateral|compared|comparison|iv|intravenous|catheter|cannula|access"
    r"|picc|central line|arterial line|sheath|venipuncture|cuff|bp|blood pressure)\b"
)
# "left the hospital", "right away": the word is a verb or an adverb here, not a side.
NOT_A_SIDE_AFTER = _word_set(
    """the a an against ama without before after at home for with to in on by from her his
    their alone over behind away now handed"""
)

# Terms only one sex can have (checked for "M" and "F" only, on the diagnosis and procedure
# entries, not on free text where "her mother's pregnancy" is no discrepancy).
_PREGNANCY = (
    r"pregnan\w*|obstetric\w*|gestation\w*|antepartum|postpartum|puerper\w*|cesarean|"
    r"placenta\w*|pre-?eclampsia|eclampsia"
)
PREGNANCY = re.compile(rf"\b(?:{_PREGNANCY})")
FEMALE_ONLY = re.compile(
    rf"\b(?:{_PREGNANCY}|ovary|ovaries|ovarian|oophor\w*|salping\w*|uterus|uterine|"
    r"endometri\w*|hysterectomy|vagina\w*|vulva\w*|menstrua\w*)"
)
MALE_ONLY = re.compile(
    r"\b(?:prostat\w*|testis|testes|testicle\w*|testicular|scrot\w*|orchi\w*|epididym\w*|"
    r"vasectomy|penile|penis|seminal vesicle\w*)"
)
# Newborn terms past the first year (conditions "originating in the perinatal period" may
# be coded for life, so that wording is let through).
NEWBORN = re.compile(r"\b(?:newborn|neonatal|neonate|liveborn|perinatal)\b")
ORIGINATING_PERINATAL = "originating in the perinatal period"
# Age-related wear in a child.
SENESCENT = re.compile(r"\b(?:senile|senility|age-related|presbyopia|presbycusis)\b")
# Any of the above: most entries have none, and one search says so.
SEX_OR_AGE_SPECIFIC = re.compile(
    "|".join(p.pattern for p in (FEMALE_ONLY, MALE_ONLY, NEWBORN, SENESCENT))
)
CHILDBEARING_AGES = (10, 55)
ADULT_AGE = 18
