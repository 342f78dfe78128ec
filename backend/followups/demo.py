"""Demo data for follow-up: a class that ended a week ago, in follow-up, invitations queued.

`seed_followup_demo` is called by `backend/demo.py` after the main data set; the worker of
`jobready demo` then sends the invitations to the WeChat stand-in (outside the quiet hours).
Login codes ``test-alumni1`` … ``test-alumni5`` log in as its trainees.
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
from backend.followups.service import begin_followup, queue_due_invitations
from backend.notifications.consent import record_consent
from backend.notifications.models import ConsentResult
from backend.notifications.templates import FOLLOWUP_SURVEY, template
from backend.runtime import runtime
from backend.security.idcard import make_id_number

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
