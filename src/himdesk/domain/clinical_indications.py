"""What explains a clearly abnormal result or a medication, and which drugs an allergy rules
out: the tables behind the "result without diagnosis", "medication without diagnosis" and
allergy conflict checks.

Thresholds are set where a result is abnormal beyond doubt (a physician would expect a
diagnosis to go with it), not at the edge of the reference range. Explanations are lower-case
phrases matched as whole words in the diagnosis list and in the encounter's documents; they
include the synonyms and abbreviations clinicians write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


@dataclass(frozen=True)
class ResultRule:
    code: str  # LOINC
    test: str
    unit: str
    low: bool  # True: values below `threshold`; False: values at or above it
    threshold: Decimal
    condition: str  # what the notes would call it, for the message
    explained_by: re.Pattern[str]

    def trips(self, value: Decimal, unit: str) -> bool:
        if unit.strip().lower() != self.unit.lower():
            return False  # another unit (ng/L troponin) is another scale: do not guess
        return value < self.threshold if self.low else value >= self.threshold


_DIABETES = ("diabetes", "diabetic", "dm", "t2dm", "dm2", "dka", "hyperglycemia",
             "hyperglycaemia", "hyperosmolar")  # fmt: skip
_KIDNEY = ("acute kidney injury", "aki", "kidney injury", "renal failure", "kidney failure",
           "renal insufficiency", "kidney disease", "ckd", "esrd", "end-stage renal",
           "end stage renal", "acute tubular necrosis", "dialysis")  # fmt: skip
_HEART_FAILURE = ("heart failure", "cardiac failure", "chf", "hfref", "hfpef", "cardiomyopathy",
                  "ventricular dysfunction")  # fmt: skip
_INFECTION = ("sepsis", "septic", "infection", "infectious", "pneumonia", "cellulitis",
              "appendicitis", "cholecystitis", "cholangitis", "diverticulitis", "colitis",
              "pyelonephritis", "osteomyelitis", "abscess", "bacteremia", "uti",
              "leukocytosis", "leukemia", "leukemoid")  # fmt: skip


def _rule(code: str, test: str, unit: str, way: str, threshold: str, condition: str,
          *phrases: str) -> ResultRule:  # fmt: skip
    return ResultRule(code, test, unit, way == "<", Decimal(threshold), condition, _words(*phrases))


RESULT_RULES: tuple[ResultRule, ...] = (
    _rule("2951-2", "Sodium", "mmol/L", "<", "130", "hyponatremia",
          "hyponatremia", "hyponatraemia", "siadh", "inappropriate antidiuretic",
          "hyposmolality", "hypo-osmolality"),
    _rule("2951-2", "Sodium", "mmol/L", ">=", "150", "hypernatremia",
          "hypernatremia", "hypernatraemia", "diabetes insipidus"),
    _rule("2823-3", "Potassium", "mmol/L", "<", "3.0", "hypokalemia",
          "hypokalemia", "hypokalaemia"),
    _rule("2823-3", "Potassium", "mmol/L", ">=", "6.0", "hyperkalemia",
          "hyperkalemia", "hyperkalaemia"),
    _rule("2160-0", "Creatinine", "mg/dL", ">=", "2.0", "kidney injury or disease", *_KIDNEY),
    _rule("2345-7", "Glucose", "mg/dL", ">=", "200", "diabetes or hyperglycemia", *_DIABETES),
    _rule("4548-4", "Hemoglobin A1c", "%", ">=", "6.5", "diabetes", *_DIABETES),
    _rule("718-7", "Hemoglobin", "g/dL", "<", "10", "anemia",
          "anemia", "anaemia", "anemic", "pancytopenia"),
    _rule("6690-2", "WBC", "10*3/uL", ">=", "15", "infection or leukocytosis", *_INFECTION),
    # Above the age-adjusted rule-in cut-off for acute heart failure at every age.
    _rule("33762-6", "NT-proBNP", "pg/mL", ">=", "1800", "heart failure", *_HEART_FAILURE),
    # Ten times the 99th-percentile upper reference limit.
    _rule("10839-9", "Troponin I", "ng/mL", ">=", "0.4", "myocardial infarction or injury",
          "myocardial infarction", "mi", "nstemi", "stemi", "acute coronary syndrome", "acs",
          "myocardial injury", "demand ischemia", "myocarditis", "takotsubo",
          "pulmonary embolism"),
    _rule("2524-7", "Lactate", "mmol/L", ">=", "4.0", "sepsis, shock or lactic acidosis",
          "sepsis", "septic", "shock", "lactic acidosis", "hyperlactatemia"),
)  # fmt: skip


@dataclass(frozen=True)
class DrugRule:
    condition: str
    drugs: re.Pattern[str]
    explained_by: re.Pattern[str]


DRUG_RULES: tuple[DrugRule, ...] = (
    DrugRule(
        "diabetes",
        _words(r"insulin\w*", "metformin", "glipizide", "glyburide", "glimepiride",
               "pioglitazone", "sitagliptin", "linagliptin", "saxagliptin"),
        # Insulin also treats hyperkalemia; metformin prediabetes and polycystic ovaries.
        _words(*_DIABETES, "prediabetes", "hyperkalemia", "hyperkalaemia",
               "polycystic ovar\\w*"),
    ),
    DrugRule(
        "hypothyroidism",
        _words("levothyroxine", "liothyronine"),
        _words(r"hypothyroid\w*", "thyroidectomy", "thyroid cancer", "thyroid carcinoma",
               "myxedema", "hashimoto\\w*", "thyroiditis"),
    ),
    DrugRule(
        "an indication for anticoagulation",
        _words("warfarin", "apixaban", "rivaroxaban", "dabigatran", "edoxaban"),
        _words("atrial fibrillation", "atrial flutter", "afib", "a-fib", "a fib", "dvt",
               "deep vein thrombosis", "deep venous thrombosis", "pulmonary embolism",
               "pulmonary embolus", "thromboembolism", "thromboembolic", "vte",
               "mechanical valve", "prosthetic valve", "valve replacement", "thrombus",
               "thrombosis", "hypercoagulable", "antiphospholipid", "factor v leiden",
               "arthroplasty", "prophylaxis"),
    ),
    DrugRule(
        "heart failure or edema",
        _words("furosemide", "bumetanide", "torsemide"),
        _words(*_HEART_FAILURE, "edema", "oedema", "ascites", "cirrhosis", "fluid overload",
               "volume overload", "hypervolemia", "pulmonary congestion", "hyperkalemia",
               "kidney disease", "renal failure", "kidney failure", "ckd", "esrd",
               "nephrotic"),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DrugClass:
    """Allergy to any member (or to the class by name) rules out every member."""

    named_by: re.Pattern[str]  # how an allergy to the class is written
    members: re.Pattern[str]  # medication names in the class


DRUG_CLASSES: tuple[DrugClass, ...] = (
    DrugClass(
        _words(r"penicillin\w*", "pcn", "amoxicillin", "ampicillin", "piperacillin",
               "nafcillin", "oxacillin", "dicloxacillin"),
        _words(r"penicillin\w*", "amoxicillin", "ampicillin", "piperacillin", "nafcillin",
               "oxacillin", "dicloxacillin", "ticarcillin"),
    ),
    DrugClass(_words(r"cephalosporin\w*", r"cef\w+", r"ceph\w+"), _words(r"cef\w+", r"ceph\w+")),
    DrugClass(
        _words(r"sulfa", r"sulfonamide\w*", "sulfamethoxazole", "bactrim"),
        _words("sulfamethoxazole", "sulfadiazine", "sulfasalazine", "bactrim", "septra"),
    ),
    DrugClass(
        _words(r"nsaids?", "aspirin", "ibuprofen", "naproxen"),
        _words("aspirin", "ibuprofen", "naproxen", "ketorolac", "diclofenac", "meloxicam",
               "celecoxib", "indomethacin"),
    ),
)  # fmt: skip
# Any of these in an allergy's substance makes it a drug allergy (food, latex and venom are not).
DRUG_ALLERGENS = _words(
    r"penicillin\w*", "pcn", r"\w+cillin", r"cef\w+", r"ceph\w+", r"sulfa\w*",
    r"sulfonamide\w*", "bactrim", r"nsaids?", "aspirin", "ibuprofen", "naproxen", "codeine",
    "morphine", "hydromorphone", "oxycodone", "hydrocodone", "tramadol", r"opioids?",
    r"opiates?", r"\w+mycin", r"\w+floxacin", r"\w+cycline", "contrast", "heparin",
    "lisinopril", "ace inhibitors?", "insulin", "warfarin", "phenytoin", "carbamazepine",
    "lamotrigine", "allopurinol",
)  # fmt: skip
# Statements that the patient has no (drug) allergies.
NO_DRUG_ALLERGIES = _words(
    "nkda", "nka", "no known drug allergies", "no known medication allergies",
    "no known allergies", "no drug allergies",
)  # fmt: skip
