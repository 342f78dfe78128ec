"""Object scope, per kind of object: the check and the query filter, in one place.

Callers import every kind from here. The district and institution kinds read no class table,
so they are written one floor down, in `backend/accounts/scope.py` (the institutions package,
below the classes, uses them from there), and re-exported here.

Kinds: a district (HR by its grants), a class, a trainee, an institution (and what belongs to
one: its training plans, its cases). Each kind has its check (`*_covers`/`authorize_*`, one
object) and its query filter (`*_in_scope`: a `Q` over that kind's rows; for trainees, their
ids, since a trainee is reached through enrolments) side by side.

Role checks (`backend/accounts/access.py`) say *which kind* of person may call something; scope
checks say *which objects* that person may touch. Both are asked the same way everywhere. A
foreign object is answered with NotFound, so its existence does not leak. Scope reads the class
tables, so it lives with the classes, above accounts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import cast

from tortoise.expressions import Q

from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Role, Trainee
from backend.accounts.scope import (
    district_covers,
    districts_in_scope,
    hr_districts,
    institution_covers,
    institutions_in_scope,
)
from backend.classes.models import ClassInstructor, ClassStaff, Enrolment, TrainingClass
from backend.errors import NotFound

__all__ = [
    "authorize_class",
    "authorize_institution",
    "authorize_trainee",
    "class_roles",
    "classes_in_scope",
    "district_covers",
    "districts_in_scope",
    "hr_districts",
    "institution_covers",
    "institutions_in_scope",
    "trainees_in_scope",
]

ScopeCheck = Callable[[Actor, TrainingClass, Role], Awaitable[bool]]


async def _hr(actor: Actor, klass: TrainingClass, role: Role) -> bool:
    return actor.hr_covers(klass.district_code)


async def _institution(actor: Actor, klass: TrainingClass, role: Role) -> bool:
    return klass.institution_id in actor.institutions(Role.INSTITUTION_ADMIN)


async def _class_staff(actor: Actor, klass: TrainingClass, role: Role) -> bool:
    if klass.institution_id not in actor.institutions(role):
        return False
    return await ClassStaff.exists(training_class_id=klass.id, user_id=actor.user_id)


async def _instructor(actor: Actor, klass: TrainingClass, role: Role) -> bool:
    if actor.instructor_id is None:
        return False
    return await ClassInstructor.exists(
        training_class_id=klass.id, instructor_id=actor.instructor_id
    )


async def _trainee(actor: Actor, klass: TrainingClass, role: Role) -> bool:
    if actor.trainee_id is None:
        return False
    return await Enrolment.exists(training_class_id=klass.id, trainee_id=actor.trainee_id)


CLASS_SCOPE: dict[Role, ScopeCheck] = {
    Role.HR_ADMIN: _hr,
    Role.INSTITUTION_ADMIN: _institution,
    Role.CLASS_TEACHER: _class_staff,
    Role.STAFF: _class_staff,
    Role.INSTRUCTOR: _instructor,
    Role.TRAINEE: _trainee,
}


async def class_roles(actor: Actor, klass: TrainingClass) -> set[Role]:
    """The roles in which the actor may act on this class."""
    allowed = set()
    for role in actor.roles:
        if await CLASS_SCOPE[role](actor, klass, role):
            allowed.add(role)
    return allowed


async def authorize_class(actor: Actor, class_id: int, roles: Iterable[Role]) -> TrainingClass:
    """The class, if the actor may act on it in one of `roles`; otherwise 403 or 404."""
    require_role(actor, roles)
    klass = await TrainingClass.get_or_none(id=class_id)
    if klass is None or not (await class_roles(actor, klass)) & set(roles):
        raise NotFound("培训班不存在或不在您的管理范围内", code="CLASS_NOT_FOUND")
    return klass


async def authorize_trainee(actor: Actor, trainee_id: int, roles: Iterable[Role]) -> Trainee:
    """The trainee, if the actor may act on them: self, or through a class in scope."""
    require_role(actor, roles)
    roles = set(roles)
    trainee = await Trainee.get_or_none(id=trainee_id)
    if trainee is not None and await _trainee_in_scope(actor, trainee, roles):
        return trainee
    raise NotFound("学员不存在或不在您的管理范围内", code="TRAINEE_NOT_FOUND")


async def _trainee_in_scope(actor: Actor, trainee: Trainee, roles: set[Role]) -> bool:
    if Role.TRAINEE in roles and actor.trainee_id == trainee.id:
        return True
    class_ids = await Enrolment.filter(trainee_id=trainee.id).values_list(
        "training_class_id", flat=True
    )
    for klass in await TrainingClass.filter(id__in=list(class_ids)):
        if (await class_roles(actor, klass)) & (roles - {Role.TRAINEE}):
            return True
    return False


async def classes_in_scope(actor: Actor, roles: Iterable[Role]) -> Q:
    """The classes the actor may see or work on in one of `roles`, as one query condition.

    The filter of `class_roles`: HR by district, the institution's admin, the class's staff,
    its instructors, and (with Role.TRAINEE) the trainee's own classes.
    """
    roles = frozenset(roles)
    conditions = Q(id=-1)
    if Role.HR_ADMIN in roles:
        conditions |= districts_in_scope(actor)
    institutions = actor.institutions(Role.INSTITUTION_ADMIN)
    if institutions and Role.INSTITUTION_ADMIN in roles:
        conditions |= Q(institution_id__in=list(institutions))
    # as `_class_staff`: on the class's staff AND holding that role at the class's institution
    staff_at = actor.institutions(*(roles & {Role.CLASS_TEACHER, Role.STAFF}))
    if staff_at:
        staffed = await ClassStaff.filter(user_id=actor.user_id).values_list(
            "training_class_id", flat=True
        )
        conditions |= Q(id__in=list(staffed), institution_id__in=list(staff_at))
    if actor.instructor_id is not None and Role.INSTRUCTOR in roles:
        taught = await ClassInstructor.filter(instructor_id=actor.instructor_id).values_list(
            "training_class_id", flat=True
        )
        conditions |= Q(id__in=list(taught))
    if actor.trainee_id is not None and Role.TRAINEE in roles:
        enrolled = await Enrolment.filter(trainee_id=actor.trainee_id).values_list(
            "training_class_id", flat=True
        )
        conditions |= Q(id__in=list(enrolled))
    return conditions


async def trainees_in_scope(actor: Actor, roles: Iterable[Role]) -> list[int]:
    """The ids of the trainees the actor may act on in one of `roles` (the filter of
    `authorize_trainee`): themselves, and those enrolled in a class in scope."""
    roles = frozenset(roles)
    class_ids = await TrainingClass.filter(
        await classes_in_scope(actor, roles - {Role.TRAINEE})
    ).values_list("id", flat=True)
    enrolled = await Enrolment.filter(training_class_id__in=list(class_ids)).values_list(
        "trainee_id", flat=True
    )
    ids = set(cast(list[int], enrolled))
    if Role.TRAINEE in roles and actor.trainee_id is not None:
        ids.add(actor.trainee_id)
    return sorted(ids)


async def authorize_institution(
    actor: Actor, institution_id: int, roles: Iterable[Role], *, lock: bool = False
) -> Institution:
    """The institution, if the actor acts on it in one of `roles` (HR by district, or its admin).

    `lock` reads it FOR UPDATE (inside the caller's transaction).
    """
    roles = set(roles)
    require_role(actor, roles)
    query = Institution.filter(id=institution_id)
    inst = await (query.select_for_update() if lock else query).first()
    if inst is not None and institution_covers(actor, inst, roles):
        return inst
    raise NotFound("培训机构不存在或不在您的管理范围内", code="INSTITUTION_NOT_FOUND")
