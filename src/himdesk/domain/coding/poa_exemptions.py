"""Which ICD-10-CM codes are exempt from present-on-admission (POA) reporting.

Source: the CMS list of POA exempt codes for FY2025, POAexemptCodesFY25.txt (38,154 codes,
the list behind Appendix I of the ICD-10-CM Official Guidelines). All of it was checked: the
rules below, applied to the FY2025 order file (codes and long titles), rebuild that file
line for line - the same 38,154 codes, the same 4,015,925 characters. No FY2026 list was at
hand, so FY2026 codes are judged by the FY2025 rules (see UNDECIDED_IN_FY2026);
tests/unit/test_poa_exemptions.py checks the rules against the FY2026 tabular.

How the file was condensed into prefixes (codes without their dot):
- WHOLE: every FY2025 code beneath the prefix is on the list, whatever its 7th character.
  A prefix is a category or the shortest subcategory of which that holds; a chapter letter
  where the whole chapter is on the list (Q congenital; V transport accidents, with the
  carve-outs below). Codes new in FY2026 beneath such a prefix are exempt with it, as CMS
  added the FY2025 newcomers of exempt categories (POAexemptAddCodesFY25.txt).
- LATER_ENCOUNTER: beneath the prefix, exactly the codes whose 7th character means a
  subsequent encounter or a sequela are on the list (S00-T88 throughout; M80, M84.7, M97;
  the external causes listed, whose initial encounters are not exempt). The 7th character's
  meaning is read from the tabular, so D, G, K, P, S... need no list of their own. Where
  both apply (W16 later encounters, W16.7 whole), WHOLE wins.
- CARVED_OUT: codes or subcategories the file leaves out although they lie beneath a prefix
  above. Some are deliberate (hospital and ambulatory-surgery places of occurrence,
  powered-wheelchair and mobility-scooter accidents), some look like slips of the file (one
  7th character of a fracture missing); the list is followed as published either way.
196 whole, 47 later-encounter and 24 carved-out prefixes in all.
Whatever is under none of these (I50.21, J18.9, W19.XXXA falls, Y92.23- hospital...) needs
a POA indicator.
"""

from __future__ import annotations

import enum

from himdesk.domain.coding.codes import normalized_code
from himdesk.domain.coding.tabular import Tabular


def _prefixes(listed: str) -> tuple[str, ...]:
    return tuple(normalized_code(prefix) for prefix in listed.split())


WHOLE = _prefixes("""
    B90 B91 B92 B94 E64 I25.2 I69 O09 O66.5 O80 O94 P00 P29.3 P78.84 P83.8 P91.8 Q V
    W14 W15 W16.7 W16.8 W16.9 W17.0 W17.1 W17.3 W17.4 W17.81 W17.82 W18.01 W21 W22.02 W22.1
    W24.1 W26.1 W26.2 W26.8 W26.9 W27.0 W27.1 W27.8 W28 W29 W30 W31 W32 W33 W34 W35 W36 W37
    W38 W39 W40 W42.0 W45.0 W52 W53 W54 W55 W56 W58 W59 W60 W61 W62 W64 W69 W73 W74 W89 W92
    W93 W94 W99
    X30 X31 X32 X35 X39 X50 X52 X71.3 X71.8 X71.9 X72 X73 X74 X75 X76 X77 X81 X82 X83 X98.0
    Y02 Y03 Y07 Y08 Y21 Y23.3 Y23.9 Y24.0 Y24.8 Y30 Y32 Y36 Y37 Y92 Y93 Y99
    Z00 Z01 Z02 Z03 Z04.8 Z05 Z08 Z09 Z11 Z12 Z13 Z14 Z15 Z17 Z18 Z19 Z20.821 Z22 Z23 Z28
    Z29 Z30 Z31 Z33.3 Z34 Z36 Z37 Z38 Z39 Z3A Z40.03 Z41 Z42 Z43 Z44 Z45 Z46 Z47 Z48 Z49
    Z51 Z52 Z53.3 Z55 Z56 Z57 Z58 Z59 Z62 Z63 Z64 Z65 Z67 Z68 Z69 Z70 Z71 Z72 Z73 Z74.01
    Z75 Z76 Z77.1 Z78 Z79 Z80 Z81 Z82 Z83 Z84 Z85 Z86 Z87 Z88 Z89 Z90 Z91 Z92 Z93 Z94 Z95
    Z96.82 Z97 Z98 Z99
""")
LATER_ENCOUNTER = _prefixes("""
    M80 M84.7 M97 S T
    W09 W16 W17.89 W18 W22 W24 W27 W42 W44 W49 W57 W65 W67 W85 W86 W88 W90
    X02 X03 X04 X34 X36 X37 X38 X71.1 X71.2 X92 X93 X94 X95 X96 X97 X98 X99
    Y00 Y01 Y04 Y22 Y23 Y24 Y35 Y38
""")
CARVED_OUT = _prefixes("""
    I69.91 V00.81 V00.83 V03.13 S02.11AD S02.11CD S99.121S S99.239S
    T83.113D T83.113S T83.123D T83.123S W16.322D W22.042D W59.01XA X98.3XXD
    Y23.2XXS Y92.23 Y92.530 Y92.538 Y93.01 Y93.02 Y93.11 Z72.823
""")
# Codes new in FY2026 beneath categories the FY2025 list exempts only in part (W44 only its
# later encounters; W45 only W45.0; Z40 only Z40.03; Z77 only Z77.1): the FY2025 rules cannot
# say which way CMS went, and a third-party copy of the FY2026 list counts 7 more codes than
# these rules give for FY2026, all after V91. A missing POA on them is a warning, not an error.
UNDECIDED_IN_FY2026 = _prefixes("W44.H9XA W45.3 Z40.8 Z77.3")


class PoaReporting(enum.StrEnum):
    REQUIRED = "required"
    EXEMPT = "exempt"
    UNDECIDED = "undecided"  # see UNDECIDED_IN_FY2026


def poa_reporting(code: str, tabular: Tabular) -> PoaReporting:
    code = normalized_code(code)
    if code.startswith(CARVED_OUT):
        return PoaReporting.REQUIRED
    if code.startswith(UNDECIDED_IN_FY2026):
        return PoaReporting.UNDECIDED
    if code.startswith(WHOLE):
        return PoaReporting.EXEMPT
    if code.startswith(LATER_ENCOUNTER) and _later_encounter(code, tabular):
        return PoaReporting.EXEMPT
    return PoaReporting.REQUIRED


def _later_encounter(code: str, tabular: Tabular) -> bool:
    """The 7th character means a subsequent encounter or a sequela."""
    if len(code) != 7:
        return False
    rule = tabular.seventh_rule(code[:6].rstrip("X"))
    meaning = dict(rule.characters).get(code[6], "") if rule is not None else ""
    return meaning.lower().startswith(("subsequent", "sequela"))
