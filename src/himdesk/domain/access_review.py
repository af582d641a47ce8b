"""Which accesses a privacy officer should look at, and how a review is closed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from himdesk.domain.restrictions import AccessKind
from himdesk.domain.sensitivity import SensitiveCategory


class FlagRule(enum.StrEnum):
    BREAK_GLASS = "break_glass"
    VIP_OR_EMPLOYEE = "vip_or_employee"
    SAME_LAST_NAME = "same_last_name"
    NO_TREATMENT_RELATIONSHIP = "no_treatment_relationship"
    AFTER_HOURS_BULK = "after_hours_bulk"
    MANY_CHARTS = "many_charts"

    @property
    def label(self) -> str:
        return _RULE_LABELS[self]


_RULE_LABELS = {
    FlagRule.BREAK_GLASS: "Break-the-glass access",
    FlagRule.VIP_OR_EMPLOYEE: "VIP or employee record",
    FlagRule.SAME_LAST_NAME: "Patient shares the user's last name",
    FlagRule.NO_TREATMENT_RELATIONSHIP: "No treatment relationship",
    FlagRule.AFTER_HOURS_BULK: "Many charts opened after hours",
    FlagRule.MANY_CHARTS: "Many charts in a short time",
}


class Disposition(enum.StrEnum):
    APPROPRIATE = "appropriate"
    FALSE_POSITIVE = "false_positive"
    EDUCATION = "education_provided"
    SANCTION = "sanction_referred"

    @property
    def label(self) -> str:
        return {
            "appropriate": "Appropriate access (job duties)",
            "false_positive": "False positive",
            "education_provided": "Inappropriate: education provided",
            "sanction_referred": "Inappropriate: referred for sanction",
        }[self.value]


@dataclass(frozen=True)
class ReviewThresholds:
    many_charts: int = 30  # distinct charts ...
    many_charts_minutes: int = 15  # ... within this many minutes
    after_hours_charts: int = 10  # distinct charts in the last hour, outside 06:00-20:00
    day_starts: int = 6
    day_ends: int = 20


@dataclass(frozen=True)
class AccessContext:
    """What is known about one chart access when it happens."""

    grant_kind: AccessKind | None
    patient_categories: frozenset[SensitiveCategory]
    patient_family_norm: str
    user_family_norm: str
    is_clinician: bool
    treatment_relationship: bool
    local_time: datetime
    charts_recently: int  # distinct patients opened in the many-charts window, this one included
    charts_last_hour: int


def flags_for(
    access: AccessContext, limits: ReviewThresholds = ReviewThresholds()
) -> list[FlagRule]:
    flags = []
    if access.grant_kind is AccessKind.BREAK_GLASS:
        flags.append(FlagRule.BREAK_GLASS)
    if access.patient_categories & {SensitiveCategory.VIP, SensitiveCategory.EMPLOYEE}:
        flags.append(FlagRule.VIP_OR_EMPLOYEE)
    if access.user_family_norm and access.user_family_norm == access.patient_family_norm:
        flags.append(FlagRule.SAME_LAST_NAME)
    if access.is_clinician and not access.treatment_relationship:
        flags.append(FlagRule.NO_TREATMENT_RELATIONSHIP)
    after_hours = not limits.day_starts <= access.local_time.hour < limits.day_ends
    if after_hours and access.charts_last_hour >= limits.after_hours_charts:
        flags.append(FlagRule.AFTER_HOURS_BULK)
    if access.charts_recently >= limits.many_charts:
        flags.append(FlagRule.MANY_CHARTS)
    return flags


@dataclass(frozen=True)
class AccessFlag:
    audit_sequence: int
    user_id: int
    username: str
    patient_id: int
    rule: FlagRule
    flagged_at: datetime
    id: int | None = None
    disposition: Disposition | None = None
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    note: str = ""

    @property
    def is_open(self) -> bool:
        return self.disposition is None
