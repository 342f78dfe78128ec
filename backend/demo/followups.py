"""Demo data for follow-up: a class that ended a week ago, in follow-up, invitations queued,
and a class closed (结案) after six months of complete follow-up.

`seed_followup_demo` is called by `backend/demo/seed.py` after the main data set; the worker of
`jobready demo` then sends the invitations to the WeChat stand-in (outside the quiet hours).
Login codes ``test-alumni1`` … ``test-alumni5`` log in as its trainees. `seed_closed_demo`
writes the closed class: three services per trainee within the three stages, a home visit for
the one still unemployed at six months (第二十五条), 4 of 5 employed, tranches 1–3 paid and the
last 10% due (第二十四条).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from backend.accounts.models import TraineeCategory, User, WeChatIdentity
from backend.accounts.service import TraineeInput, register_trainee
from backend.classes.models import (
    ClassInstructor,
    ClassSession,
    ClassStatus,
    ClassStatusChange,
    Enrolment,
    TrainingClass,
)
from backend.clock import SHANGHAI
from backend.demo.attendance import seed_attendance
from backend.demo.classes import record_path
from backend.demo.subsidies import seed_verified_claims
from backend.employment.models import EmploymentRecord, EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.followups.closing import AUTO_REASON
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind
from backend.followups.service import (
    add_months,
    begin_followup,
    generate_milestones,
    milestone_dates,
    queue_due_invitations,
    stage_of,
)
from backend.notifications.consent import record_consent
from backend.notifications.models import ConsentResult
from backend.notifications.templates import FOLLOWUP_SURVEY, template
from backend.runtime import runtime
from backend.security.idcard import make_id_number
from backend.subsidies.closing import freeze_figures
from backend.subsidies.models import TranchePayment
from backend.subsidies.service import subsidy_plan

ALUMNI = ["林晓峰", "陈雨欣", "黄志成", "郑佳琪", "吴俊豪"]


async def _alumnus(n: int, name: str) -> tuple[int, int]:
    """A former trainee bound to the stand-in's openid o-alumni<n>; returns (trainee, user)."""
    user = await User.create(display_name=name)
    await WeChatIdentity.create(
        user=user, appid=runtime().settings.wechat_appid, openid=f"o-alumni{n}"
    )
    trainee = await register_trainee(
        data=TraineeInput(
            name=name,
            id_number=make_id_number("350102", date(1999, n, 10 + n), 600 + n),
            category=TraineeCategory.UNEMPLOYED_GRADUATE,
            phone=f"1385100{n:04d}",
        )
    )
    trainee.user_id = user.id
    await trainee.save(update_fields=["user_id"])
    return trainee.id, user.id


async def seed_followup_demo(
    *, institution_id: int, instructor_ids: list[int], today: date
) -> dict[str, Any]:
    """A class that ended 7 days before `today`, in follow-up, its week-1 invitations queued."""
    end = today - timedelta(days=7)
    klass = await TrainingClass.create(
        institution_id=institution_id,
        title=f"{end.year}年第{end.month}期求职能力实训学员班（已结业）",
        district_code="350102",
        start_date=end - timedelta(days=6),
        end_date=end,
        contract_amount=Decimal("7500.00"),
        status=ClassStatus.COMPLETED,
    )
    ends_at = datetime.combine(end, time(12, 0), SHANGHAI).astimezone(UTC)
    await ClassSession.create(
        training_class=klass, starts_at=ends_at - timedelta(hours=3), ends_at=ends_at, topic="结业"
    )
    await ClassStatusChange.create(
        training_class=klass, to_status=ClassStatus.COMPLETED, reason="演示数据"
    )
    for n, instructor_id in enumerate(instructor_ids):
        await ClassInstructor.create(
            training_class=klass, instructor_id=instructor_id, is_lead=n == 0
        )
    survey = template(FOLLOWUP_SURVEY).subscribe_id
    for n, name in enumerate(ALUMNI, start=1):
        trainee_id, user_id = await _alumnus(n, name)
        await Enrolment.create(
            training_class=klass, trainee_id=trainee_id, category="unemployed_graduate"
        )
        if n != len(ALUMNI):  # the last one never accepted: the inbox and a phone call
            await record_consent(user_id=user_id, template_id=survey, result=ConsentResult.ACCEPT)
    await begin_followup(klass=klass)
    queued = await queue_due_invitations(today=today)
    return {"followup_class_id": klass.id, "followup_invitations": queued}


CLOSED_ALUMNI = ["苏文静", "叶承志", "方晓雯", "邱明辉", "范思彤"]
SERVICE_ROUNDS = (ServiceKind.PHONE_CALL, ServiceKind.JOB_PUSH, ServiceKind.INDIVIDUAL_GUIDANCE)
CLOSED_PATH = (
    (ClassStatus.DRAFT, "创建"),
    (ClassStatus.SUBMITTED, "提交申报"),
    (ClassStatus.APPROVED, "审核通过"),
    (ClassStatus.IN_PROGRESS, "到达开班日期"),
    (ClassStatus.COMPLETED, "最后一个课次已结束"),
    (ClassStatus.FOLLOWING_UP, "结业，进入后续跟踪服务"),
    (ClassStatus.CLOSED, AUTO_REASON),
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), SHANGHAI).astimezone(UTC)


