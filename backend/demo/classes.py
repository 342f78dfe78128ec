"""Demo classes at the plan stages of the lifecycle (README), beside the class in progress.

`backend/demo/seed.py` writes the class in progress; `backend/demo/followups.py` the classes in
follow-up and closed. This module adds a draft, a submitted plan, an approved and a rejected
one (each a trainee class starting in the coming weeks, with its history), and a completed
class. The completed one is an instructor class (师资班): a completed trainee class is moved to
follow-up by the worker within minutes of `jobready demo` starting, while an instructor class
has no follow-up (第二十五条 concerns trainees) and so stays completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from backend.accounts.models import TraineeCategory
from backend.accounts.service import TraineeInput, register_trainee
from backend.classes.models import (
    ClassInstructor,
    ClassKind,
    ClassSession,
    ClassStaff,
    ClassStatus,
    ClassStatusChange,
    Enrolment,
    SessionInstructor,
    StaffDuty,
    TrainingClass,
)
from backend.clock import SHANGHAI
from backend.demo.attendance import seed_attendance
from backend.security.idcard import make_id_number
from backend.subsidies.models import TranchePayment
from backend.subsidies.service import subsidy_plan

NAMES = ["陈思远", "林雅婷", "黄俊峰", "郑可欣", "王子豪", "刘梦琪", "张浩宇", "吴佳慧"]
TOPICS = [
    "职业认知",
    "简历制作",
    "面试礼仪",
    "结构化面试",
    "无领导小组讨论",
    "模拟面试",
    "结业展示",
]
REJECTION = "课程安排中模拟面试课时不足，且未提供培训场地证明，请补充后重新申报（第十八条）"


@dataclass(frozen=True)
class Stage:
    """One demo class: its status, the path that led there, when it starts and its roster."""

    status: ClassStatus
    path: tuple[tuple[ClassStatus, str], ...]
    starts_in_days: int
    trainees: int
    booked: bool  # its instructors' time is committed (submitted or later, 第十九条)


SUBMIT = (ClassStatus.SUBMITTED, "提交申报")
DECIDED = (ClassStatus.APPROVED, ClassStatus.REJECTED)
STAGES = (
    Stage(ClassStatus.DRAFT, ((ClassStatus.DRAFT, "创建"),), 35, 0, False),
    Stage(ClassStatus.SUBMITTED, ((ClassStatus.DRAFT, "创建"), SUBMIT), 21, 4, True),
    Stage(
        ClassStatus.APPROVED,
        ((ClassStatus.DRAFT, "创建"), SUBMIT, (ClassStatus.APPROVED, "审核通过")),
        14,
        4,
        True,
    ),
    Stage(
        ClassStatus.REJECTED,
        ((ClassStatus.DRAFT, "创建"), SUBMIT, (ClassStatus.REJECTED, REJECTION)),
        28,
        4,
        False,
    ),
)
INSTRUCTOR_CLASS_PATH = (
    (ClassStatus.DRAFT, "创建"),
    SUBMIT,
    (ClassStatus.APPROVED, "审核通过"),
    (ClassStatus.IN_PROGRESS, "到达开班日期"),
    (ClassStatus.COMPLETED, "最后一个课次已结束"),
)


async def record_path(
    class_id: int, path: tuple[tuple[ClassStatus, str], ...], actors: dict[ClassStatus, int]
) -> None:
    """The status history of a demo class, step by step (the worker's steps have no actor)."""
    previous: ClassStatus | None = None
    for status, reason in path:
        await ClassStatusChange.create(
            training_class_id=class_id,
            from_status=previous,
            to_status=status,
            actor_id=actors.get(status),
            reason=reason,
        )
        previous = status


async def _roster(class_id: int, count: int, seq: int) -> None:
    for n in range(count):
        k = seq + n
        trainee = await register_trainee(
            data=TraineeInput(
                name=NAMES[k % len(NAMES)],
                id_number=make_id_number("350103", date(2000 + k % 3, 1 + k % 12, 5 + k % 20), k),
                category=TraineeCategory.UNEMPLOYED_GRADUATE,
                phone=f"1375100{k:04d}",
            )
        )
        await Enrolment.create(
            training_class_id=class_id, trainee_id=trainee.id, category=trainee.category.value
        )


async def _sessions(klass: TrainingClass, instructor_ids: list[int], booked: bool) -> None:
    for n, topic in enumerate(TOPICS[: (klass.end_date - klass.start_date).days + 1]):
        day = klass.start_date + timedelta(days=n)
        begins = datetime.combine(day, time(9, 0), SHANGHAI).astimezone(UTC)
        ends = datetime.combine(day, time(12, 0), SHANGHAI).astimezone(UTC)
        session = await ClassSession.create(
            training_class=klass, starts_at=begins, ends_at=ends, topic=topic, room="201教室"
        )
        if instructor_ids:
            await SessionInstructor.create(
                session=session,
                instructor_id=instructor_ids[n % len(instructor_ids)],
                starts_at=begins,
                ends_at=ends,
                committed=booked,
            )


async def _staff(class_id: int, staff: dict[StaffDuty, tuple[int, str]]) -> None:
    for duty, (user_id, name) in staff.items():
        await ClassStaff.create(training_class_id=class_id, user_id=user_id, duty=duty, name=name)


async def seed_plan_stages(
    *,
    institution_id: int,
    instructor_ids: list[int],
    staff: dict[StaffDuty, tuple[int, str]],
    admin_user_id: int,
    hr_user_id: int,
    today: date,
) -> dict[str, int]:
    """Write the draft, submitted, approved, rejected and completed demo classes; their ids."""
    now = datetime.combine(today, time(10, 0), SHANGHAI)
    actors = {
        ClassStatus.DRAFT: admin_user_id,
        ClassStatus.SUBMITTED: admin_user_id,
        ClassStatus.APPROVED: hr_user_id,
        ClassStatus.REJECTED: hr_user_id,
    }
    ids: dict[str, int] = {}
    for n, stage in enumerate(STAGES):
        start = today + timedelta(days=stage.starts_in_days)
        klass = await TrainingClass.create(
            institution_id=institution_id,
            title=f"{start.year}年第{start.month}期求职能力实训学员班（演示：{stage.status.value}）",
            district_code="350102",
            venue_address="福州市鼓楼区五四路158号 启航培训中心 2楼",
            start_date=start,
            end_date=start + timedelta(days=6),
            contract_amount=Decimal("6000.00"),
            status=stage.status,
            submitted_at=None if stage.status == ClassStatus.DRAFT else now - timedelta(days=3),
            decided_at=now - timedelta(days=1) if stage.status in DECIDED else None,
            created_by_id=admin_user_id,
        )
        await record_path(klass.id, stage.path, actors)
        await _staff(klass.id, staff)
        for k, instructor_id in enumerate(instructor_ids[:2]):
            await ClassInstructor.create(
                training_class=klass, instructor_id=instructor_id, is_lead=k == 0
            )
        await _sessions(klass, instructor_ids[:2], stage.booked)
        await _roster(klass.id, stage.trainees, 810 + 10 * n)
        ids[stage.status.value] = klass.id
    ids[ClassStatus.COMPLETED.value] = await _instructor_class(
        institution_id, staff, actors, hr_user_id, today
    )
    return ids


async def _instructor_class(
    institution_id: int,
    staff: dict[StaffDuty, tuple[int, str]],
    actors: dict[ClassStatus, int],
    hr_user_id: int,
    today: date,
) -> int:
    """A completed 师资班 run by a third party (第十条), its 50% advance paid (第二十四条)."""
    start = today - timedelta(days=5)
    decided = datetime.combine(start - timedelta(days=10), time(10), SHANGHAI)
    klass = await TrainingClass.create(
        institution_id=institution_id,
        kind=ClassKind.INSTRUCTOR_CLASS,
        title=f"{start.year}年求职能力实训师资班（演示：已结业）",
        district_code="350102",
        start_date=start,
        end_date=start + timedelta(days=2),
        contract_amount=Decimal("20000.00"),
        status=ClassStatus.COMPLETED,
        submitted_at=datetime.combine(start - timedelta(days=20), time(10), SHANGHAI),
        decided_at=decided,
    )
    await record_path(klass.id, INSTRUCTOR_CLASS_PATH, actors)
    await _staff(klass.id, staff)
    await _sessions(klass, [], booked=False)
    await _roster(klass.id, 4, 860)
    await seed_attendance(class_id=klass.id, teacher_user_id=staff[StaffDuty.CLASS_TEACHER][0])
    advance = (await subsidy_plan(klass)).tranches[0]
    await TranchePayment.create(
        training_class=klass,
        tranche=1,
        amount=advance.amount,
        reference="演示-师资班预付款",
        paid_by_id=hr_user_id,
        paid_at=decided + timedelta(days=3),
    )
    return klass.id
