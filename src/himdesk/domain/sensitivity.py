"""Categories of health information that law or policy restricts beyond the usual chart access."""

from __future__ import annotations

import enum


class SensitiveCategory(enum.StrEnum):
    BEHAVIORAL_HEALTH = "behavioral_health"
    SUBSTANCE_USE = "substance_use_part2"
    HIV_STI = "hiv_sti"
    REPRODUCTIVE_HEALTH = "reproductive_health"
    VIP = "vip"
    EMPLOYEE = "employee"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SensitiveCategory.BEHAVIORAL_HEALTH: "Behavioral health",
    SensitiveCategory.SUBSTANCE_USE: "Substance use disorder treatment (42 CFR Part 2)",
    SensitiveCategory.HIV_STI: "HIV / sexually transmitted infection",
    SensitiveCategory.REPRODUCTIVE_HEALTH: "Reproductive health",
    SensitiveCategory.VIP: "VIP patient",
    SensitiveCategory.EMPLOYEE: "Employee patient",
}
