"""Surgical admissions: hip fractures, appendicitis, cholecystitis, knee replacement."""

from __future__ import annotations

from himdesk.demo.conditions import (
    ACETAMINOPHEN,
    CEFAZOLIN,
    ENOXAPARIN,
    ORTHO,
    OXYCODONE,
    SURGERY,
    WBC_UP,
    Condition,
    Imaging,
    Operation,
    either,
    med,
)
from himdesk.demo.labs import LabEffect

_HIP_COMPLAINT = "{Side} hip pain after a fall"
_HIP_STORY = (
    "tripped over a rug at home this morning, landed on the {side} side and has been unable "
    "to bear weight on the {side} leg since; no head strike or loss of consciousness",
    "slipped on ice outside {poss} home and fell onto the {side} hip; {subj} was found by a "
    "neighbor and denies syncope or preceding chest pain",
)
_HIP_EXAM = (
    "{Side} lower extremity shortened and externally rotated; pain with any motion of the "
    "{side} hip; distal pulses palpable and sensation intact."
)
_HIP_PLAN = (
    "Orthopedic fixation within 24 hours; medicine co-management for perioperative risk; "
    "hold anticoagulation; pain control and delirium precautions.",
    "Operative management by orthopedics; preoperative ECG and type and screen; "
    "multimodal analgesia; DVT prophylaxis after surgery.",
)
_HIP_RECOVERY = (
    "Weight bearing as tolerated with physical therapy; enoxaparin for DVT prophylaxis; "
    "multimodal analgesia; monitor hemoglobin."
)
_HIP_MEDS = (CEFAZOLIN, ENOXAPARIN, OXYCODONE, ACETAMINOPHEN)

HIP_NECK = Condition(
    key="hip_neck",
    diagnosis="Displaced fracture of {side} femoral neck, initial encounter for closed fracture",
    complaint=_HIP_COMPLAINT,
    story=_HIP_STORY,
    exam=_HIP_EXAM,
    plan=_HIP_PLAN,
    course="{Subj} underwent {side} hip hemiarthroplasty on hospital day 2 without "
    "complication, was mobilized with physical therapy on postoperative day 1, and pain "
    "was controlled with oral medications.",
    symptoms=("joint pain",),
    progress_exam="{Side} hip incision clean, dry and intact; {side} foot warm and well perfused.",
    service=ORTHO,
    lateral=True,
    ages=(55, 120),
    meds=_HIP_MEDS,
    imaging=Imaging(
        "{Side} hip radiographs, 2 views",
        "Displaced subcapital fracture of the {side} femoral neck. No dislocation. "
        "Mild degenerative narrowing of the joint space.",
        "Displaced {side} femoral neck fracture.",
    ),
    operation=Operation(
        name="{Side} hip hemiarthroplasty",
        specialty=ORTHO,
        findings="Displaced subcapital fracture of the {side} femoral neck.",
        technique="Posterolateral approach to the {side} hip. The femoral head was removed "
        "and sized. The femur was broached and a cemented bipolar hemiarthroplasty was "
        "implanted. The hip was stable through a full range of motion. Layered closure.",
        anesthesia="Spinal anesthesia with sedation",
        recovery=_HIP_RECOVERY,
        specimen="{Side} femoral head",
        gross="Femoral head, 4.8 cm in diameter, with a subcapital fracture surface.",
        microscopic="Viable trabecular bone with fracture callus and mild degenerative "
        "changes of the articular cartilage.",
        pathology="{Side} femoral head with subcapital fracture and degenerative changes. "
        "Negative for malignancy.",
    ),
    consult="Hospital Medicine",
    los=(3, 6),
)

HIP_TROCHANTERIC = Condition(
    key="hip_trochanteric",
    diagnosis="Displaced intertrochanteric fracture of {side} femur, initial encounter for "
    "closed fracture",
    complaint=_HIP_COMPLAINT,
    story=_HIP_STORY,
    exam=_HIP_EXAM,
    plan=_HIP_PLAN,
    course="{Subj} underwent intramedullary nail fixation of the {side} femur on hospital "
    "day 2, was weight bearing as tolerated with physical therapy, and pain was "
    "controlled with oral medications.",
    symptoms=("joint pain",),
    progress_exam="{Side} hip incision clean, dry and intact; {side} foot warm and well perfused.",
    service=ORTHO,
    lateral=True,
    ages=(55, 120),
    meds=_HIP_MEDS,
    imaging=Imaging(
        "{Side} hip radiographs, 2 views",
        "Comminuted intertrochanteric fracture of the {side} femur with varus angulation. "
        "No dislocation.",
        "Displaced {side} intertrochanteric femur fracture.",
    ),
    operation=Operation(
        name="Intramedullary nail fixation of {side} intertrochanteric femur fracture",
        specialty=ORTHO,
        findings="Unstable intertrochanteric fracture of the {side} femur.",
        technique="Closed reduction on the fracture table under fluoroscopy. A cephalomedullary "
        "nail was inserted into the {side} femur with a lag screw in center-center position "
        "and a distal interlocking screw. Alignment was anatomic.",
        anesthesia="Spinal anesthesia with sedation",
        recovery=_HIP_RECOVERY,
    ),
    consult="Hospital Medicine",
    los=(3, 6),
)

