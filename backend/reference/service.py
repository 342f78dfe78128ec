"""Reference data with human labels, and one way to read a value given as code or label.

Every list is `code + label`. Wherever a person types one of these values (the job profile,
the job search filters, the roster), either the code or the exact label is accepted; a value
that is neither is refused with the allowed ones listed (DISTRICT_UNKNOWN, OCCUPATION_UNKNOWN…).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend.accounts.models import TRAINEE_CATEGORY_LABELS
from backend.districts import DISTRICTS
from backend.errors import InvalidInput
from backend.occupations import (
    EDUCATION_LABELS,
    GROUPS,
    MAJOR_GROUPS,
    OCCUPATIONS,
    Education,
    is_valid_code,
)

MAX_LISTED = 60  # a refusal lists at most this many allowed values

# The roster's education words (EDUCATION_LEVELS of backend/classes/roster_import.py) as
# education codes: a job profile opened for the first time is pre-filled from the roster row.
ROSTER_EDUCATION: dict[str, Education] = {
    "初中及以下": Education.JUNIOR_MIDDLE,
    "高中": Education.HIGH_SCHOOL,
    "中专": Education.HIGH_SCHOOL,
    "大专": Education.JUNIOR_COLLEGE,
    "本科": Education.BACHELOR,
    "硕士": Education.MASTER,
    "博士": Education.DOCTOR,
}


class RefKind(StrEnum):
    """The reference lists."""

    DISTRICT = "districts"
    OCCUPATION = "occupations"
    EDUCATION = "education-levels"
    TRAINEE_CATEGORY = "trainee-categories"


UNKNOWN_CODES = {
    RefKind.DISTRICT: "DISTRICT_UNKNOWN",
    RefKind.OCCUPATION: "OCCUPATION_UNKNOWN",
    RefKind.EDUCATION: "EDUCATION_UNKNOWN",
    RefKind.TRAINEE_CATEGORY: "TRAINEE_CATEGORY_UNKNOWN",
}
KIND_LABELS = {
    RefKind.DISTRICT: "区县",
    RefKind.OCCUPATION: "职业（岗位类别）",
    RefKind.EDUCATION: "学历",
    RefKind.TRAINEE_CATEGORY: "人员类别",
}


@dataclass(frozen=True)
class Choice:
    """One value of a list: its code and its label (and, for occupations, its level)."""

    code: str
    label: str
    level: str = ""


def _occupations() -> list[Choice]:
    choices = [Choice(c, n, "major") for c, n in MAJOR_GROUPS.items()]
    choices += [Choice(c, n, "medium" if c.count("-") == 1 else "minor") for c, n in GROUPS.items()]
    choices += [Choice(c, n, "occupation") for c, n in OCCUPATIONS.items()]
    return sorted(choices, key=lambda c: [int(p) for p in c.code.split("-")])


def choices(kind: RefKind) -> list[Choice]:
    """Every value of a list, in its natural order."""
    if kind is RefKind.DISTRICT:
        return [Choice(c, n) for c, n in DISTRICTS.items()]
    if kind is RefKind.OCCUPATION:
        return _occupations()
    if kind is RefKind.EDUCATION:
        return [Choice(e.value, label) for e, label in EDUCATION_LABELS.items()]
    return [Choice(c.value, label) for c, label in TRAINEE_CATEGORY_LABELS.items()]


def search(kind: RefKind, q: str = "") -> list[Choice]:
    """The values whose code starts with q or whose label contains it (all when q is empty)."""
    q = q.strip()
    return [c for c in choices(kind) if not q or c.code.startswith(q) or q in c.label]


def resolve(kind: RefKind, value: str, *, field: str) -> str:
    """The code of a value given as its code or its exact label; refused with the allowed ones."""
    text = value.strip()
    for choice in choices(kind):
        if text in (choice.code, choice.label):
            return choice.code
    if kind is RefKind.OCCUPATION and is_valid_code(text):
        return text  # a code of the catalogue's shape the site may use though we do not list it
    if kind is RefKind.EDUCATION and text in ROSTER_EDUCATION:
        return ROSTER_EDUCATION[text].value  # the roster's words for the same levels
    listed = search(kind, text[:2]) if kind is RefKind.OCCUPATION else choices(kind)
    listed = listed or choices(kind)
    raise InvalidInput(
        f"{KIND_LABELS[kind]}“{text}”不是允许的取值，可选："
        + "、".join(c.label for c in listed[:8])
        + ("等" if len(listed) > 8 else ""),
        code=UNKNOWN_CODES[kind],
        details={
            "field": field,
            "value": text,
            "reference": f"/api/v1/reference/{kind.value}",
            "allowed": [{"code": c.code, "label": c.label} for c in listed[:MAX_LISTED]],
        },
    )


def resolve_all(kind: RefKind, values: list[str], *, field: str) -> list[str]:
    """Each value resolved to its code (the first unknown one refused)."""
    return [resolve(kind, v, field=field) for v in values]
