"""The job-seeking training blacklist (求职能力实训黑名单, 第二十七条): who is on it on a day.

An entry names an institution, an instructor or a trainee, the reason and a period of days:
from `starts_on`, to `ends_on` inclusive (open-ended when empty), until HR lifts it (not in
force from the day of lifting). "Is X blacklisted on D" is `is_blacklisted`; the classes
service calls `ensure_not_blacklisted` / `ensure_none_blacklisted` where a listed party would
act (assigning an instructor, drafting a plan). HR keeps the list through
`backend/supervision/blacklisting.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tortoise.expressions import Q

from backend.accounts.models import Institution, Instructor, Trainee
from backend.errors import RuleViolation
from backend.registers.models import BlacklistEntry, BlacklistKind

SUBJECTS: dict[BlacklistKind, Any] = {
    BlacklistKind.INSTITUTION: Institution,
    BlacklistKind.INSTRUCTOR: Instructor,
    BlacklistKind.TRAINEE: Trainee,
}
_REFUSALS = {
    BlacklistKind.INSTITUTION: "该培训机构已被列入求职能力实训黑名单（第二十七条），不能申报培训班",
    BlacklistKind.INSTRUCTOR: "以下讲师已被列入求职能力实训黑名单（第二十七条），不能安排授课：",
    BlacklistKind.TRAINEE: "该学员已被列入求职能力实训黑名单（第二十七条）",
}


def in_force(on: date) -> Q:
    """The entries that hold on a day."""
    return (
        Q(starts_on__lte=on)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
    )


async def blacklisted_ids(kind: BlacklistKind, ids: Iterable[int], on: date) -> set[int]:
    """Which of these subjects are blacklisted on that day (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    found = await BlacklistEntry.filter(in_force(on), kind=kind, subject_id__in=wanted).values_list(
        "subject_id", flat=True
    )
    return {int(i) for i in found}  # type: ignore[call-overload]


async def is_blacklisted(kind: BlacklistKind, subject_id: int, on: date) -> bool:
    """True if the subject has an entry in force on that day."""
    return bool(await blacklisted_ids(kind, [subject_id], on))


async def ensure_none_blacklisted(kind: BlacklistKind, ids: Iterable[int], on: date) -> None:
    """Refuse (422, 第二十七条) if any of these subjects is blacklisted on that day."""
    listed = await blacklisted_ids(kind, ids, on)
    if not listed:
        return
    names = (
        await SUBJECTS[kind]
        .filter(id__in=sorted(listed))
        .order_by("id")
        .values_list("name", flat=True)
    )
    message = _REFUSALS[kind]
    if kind is BlacklistKind.INSTRUCTOR:
        message += "、".join(str(n) for n in names)
    raise RuleViolation(
        message,
        code="BLACKLISTED",
        details={"article": "第二十七条", "kind": kind.value, "ids": sorted(listed)},
    )


async def ensure_not_blacklisted(kind: BlacklistKind, id: int, on: date) -> None:
    """Refuse (422, 第二十七条) if the subject is blacklisted on that day."""
    await ensure_none_blacklisted(kind, [id], on)
