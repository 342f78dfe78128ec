"""Demo records of supervision, beside the class of `backend/demo/seed.py` (in its transaction).

The demo class gets daily feedback on every session already held, one written notice, one
unannounced inspection and a talk reminder for one instructor; a second institution shows the
other end: three notices (disqualified under 第九条) and a blacklist entry (第二十七条).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from backend.accounts.models import Institution, InstructorStatus
from backend.classes.models import ClassInstructor, ClassSession, Enrolment
from backend.clock import SHANGHAI
from backend.registers.models import (
    BlacklistEntry,
    BlacklistKind,
    Inspection,
    InspectionItem,
    InspectionMode,
    InspectionScore,
    InstructorAction,
    InstructorActionKind,
)
from backend.supervision.models import SessionFeedback
from backend.supervision.notices import record_notice
from backend.supervision.service import mean

COMMENTS = [
    "",
    "",
    "案例很贴近实际，收获很大",
    "希望多一些模拟练习的时间",
    "老师讲得很清楚",
    "节奏有点快",
    "",
    "场地空调有点冷",
]
CHECKLIST = {
    InspectionItem.TRAINING_ORGANISATION: 88,
    InspectionItem.TRAINEE_MANAGEMENT: 82,
    InspectionItem.TEACHING_DELIVERY: 90,
    InspectionItem.INSTRUCTOR_TEACHING: 92,
    InspectionItem.TRAINEE_SATISFACTION: 86,
}


async def _feedback(class_id: int, now: datetime, rng: random.Random) -> int:
    sessions = await ClassSession.filter(training_class_id=class_id, starts_at__lte=now)
    trainees = await Enrolment.filter(training_class_id=class_id).values_list(
        "trainee_id", flat=True
    )
    count = 0
    for session in sessions:
        for trainee_id in trainees:
            if rng.random() < 0.25:  # not everyone answers every day
                continue
            await SessionFeedback.create(
                session_id=session.id,
                trainee_id=trainee_id,
                content_score=rng.choice((3, 4, 4, 5, 5)),
                instructor_score=rng.choice((4, 4, 5, 5, 5)),
                organisation_score=rng.choice((3, 4, 4, 5)),
                comment=rng.choice(COMMENTS),
            )
            count += 1
    return count


async def _inspection(inst: Institution, class_id: int, hr_user_id: int, day: date) -> None:
    inspection = await Inspection.create(
        institution_id=inst.id,
        training_class_id=class_id,
        mode=InspectionMode.UNANNOUNCED,
        inspected_on=day,
        inspector="市人社局职业能力建设处 检查组",
        findings="签到台账完整，专人跟班到位；教材按要求配备。建议增加模拟面试的练习时间。",
        overall_score=mean(sum(CHECKLIST.values()), len(CHECKLIST)),
        recorded_by_id=hr_user_id,
    )
    scores = [
        InspectionScore(inspection_id=inspection.id, item=i, score=s) for i, s in CHECKLIST.items()
    ]
    await InspectionScore.bulk_create(scores)


async def _disqualified_institution(hr_user_id: int, today: date) -> Institution:
    other = await Institution.create(
        name="福州速成职业培训中心（演示：已取消资格）",
        credit_code="52350104MJ0000002Y",
        district_code="350104",
    )
    reasons = ["未按技术要点组织实施", "未安排专人跟班", "培训台账与实际不符"]
    for n, reason in enumerate(reasons, start=1):  # the third disqualifies it (第九条)
        await record_notice(
            inst=other,
            reason=reason,
            issued_on=today - timedelta(days=90 - 30 * n),
            issued_by_id=hr_user_id,
        )
    await BlacklistEntry.create(
        kind=BlacklistKind.INSTITUTION,
        subject_id=other.id,
        subject_name=other.name,
        reason="培训成绩造假（第二十七条）",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=335),
        created_by_id=hr_user_id,
    )
    return other


async def seed_supervision_demo(
    *,
    institution_id: int,
    class_id: int,
    hr_user_id: int,
    today: date,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Write the demo supervision records (feedback up to `now`, default noon of `today`)."""
    now = now or datetime.combine(today, time(12, 0), SHANGHAI)
    rng = random.Random(2028)
    inst = await Institution.get(id=institution_id)
    ratings = await _feedback(class_id, now, rng)
    await record_notice(
        inst=inst,
        reason="开班筹备资料提交不及时",
        issued_on=today - timedelta(days=40),
        issued_by_id=hr_user_id,
    )
    await _inspection(inst, class_id, hr_user_id, today - timedelta(days=1))
    lead = await ClassInstructor.filter(training_class_id=class_id).order_by("id").first()
    if lead is not None:
        await InstructorAction.create(
            instructor_id=lead.instructor_id,
            kind=InstructorActionKind.TALK_REMINDER,
            ground=1,
            reason="上一期课程超时较多，提醒严格按技术要点安排课时",
            decided_on=today - timedelta(days=20),
            status_before=InstructorStatus.ACTIVE,
            status_after=InstructorStatus.ACTIVE,
            recorded_by_id=hr_user_id,
        )
    other = await _disqualified_institution(hr_user_id, today)
    return {"feedback": ratings, "disqualified_institution_id": other.id}
