"""What the builders of one chart share: its random stream, roster, patient and history,
and the story of the stay being written up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from himdesk.demo.clinicians import Roster
from himdesk.demo.conditions import Condition, Operation
from himdesk.demo.documents import NoteWriter
from himdesk.demo.profile import PatientProfile
from himdesk.domain.records import Clinician, Encounter, Patient

# Conditions of the same body site share a side within a chart (the clinic's knee is the
# knee that is later replaced).
_SITES = {
    "knee_visit": "knee_oa",
    "cellulitis_ed": "cellulitis",
    "cellulitis_obs": "cellulitis",
    "hip_trochanteric": "hip_neck",
}
SIDES = ("left", "right")


@dataclass
class ChartContext:
    index: int
    seed: int
    rng: random.Random
    roster: Roster
    patient: Patient
    profile: PatientProfile
    horizon: datetime
    writer: NoteWriter
    sides: dict[str, str] = field(default_factory=dict)

    def side_for(self, conditions: list[Condition]) -> str:
        """The side of the stay's lateral condition, or any side (a pneumonia's lobe)."""
        for condition in conditions:
            if condition.lateral:
                site = _SITES.get(condition.key, condition.key)
                if site not in self.sides:
                    self.sides[site] = self.rng.choice(SIDES)
                return self.sides[site]
        return self.rng.choice(SIDES)

    def after(self, at: datetime, low_hours: float, high_hours: float) -> datetime:
        """A whole minute between `low_hours` and `high_hours` after `at`."""
        minutes = self.rng.randint(int(low_hours * 60), int(high_hours * 60))
        return at + timedelta(minutes=minutes)


@dataclass
class StayClock:
    """The times of a stay's events; `stop` is discharge, or now for a stay in progress."""

    admitted: datetime
    stop: datetime
    history_at: datetime
    imaging_at: list[datetime] = field(default_factory=list)
    operation_at: datetime | None = None
    consult_at: datetime | None = None
    progress_at: list[datetime] = field(default_factory=list)
    draws_at: list[datetime] = field(default_factory=list)


@dataclass
class StayStory:
    """The facts of one encounter that its notes retell."""

    encounter: Encounter
    conditions: list[Condition]
    words: dict[str, str]
    attending: Clinician
    resident: Clinician | None = None
    admission_labs: str = ""
    imaging: list[str] = field(default_factory=list)
    operation: Operation | None = None
    operation_at: datetime | None = None
    consultant: str = ""
    discharge_meds: list[str] = field(default_factory=list)

    @property
    def principal(self) -> Condition:
        return self.conditions[0]

    @property
    def age(self) -> int:
        return int(self.words["age"])
