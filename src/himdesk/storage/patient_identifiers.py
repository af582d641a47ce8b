"""The identifiers other systems know patients by, and the candidates an incoming one may be.

SSNs are never stored here in the clear: the value is a keyed digest (HMAC-SHA256 under a
key derived from the field key, prefixed with that key's id), so equal SSNs can be found by
an index without the column revealing any. Digests under a retired field key still find
their patient: lookups try every key in the ring.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Select,
    bindparam,
    literal_column,
    select,
    tuple_,
    union,
    union_all,
)

from himdesk.domain.identifiers import normalize_ssn
from himdesk.domain.incoming import IdentifierKind, PatientIdentifier
from himdesk.domain.names import sound_key
from himdesk.domain.patient_matching import Candidate, IdentifierKey, PatientProfile
from himdesk.domain.records import AdministrativeSex
from himdesk.storage.crypto import FieldCipher
from himdesk.storage.patients import SSN_CONTEXT
from himdesk.storage.tables import patient_identifiers, patients

SSN = IdentifierKind.SSN.value
SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
# How himdesk's own exports name the hospital MRN's system (see interop/fhir/vocabulary.py).
OWN_MRN_SYSTEM = "urn:himdesk:mrn:"
_DIGEST_KEY_LABEL = b"himdesk identifier digest key v1"
_CANDIDATES_PER_RULE = 200

# Built once, values bound as parameters: matching runs for every message of a feed.
_pi, _p = patient_identifiers.c, patients.c
_IMPORTED_CARRIERS = select(
    literal_column("0"), _pi.kind, _pi.system, _pi.value, _pi.patient_id
).where(tuple_(_pi.kind, _pi.system, _pi.value).in_(bindparam("keys", expanding=True)))
_OWN_CARRIERS = select(literal_column("1"), literal_column("''"), _p.facility, _p.mrn, _p.id).where(
    tuple_(_p.facility, _p.mrn).in_(bindparam("own", expanding=True))
)
_CARRIERS = union_all(_IMPORTED_CARRIERS, _OWN_CARRIERS)
_MERGED = select(_p.id, _p.merged_into_id).where(
    _p.id.in_(bindparam("ids", expanding=True)), _p.merged_into_id.is_not(None)
)
_LIVE = select(_p.id).where(
    _p.id.in_(bindparam("ids", expanding=True)), _p.merged_into_id.is_(None)
)
_PROFILES = (
    select(_p.id, _p.family_name, _p.given_name, _p.birth_on, _p.sex, _p.postal_code, _p.phone,
           _p.ssn_encrypted, _p.facility, _p.mrn)
    .where(_p.id.in_(bindparam("ids", expanding=True)))
    .order_by(_p.id)
)  # fmt: skip
_IDENTIFIERS_OF = select(_pi.patient_id, _pi.kind, _pi.system, _pi.value).where(
    _pi.patient_id.in_(bindparam("ids", expanding=True))
)
_ADD_IDENTIFIERS = patient_identifiers.insert()


def _candidate_rules(by_sound: bool) -> Select[Any] | CompoundSelect[Any]:
    """Same birth date; or same family sound and birth year (when the name has a sound)."""
    live = _p.merged_into_id.is_(None)
    rules = [select(_p.id).where(live, _p.birth_on == bindparam("birth_on"))]
    if by_sound:
        rules.append(
            select(_p.id)
            .where(live, _p.family_sound == bindparam("sound"))
            .where(_p.birth_on.between(bindparam("year_start"), bindparam("year_end")))
        )
    limited = [rule.limit(_CANDIDATES_PER_RULE).subquery().select() for rule in rules]
    return union(*limited) if by_sound else limited[0]


_CANDIDATES = {by_sound: _candidate_rules(by_sound) for by_sound in (True, False)}


def ssn_digests(cipher: FieldCipher, ssn: str) -> list[str]:
    """'<key id>:<hex>' for the SSN under every key in the ring, the current key's first."""
    return cipher.digests(ssn, _DIGEST_KEY_LABEL)