APPENDICITIS = Condition(
    key="appendicitis",
    diagnosis="Acute appendicitis without perforation",
    complaint="Abdominal pain",
    story=(
        "reports periumbilical pain that began yesterday and migrated to the right lower "
        "quadrant, with anorexia and nausea",
        "describes {days} day(s) of constant lower abdominal pain, worse with walking and "
        "coughing, with one episode of emesis",
    ),
    exam="Tenderness at McBurney's point with voluntary guarding; positive Rovsing sign; no "
    "rebound.",
    plan=(
        "NPO, IV fluids and antibiotics; laparoscopic appendectomy today.",
        "Surgical consultation obtained; plan laparoscopic appendectomy; antiemetics and "
        "analgesia.",
    ),
    course="{Subj} underwent laparoscopic appendectomy without complication. The diet was "
    "advanced on postoperative day 1 and {subj} was ambulating with pain controlled on "
    "oral analgesics.",
    symptoms=("abdominal pain", "nausea", "vomiting"),
    progress_exam="Port sites clean and dry; abdomen soft and appropriately tender.",
    service=SURGERY,
    ages=(5, 85),
    labs=(WBC_UP,),
    meds=(
        either(
            med("ceftriaxone", "2 g", "IV", "every 24 hours", "penicillin", "50 mg/kg"),
            med("ciprofloxacin", "400 mg", "IV", "every 12 hours"),
        ),
        med("metronidazole", "500 mg", "IV", "every 8 hours", child="10 mg/kg"),
        med("ondansetron", "4 mg", "IV", "every 6 hours as needed for nausea", child="0.1 mg/kg"),
    ),
    imaging=Imaging(
        "CT abdomen and pelvis with IV contrast",
        "The appendix is dilated to 12 mm with periappendiceal fat stranding and an "
        "appendicolith. No abscess or free air.",
        "Acute appendicitis without evidence of perforation.",
    ),
    operation=Operation(
        name="Laparoscopic appendectomy",
        specialty=SURGERY,
        findings="Inflamed, nonperforated appendix with surrounding fibrinous exudate.",
        technique="Three-port laparoscopy. The mesoappendix was divided with an energy device "
        "and the appendiceal base was stapled. The specimen was removed in a retrieval bag. "
        "The right lower quadrant was irrigated and hemostasis confirmed.",
        specimen="Appendix",
        gross="Appendix, 6.5 cm in length and 1.1 cm in diameter, with a fibrinopurulent "
        "serosal exudate and a fecalith in the lumen.",
        microscopic="Transmural neutrophilic infiltrate with mucosal ulceration and serositis.",
        pathology="Acute suppurative appendicitis with periappendicitis. Negative for neoplasm.",
    ),
    los=(1, 3),
)

