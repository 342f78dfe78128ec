"""Absence warnings: a trainee who can no longer reach the completion threshold (第二十二条).

A session a trainee missed (absent, or excused) can no longer count; every other session still
can (it is ahead, running, or its scan awaits the class teacher). Once the sessions that can
still count are fewer than the threshold's share of all sessions, completion is out of reach,
and the trainee and the class teacher are told at once (backend/workqueue/reminders.py) — no
earlier, no later. The threshold is COMPLETION_ATTENDANCE_THRESHOLD, the one completion uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend import clock
from backend.attendance.rules import Status
from backend.attendance.views import class_attendance
from backend.classes.models import ClassStatus, TrainingClass
from backend.classes.service import record_class_event
from backend.events.service import EventKind
from backend.runtime import runtime

LOST = (Status.ABSENT, Status.EXCUSED)


@dataclass(frozen=True)
class AbsenceRisk:
    """A trainee whose attendance can no longer reach the threshold."""

    trainee_id: int
    name: str
    missed: int
    sessions: int
    best_rate: Decimal  # the rate if every remaining session is attended


def threshold() -> Decimal:
    """COMPLETION_ATTENDANCE_THRESHOLD as a Decimal."""
    return Decimal(str(runtime().settings.completion_attendance_threshold))


def out_of_reach(*, missed: int, sessions: int, needed: Decimal) -> bool:
    """True when even attending every remaining session leaves the rate below `needed`."""
    return sessions > 0 and Decimal(sessions - missed) < needed * sessions


async def trainees_out_of_reach(
    klass: TrainingClass, trainee_ids: list[int] | None = None
) -> list[AbsenceRisk]:
    """The class's trainees (or these of them) who can no longer complete for lack of attendance."""
    matrix = await class_attendance(klass=klass, trainee_ids=trainee_ids)
    total, needed = len(matrix.sessions), threshold()
    risks = []
    for trainee in matrix.trainees:
        tid = trainee.trainee_id
        missed = sum(matrix.cells[(tid, s.id)].status in LOST for s in matrix.sessions)
        if out_of_reach(missed=missed, sessions=total, needed=needed):
            best = (Decimal(total - missed) / Decimal(total)).quantize(Decimal("0.0001"))
            risks.append(AbsenceRisk(tid, trainee.name, missed, total, best))
    return risks


async def record_absence_warning(klass: TrainingClass, risk: AbsenceRisk) -> bool:
    """Record the warning of one trainee of one class (once: the key names them)."""
    return await record_class_event(
        klass,
        EventKind.ABSENCE_WARNING,
        key=f"trainee:{risk.trainee_id}",
        trainee_id=risk.trainee_id,
        trainee_name=risk.name,
        missed=risk.missed,
        threshold=f"{threshold() * 100:.0f}%",
        date=clock.today().isoformat(),
        page="pages/schedule/index",
    )


async def warn_if_out_of_reach(*, class_id: int, trainee_id: int) -> bool:
    """After a change that can lose a session (absent, excused, a rejected scan): warn at once
    if completion is now out of reach (in the caller's transaction)."""
    klass = await TrainingClass.get(id=class_id)
    if klass.status != ClassStatus.IN_PROGRESS:
        return False
    warned = False
    for risk in await trainees_out_of_reach(klass, [trainee_id]):
        warned |= await record_absence_warning(klass, risk)
    return warned