class SqlPatientIndexRepository:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._db = connection
        self._cipher = cipher
        self._digests: dict[str, list[str]] = {}

    def identifier_keys(self, identifiers: Sequence[PatientIdentifier]) -> frozenset[IdentifierKey]:
        """The identifiers as matching compares them: SSNs as their current-key digest."""
        return frozenset(self._stored(i) for i in identifiers)

    def patients_with(self, keys: Collection[IdentifierKey]) -> dict[IdentifierKey, set[int]]:
        """Who carries each key: as an imported identifier, or as our own MRN (facility)."""
        found: dict[IdentifierKey, set[int]] = {}
        if not keys:
            return found
        lookup = {alias: key for key in keys for alias in self._aliases(key)}
        own = {(_facility(k[1]), k[2]): k for k in keys if k[0] == IdentifierKind.MRN.value}
        # Imported identifiers and our own MRNs in one statement (a round trip each cost
        # more than the lookups).
        query = _CARRIERS if own else _IMPORTED_CARRIERS
        params = {"keys": sorted(lookup), "own": sorted(own)} if own else {"keys": sorted(lookup)}
        for is_own, kind, system, value, patient_id in self._db.execute(query, params):
            key = own[(system, value)] if is_own else lookup[(kind, system, value)]
            found.setdefault(key, set()).add(patient_id)
        return found

    def add_identifiers(self, patient_id: int, identifiers: Sequence[PatientIdentifier]) -> int:
        """Record the identifiers the patient lacks; those another patient holds stay theirs."""
        keys = {self._stored(i) for i in identifiers}
        taken = self.patients_with(keys)
        new = [k for k in sorted(keys) if k not in taken]
        if new:
            self._db.execute(
                _ADD_IDENTIFIERS,
                [{"patient_id": patient_id, "kind": k, "system": s, "value": v} for k, s, v in new],
            )
        return len(new)

    def candidates(
        self, profile: PatientProfile, extra_ids: Collection[int] = ()
    ) -> list[Candidate]:
        """Patients worth scoring: same birth date, same family sound and birth year, or an
        identifier in common (`extra_ids`); never a patient merged into another."""
        year, sound = profile.birth_on.year, sound_key(profile.family_name)
        params = {"birth_on": profile.birth_on, "sound": sound,
                  "year_start": date(year, 1, 1), "year_end": date(year, 12, 31)}  # fmt: skip
        query = _CANDIDATES[bool(sound)]
        ids = set(self._db.execute(query, params).scalars())
        ids |= set(self._live(set(extra_ids)))
        return self.profiles(ids)

    def profiles(self, patient_ids: Collection[int]) -> list[Candidate]:
        if not patient_ids:
            return []
        rows = self._db.execute(_PROFILES, {"ids": sorted(patient_ids)}).all()
        held = self._identifiers_of({r.id for r in rows})
        return [self._candidate(row, held.get(row.id, set())) for row in rows]

    def survivors(self, patient_ids: Collection[int]) -> dict[int, int]:
        """Each patient, or the patient it was merged into (following merges of merges)."""
        result = {i: i for i in patient_ids}
        pending = set(result.values())
        for _ in range(20):  # a chain of merges is short; the bound keeps a cycle from hanging
            if not pending:
                break
            merged = dict(self._db.execute(_MERGED, {"ids": sorted(pending)}).all())
            if not merged:
                break
            result = {k: merged.get(v, v) for k, v in result.items()}
            pending = set(merged.values())
        return result

    def _live(self, ids: set[int]) -> list[int]:
        if not ids:
            return []
        return list(self._db.execute(_LIVE, {"ids": sorted(ids)}).scalars())

    def _candidate(self, row: Any, held: set[IdentifierKey]) -> Candidate:
        mrn = IdentifierKind.MRN.value
        keys = {(mrn, row.facility, row.mrn), (mrn, OWN_MRN_SYSTEM + row.facility, row.mrn)} | held
        if row.ssn_encrypted:
            ssn = normalize_ssn(self._cipher.decrypt(row.ssn_encrypted, SSN_CONTEXT))
            if ssn:
                keys.add((SSN, SSN_SYSTEM, self._ssn_digest(ssn)))
        profile = PatientProfile(
            family_name=row.family_name, given_name=row.given_name, birth_on=row.birth_on,
            sex=AdministrativeSex(row.sex), postal_code=row.postal_code, phone=row.phone,
            identifiers=frozenset(keys),
        )  # fmt: skip
        return Candidate(row.id, profile)

    def _identifiers_of(self, patient_ids: set[int]) -> dict[int, set[IdentifierKey]]:
        if not patient_ids:
            return {}
        current = self._cipher.current_key_id + ":"
        found: dict[int, set[IdentifierKey]] = {}
        rows = self._db.execute(_IDENTIFIERS_OF, {"ids": sorted(patient_ids)})
        for patient_id, kind, system, value in rows:
            # A digest under a retired key cannot be compared; the patient's own SSN stands in.
            if kind != SSN or value.startswith(current):
                found.setdefault(patient_id, set()).add((kind, system, value))
        return found

    def _stored(self, identifier: PatientIdentifier) -> IdentifierKey:
        if identifier.kind is IdentifierKind.SSN:
            return (SSN, SSN_SYSTEM, self._ssn_digest(identifier.value))
        return (identifier.kind.value, identifier.system, identifier.value)

    def _aliases(self, key: IdentifierKey) -> list[IdentifierKey]:
        """The key as it may be stored: an SSN digest under any key of the ring."""
        if key[0] != SSN:
            return [key]
        plain = next((s for s, d in self._digests.items() if d[0] == key[2]), None)
        return [(SSN, key[1], d) for d in self._digests[plain]] if plain else [key]

    def _ssn_digest(self, ssn: str) -> str:
        if ssn not in self._digests:
            self._digests[ssn] = ssn_digests(self._cipher, ssn)
        return self._digests[ssn][0]


def _facility(system: str) -> str:
    """An MRN's assigning authority as our facility name (our own exports prefix it)."""
    return system.removeprefix(OWN_MRN_SYSTEM)
