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

from backend.attendance.rules import Status
from backend.attendance.views import class_attendance
from backend.classes.models import TrainingClass
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


async def trainees_out_of_reach(klass: TrainingClass) -> list[AbsenceRisk]:
    """The class's trainees who can no longer complete for lack of attendance."""
    matrix = await class_attendance(klass=klass)
    total, needed = len(matrix.sessions), threshold()
    risks = []
    for trainee in matrix.trainees:
        tid = trainee["trainee_id"]
        missed = sum(matrix.cells[(tid, s.id)].status in LOST for s in matrix.sessions)
        if out_of_reach(missed=missed, sessions=total, needed=needed):
            best = (Decimal(total - missed) / Decimal(total)).quantize(Decimal("0.0001"))
            risks.append(AbsenceRisk(tid, str(trainee.get("name", "")), missed, total, best))
    return risks