CHOLECYSTITIS = Condition(
    key="cholecystitis",
    diagnosis="Calculus of gallbladder with acute cholecystitis without obstruction",
    complaint="Right upper quadrant abdominal pain",
    story=(
        "reports constant right upper quadrant pain for {days} days after fatty meals, "
        "radiating to the back, with nausea and vomiting",
        "has had intermittent postprandial epigastric pain for months, now constant for "
        "{days} days with subjective fevers",
    ),
    exam="Right upper quadrant tenderness with a positive Murphy sign; no jaundice.",
    plan=(
        "NPO, IV fluids and antibiotics; laparoscopic cholecystectomy this admission.",
        "Surgical management with laparoscopic cholecystectomy; trend liver tests.",
    ),
    course="{Subj} underwent laparoscopic cholecystectomy without complication, tolerated a "
    "regular diet the following day and was discharged with oral analgesics.",
    symptoms=("abdominal pain", "nausea", "vomiting", "fever"),
    progress_exam="Port sites clean and dry; abdomen soft and appropriately tender.",
    service=SURGERY,
    ages=(20, 95),
    labs=(WBC_UP,),
    meds=(
        either(
            med("ceftriaxone", "2 g", "IV", "every 24 hours", "penicillin"),
            med("ciprofloxacin", "400 mg", "IV", "every 12 hours"),
        ),
        med("metronidazole", "500 mg", "IV", "every 8 hours"),
    ),
    imaging=Imaging(
        "Ultrasound abdomen, right upper quadrant",
        "The gallbladder is distended with multiple shadowing gallstones, wall thickening to "
        "5 mm and pericholecystic fluid. Sonographic Murphy sign is positive. The common bile "
        "duct measures 4 mm.",
        "Acute calculous cholecystitis. No biliary dilatation.",
    ),
    operation=Operation(
        name="Laparoscopic cholecystectomy",
        specialty=SURGERY,
        findings="Acutely inflamed, distended gallbladder with omental adhesions.",
        technique="Four-port laparoscopy. The critical view of safety was obtained. The cystic "
        "duct and artery were clipped and divided and the gallbladder was removed from the "
        "liver bed with electrocautery and extracted in a retrieval bag.",
        specimen="Gallbladder",
        gross="Gallbladder, 8.5 x 3.2 cm, with a wall up to 0.6 cm thick, containing multiple "
        "yellow-green faceted stones.",
        microscopic="Mucosal ulceration, wall edema and transmural acute and chronic inflammation.",
        pathology="Acute and chronic cholecystitis with cholelithiasis. Negative for "
        "dysplasia and malignancy.",
    ),
    los=(1, 4),
)

KNEE_OSTEOARTHRITIS = Condition(
    key="knee_oa",
    diagnosis="Unilateral primary osteoarthritis, {side} knee",
    complaint="Chronic {side} knee pain, admitted for elective arthroplasty",
    story=(
        "has had {side} knee pain for several years, now limiting walking to one block despite "
        "physical therapy, NSAIDs and corticosteroid injections",
        "reports progressive {side} knee pain and stiffness that wakes {obj} at night and has "
        "failed a year of conservative treatment",
    ),
    exam="{Side} knee with varus deformity, medial joint line tenderness, crepitus and range "
    "of motion 5 to 100 degrees; neurovascularly intact distally.",
    plan=(
        "{Side} total knee arthroplasty today; perioperative antibiotics; DVT prophylaxis; "
        "physical therapy on postoperative day 0.",
    ),
    course="{Subj} underwent elective {side} total knee arthroplasty without complication, "
    "met physical therapy goals and was discharged on DVT prophylaxis.",
    symptoms=("joint pain",),
    progress_exam="{Side} knee dressing clean and dry; flexion to 80 degrees; calf soft.",
    service=ORTHO,
    lateral=True,
    ages=(45, 90),
    meds=(CEFAZOLIN, med("aspirin", "81 mg", "PO", "twice daily"), OXYCODONE, ACETAMINOPHEN),
    imaging=Imaging(
        "{Side} knee radiographs, 3 views",
        "Severe medial joint space narrowing with subchondral sclerosis and marginal "
        "osteophytes. No acute fracture. No joint effusion.",
        "Severe osteoarthritis of the {side} knee, most pronounced medially.",
    ),
    operation=Operation(
        name="{Side} total knee arthroplasty",
        specialty=ORTHO,
        elective=True,
        findings="Bone-on-bone medial compartment arthritis of the {side} knee.",
        technique="Medial parapatellar arthrotomy of the {side} knee under tourniquet. Distal "
        "femoral and proximal tibial cuts were made with standard guides, the components were "
        "cemented and a polyethylene insert placed. Patellar tracking was normal.",
        anesthesia="Spinal anesthesia with adductor canal block",
        recovery="Physical therapy twice daily; aspirin for DVT prophylaxis; cryotherapy; "
        "multimodal analgesia.",
        specimen="{Side} knee bone and cartilage",
        gross="Multiple fragments of bone and cartilage aggregating 7 x 5 x 2 cm.",
        microscopic="Articular cartilage with fibrillation and eburnation; subchondral sclerosis.",
        pathology="Degenerative joint disease (osteoarthritis), {side} knee. Negative for "
        "malignancy.",
    ),
    los=(1, 3),
)

ACUTE_BLOOD_LOSS = LabEffect("718-7", (7.6, 9.4), (8.2, 9.8))
