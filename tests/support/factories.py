"""Small async factories for test data (through the services, so PII is encrypted as in life)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.accounts.identity import issue_token_for
from backend.accounts.models import (
    Institution,
    Instructor,
    Role,
    Trainee,
    TraineeCategory,
    User,
    WeChatIdentity,
)
from backend.accounts.service import (
    TraineeInput,
    create_institution,
    create_instructor,
    grant_role,
    register_trainee,
)
from backend.classes.models import (
    ClassInstructor,
    ClassSession,
    ClassStaff,
    ClassStatus,
    Enrolment,
    StaffDuty,
    TrainingClass,
)
from backend.runtime import runtime
from backend.security.idcard import make_id_number

_seq = itertools.count(1)


def auth(user: User) -> dict[str, str]:
    """Headers of a logged-in request as this user."""
    return {"Authorization": f"Bearer {issue_token_for(user)}"}


def new_id_number(birth: date = date(2000, 5, 17)) -> str:
    """A fresh, checksum-valid, fictitious ID-card number."""
    return make_id_number("350102", birth, next(_seq) % 999)


async def make_institution(district_code: str = "350102", name: str = "") -> Institution:
    n = next(_seq)
    return await create_institution(
        name=name or f"测试培训机构{n}", credit_code=f"TEST{n:014d}", district_code=district_code
    )


async def make_user(name: str = "", *, openid: str | None = None, phone: str = "") -> User:
    """A WeChat user; `phone` as if getPhoneNumber had given it (binding checks it)."""
    n = next(_seq)
    user = await User.create(display_name=name or f"用户{n}")
    cipher = runtime().cipher
    await WeChatIdentity.create(
        user=user,
        appid=runtime().settings.wechat_appid,
        openid=openid or f"o-user{n}",
        phone_enc=cipher.encrypt(phone, context="phone") if phone else None,
        phone_hash=cipher.blind_index(phone, context="phone") if phone else None,
    )
    return user


async def make_staff(
    role: Role, *, institution: Institution | None = None, district_code: str | None = None
) -> User:
    user = await make_user(f"{role.value}{next(_seq)}")
    await grant_role(
        user_id=user.id,
        role=role,
        institution_id=institution.id if institution else None,
        district_code=district_code,
    )
    return user


async def make_instructor(*, with_user: bool = True) -> tuple[Instructor, User | None]:
    n = next(_seq)
    instructor = await create_instructor(name=f"讲师{n}", certificate_no=f"CERT-{n:05d}")
    if not with_user:
        return instructor, None
    user = await make_user(instructor.name)
    instructor.user_id = user.id
    await instructor.save()
    await grant_role(user_id=user.id, role=Role.INSTRUCTOR)
    return instructor, user


async def make_trainee(
    name: str = "",
    *,
    id_number: str | None = None,
    phone: str = "13800138000",
    user: User | None = None,
) -> Trainee:
    trainee = await register_trainee(
        data=TraineeInput(
            name=name or f"学员{next(_seq)}",
            id_number=id_number or new_id_number(),
            category=TraineeCategory.UNEMPLOYED_GRADUATE,
            phone=phone,
        )
    )
    if user is not None:
        trainee.user_id = user.id
        await trainee.save()
    return trainee


async def make_class(
    institution: Institution,
    *,
    start: date | None = None,
    status: ClassStatus = ClassStatus.IN_PROGRESS,
    **fields: Any,
) -> TrainingClass:
    start = start or date(2026, 11, 23)
    return await TrainingClass.create(
        institution=institution,
        title=fields.pop("title", f"测试学员班{next(_seq)}"),
        district_code=fields.pop("district_code", institution.district_code),
        start_date=start,
        end_date=start + timedelta(days=6),
        contract_amount=Decimal("30000.00"),
        status=status,
        **fields,
    )


async def add_staff(klass: TrainingClass, user: User, duty: StaffDuty) -> ClassStaff:
    return await ClassStaff.create(
        training_class=klass, user=user, duty=duty, name=user.display_name
    )


async def assign_instructor(klass: TrainingClass, instructor: Instructor) -> ClassInstructor:
    return await ClassInstructor.create(training_class=klass, instructor=instructor)


async def enrol(klass: TrainingClass, trainee: Trainee) -> Enrolment:
    return await Enrolment.create(
        training_class=klass, trainee=trainee, category=trainee.category.value
    )


async def make_session(klass: TrainingClass, *, starts_at: datetime | None = None) -> ClassSession:
    starts_at = starts_at or datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    return await ClassSession.create(
        training_class=klass,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        topic="简历制作",
    )


async def book(session: ClassSession, instructor: Instructor, *, committed: bool = True) -> None:
    """Put an instructor on a session (as a submitted plan would)."""
    from backend.classes.models import SessionInstructor

    await SessionInstructor.create(
        session=session,
        instructor=instructor,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        committed=committed,
    )
