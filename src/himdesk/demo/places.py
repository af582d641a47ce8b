"""Street names and real city/state/ZIP-prefix triples for synthetic addresses.

The demo hospital sits in central Massachusetts, so most patients live in New England;
the rest come from across the country. ZIP codes are a real 3-digit prefix for the city
plus two made-up digits.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


STREETS = _words(
    """Main Oak Maple Cedar Elm Pine Washington Lake Hill Park Walnut Chestnut Highland Sunset
    Spring Church Mill River Center Prospect School Union Pleasant Franklin Lincoln Jefferson
    Madison Willow Birch Hickory Dogwood Magnolia Meadow Forest Ridge Valley Summit Harbor Bay
    Orchard Cherry Laurel Holly Sycamore Aspen Juniper Liberty Independence Grand Broad Market
    Water Front Bridge Academy Beacon Salem Grove Green Jackson Adams Quincy Dudley Shrewsbury
    Lexington Concord Belmont Brookside Fairview Greenwood Heritage"""
) + ("Martin Luther King Jr", "Cesar Chavez", "Old Farm", "Indian Hill", "Pleasant Valley")

STREET_TYPES = ("St", "St", "Ave", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl", "Ter", "Cir")

UNITS = ("Apt 1", "Apt 2B", "Apt 3C", "Apt 4", "Unit 12", "Apt 205", "Unit B", "Apt 7F", "#3")

LOCAL_CITIES = (
    ("Worcester", "MA", "016"),
    ("Worcester", "MA", "016"),
    ("Worcester", "MA", "016"),
    ("Shrewsbury", "MA", "015"),
    ("Leominster", "MA", "014"),
    ("Fitchburg", "MA", "014"),
    ("Springfield", "MA", "011"),
    ("Boston", "MA", "021"),
    ("Cambridge", "MA", "021"),
    ("Lowell", "MA", "018"),
    ("Framingham", "MA", "017"),
    ("Marlborough", "MA", "017"),
    ("Brockton", "MA", "023"),
    ("New Bedford", "MA", "027"),
    ("Fall River", "MA", "027"),
    ("Pittsfield", "MA", "012"),
    ("Providence", "RI", "029"),
    ("Woonsocket", "RI", "028"),
    ("Hartford", "CT", "061"),
    ("Putnam", "CT", "062"),
    ("Nashua", "NH", "030"),
    ("Manchester", "NH", "031"),
    ("Portland", "ME", "041"),
    ("Burlington", "VT", "054"),
)

DISTANT_CITIES = (
    ("New York", "NY", "100"),
    ("Albany", "NY", "122"),
    ("Philadelphia", "PA", "191"),
    ("Baltimore", "MD", "212"),
    ("Richmond", "VA", "232"),
    ("Charlotte", "NC", "282"),
    ("Atlanta", "GA", "303"),
    ("Miami", "FL", "331"),
    ("Orlando", "FL", "328"),
    ("Nashville", "TN", "372"),
    ("Columbus", "OH", "432"),
    ("Detroit", "MI", "482"),
    ("Chicago", "IL", "606"),
    ("Minneapolis", "MN", "554"),
    ("St. Louis", "MO", "631"),
    ("New Orleans", "LA", "701"),
    ("Houston", "TX", "770"),
    ("San Antonio", "TX", "782"),
    ("Denver", "CO", "802"),
    ("Albuquerque", "NM", "871"),
    ("Phoenix", "AZ", "850"),
    ("Salt Lake City", "UT", "841"),
    ("Las Vegas", "NV", "891"),
    ("Los Angeles", "CA", "900"),
    ("San Diego", "CA", "921"),
    ("Seattle", "WA", "981"),
    ("Portland", "OR", "972"),
    ("Anchorage", "AK", "995"),
    ("Honolulu", "HI", "968"),
    ("San Juan", "PR", "009"),
)