async def _closed_roster(class_id: int) -> list[int]:
    ids = []
    for n, name in enumerate(CLOSED_ALUMNI, start=1):
        trainee = await register_trainee(
            data=TraineeInput(
                name=name,
                id_number=make_id_number("350105", date(1998, n, 3 + n), 700 + n),
                category=TraineeCategory.UNEMPLOYED_GRADUATE,
                phone=f"1385200{n:04d}",
            )
        )
        await Enrolment.create(
            training_class_id=class_id, trainee_id=trainee.id, category="unemployed_graduate"
        )
        ids.append(trainee.id)
    return ids


async def _followed_up(klass: TrainingClass, trainee_ids: list[int], instructor_id: int) -> None:
    """Three services per trainee within the stages; the last one unemployed, visited."""
    await generate_milestones(klass=klass)
    for stage, due in milestone_dates(klass.end_date).items():  # each invited on its day
        await FollowupMilestone.filter(training_class_id=klass.id, stage=stage).update(
            invited_at=_at(due)
        )
    dates = list(milestone_dates(klass.end_date).values())
    for n, trainee_id in enumerate(trainee_ids):
        for kind, day in zip(SERVICE_ROUNDS, dates, strict=True):
            await FollowupService.create(
                training_class=klass,
                trainee_id=trainee_id,
                instructor_id=instructor_id,
                kind=kind,
                stage=stage_of(klass.end_date, day),
                served_at=_at(day),
                notes="后续跟踪服务",
            )
        employed = n < len(trainee_ids) - 1
        status = EmploymentStatus.EMPLOYED if employed else EmploymentStatus.UNEMPLOYED
        record = await record_employment(
            trainee_id=trainee_id,
            class_id=klass.id,
            recorded_by_id=None,
            outcome=Outcome(
                status=status,
                source=OutcomeSource.INSTRUCTOR,
                employer="福州某电子商务有限公司" if employed else "",
                position="运营助理" if employed else "",
            ),
        )
        # reported at the 3-month call, as in life (not all at once on the 6-month day)
        await EmploymentRecord.filter(id=record.id).update(created_at=_at(dates[1]))
        if not employed:  # 第二十五条: 培训后6个月未就业的学员…家访
            await FollowupService.create(
                training_class=klass,
                trainee_id=trainee_id,
                instructor_id=instructor_id,
                kind=ServiceKind.HOME_VISIT,
                stage=stage_of(klass.end_date, dates[-1] + timedelta(days=5)),
                served_at=_at(dates[-1] + timedelta(days=5)),
                notes="家访，推荐两场招聘会",
            )


async def seed_closed_demo(
    *,
    institution_id: int,
    instructor_ids: list[int],
    teacher_user_id: int,
    hr_user_id: int,
    today: date,
) -> int:
    """A class that ended seven months before `today`, followed up and closed; its id."""
    end = add_months(today, -7)
    klass = await TrainingClass.create(
        institution_id=institution_id,
        title=f"{end.year}年第{end.month}期求职能力实训学员班（已结案）",
        district_code="350102",
        start_date=end - timedelta(days=6),
        end_date=end,
        contract_amount=Decimal("7500.00"),
        status=ClassStatus.FOLLOWING_UP,  # closed below, once its figures are there to freeze
        submitted_at=_at(end - timedelta(days=30)),
        decided_at=_at(end - timedelta(days=15)),
    )
    await record_path(klass.id, CLOSED_PATH, {ClassStatus.APPROVED: hr_user_id})
    for n, instructor_id in enumerate(instructor_ids[:2]):
        await ClassInstructor.create(
            training_class=klass, instructor_id=instructor_id, is_lead=n == 0
        )
    for day in range(7):
        begins = datetime.combine(klass.start_date + timedelta(days=day), time(9), SHANGHAI)
        await ClassSession.create(
            training_class=klass,
            starts_at=begins,
            ends_at=begins + timedelta(hours=3),
            topic="课程",
        )
    trainee_ids = await _closed_roster(klass.id)
    await seed_attendance(class_id=klass.id, teacher_user_id=teacher_user_id)
    await _followed_up(klass, trainee_ids, instructor_ids[0])
    # 第二十三条: the claims HR verified and spot-checked, so the last tranche may be paid
    await seed_verified_claims(class_id=klass.id, hr_user_id=hr_user_id)
    for tranche in (await subsidy_plan(klass)).tranches[:3]:
        await TranchePayment.create(
            training_class=klass,
            tranche=tranche.number,
            amount=tranche.amount,
            reference=f"演示-第{tranche.number}期",
            paid_by_id=hr_user_id,
            paid_at=_at(end + timedelta(days=10 * tranche.number)),
        )
    # 结案 (the worker's, as in CLOSED_PATH): the figures frozen are the ones computed above
    klass.status = ClassStatus.CLOSED
    await klass.save(update_fields=["status"])
    await freeze_figures(klass, None, AUTO_REASON)
    return klass.id
