"""Training classes (学员班), their sessions (课次), staffing, instructors and roster."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ClassKind(StrEnum):
    TRAINEE_CLASS = "trainee_class"  # 学员班
    INSTRUCTOR_CLASS = "instructor_class"  # 师资班 (第十条)


class ClassStatus(StrEnum):
    """The class lifecycle (README, "Class lifecycle"): transitions only through services."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FOLLOWING_UP = "following_up"
    CLOSED = "closed"


CLASS_STATUS_LABELS: dict[ClassStatus, str] = {
    ClassStatus.DRAFT: "草稿",
    ClassStatus.SUBMITTED: "已申报",
    ClassStatus.APPROVED: "已审核通过",
    ClassStatus.REJECTED: "已驳回",
    ClassStatus.IN_PROGRESS: "培训中",
    ClassStatus.COMPLETED: "已结业",
    ClassStatus.FOLLOWING_UP: "后续服务中",
    ClassStatus.CLOSED: "已结案",
}


# The named sets of statuses, each defined once with its reason: code asks these, never a list.
_S = ClassStatus
EDITABLE = (_S.DRAFT, _S.REJECTED)  # 第十八条: the institution edits a plan HR has not approved
BEFORE_START = (_S.DRAFT, _S.REJECTED, _S.SUBMITTED, _S.APPROVED)  # a trainee may still withdraw
OPEN_FOR_INTAKE = (_S.DRAFT, _S.SUBMITTED, _S.APPROVED)  # may still take intake applicants
OCCUPYING = (_S.DRAFT, _S.SUBMITTED, _S.APPROVED, _S.IN_PROGRESS)  # one such class per trainee
RUNNING = (_S.APPROVED, _S.IN_PROGRESS)  # approved and not yet over: sessions held, scans taken
# 第十八条: HR approved the plan, so it holds (schedule, subsidy plan, deadlines)
IN_FORCE = (_S.APPROVED, _S.IN_PROGRESS, _S.COMPLETED, _S.FOLLOWING_UP, _S.CLOSED)
# 第二十二条: the last session is over (结业): certificates, reviews, the subsidy's second part
FINISHED = (_S.COMPLETED, _S.FOLLOWING_UP, _S.CLOSED)
# 第二十五条: follow-up started (or ended): employment spot checks, follow-up figures
IN_FOLLOWUP_OR_CLOSED = (_S.FOLLOWING_UP, _S.CLOSED)


class StaffDuty(StrEnum):
    """第二十条: a team lead, a full-time class teacher and a staff member, one each."""

    TEAM_LEAD = "team_lead"  # 团队负责人
    CLASS_TEACHER = "class_teacher"  # 专职班主任
    STAFF = "staff"  # 工作人员


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class WithdrawReason(StrEnum):
    """Why a trainee left a class after its start (kept with the roster row)."""

    MOVED_AWAY = "moved_away"  # 迁居外地
    EMPLOYED = "employed"  # 结业前已就业
    ILLNESS = "illness"  # 疾病
    PERSONAL = "personal"  # 个人或家庭原因
    OTHER = "other"  # 其他（须说明）


WITHDRAW_REASON_LABELS: dict[WithdrawReason, str] = {
    WithdrawReason.MOVED_AWAY: "迁居外地",
    WithdrawReason.EMPLOYED: "结业前已就业",
    WithdrawReason.ILLNESS: "疾病",
    WithdrawReason.PERSONAL: "个人或家庭原因",
    WithdrawReason.OTHER: "其他",
}


class TrainingClass(Model):
    """A class plan and, once approved, the class itself."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Institution", related_name="classes", on_delete=fields.RESTRICT
    )
    institution_id: int
    kind = fields.CharEnumField(ClassKind, default=ClassKind.TRAINEE_CLASS)
    title = fields.CharField(max_length=200)
    district_code = fields.CharField(max_length=6, db_index=True)
    venue_address = fields.CharField(max_length=300, default="")
    venue_latitude = fields.FloatField(null=True)
    venue_longitude = fields.FloatField(null=True)
    fence_radius_m = fields.IntField(null=True)  # NULL: no geofence for check-in
    start_date = fields.DateField()
    end_date = fields.DateField()
    length_reason = fields.CharField(max_length=300, default="")  # 第二十条: ≠ 7 days needs one
    capacity = fields.IntField(default=50)
    contract_amount = fields.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    status = fields.CharEnumField(ClassStatus, default=ClassStatus.DRAFT, db_index=True)
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="classes_created", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "training_class"


class ClassStatusChange(Model):
    """Every lifecycle transition, with who, when and why."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation[TrainingClass] = fields.ForeignKeyField(
        "models.TrainingClass", related_name="status_changes", on_delete=fields.CASCADE
    )
    training_class_id: int
    from_status = fields.CharEnumField(ClassStatus, null=True)
    to_status = fields.CharEnumField(ClassStatus)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="class_status_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "class_status_change"


class ClassSession(Model):
    """A session (课次) of a class: times stored in UTC, reasoned about in Asia/Shanghai."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation[TrainingClass] = fields.ForeignKeyField(
        "models.TrainingClass", related_name="sessions", on_delete=fields.CASCADE
    )
    training_class_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    topic = fields.CharField(max_length=200)
    room = fields.CharField(max_length=100, default="")
    # Projector links issued up to this moment no longer open the display (revoked by staff).
    display_revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "class_session"
        indexes = (("training_class_id", "starts_at"),)


class SessionInstructor(Model):
    """An instructor booked on a session (第十九条: never on two overlapping sessions).

    The session's times are copied here so that the conflict check is one indexed query on
    (instructor, time) instead of a join. `committed` is true while the class's plan is
    submitted or later (a draft books nobody), false once the plan is rejected.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[ClassSession] = fields.ForeignKeyField(
        "models.ClassSession", related_name="instructor_links", on_delete=fields.CASCADE
    )
    session_id: int
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="session_links", on_delete=fields.RESTRICT
    )
    instructor_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    committed = fields.BooleanField(default=False)

    class Meta:
        table = "session_instructor"
        unique_together = (("session", "instructor"),)
        indexes = (("instructor_id", "committed", "starts_at"),)


class LeaveStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class InstructorLeave(Model):
    """第十九条: an instructor asks HR for leave before the session, HR names a substitute."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[ClassSession] = fields.ForeignKeyField(
        "models.ClassSession", related_name="leaves", on_delete=fields.CASCADE
    )
    session_id: int
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="leaves", on_delete=fields.RESTRICT
    )
    instructor_id: int
    substitute: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="substitutions", null=True, on_delete=fields.RESTRICT
    )
    substitute_id: int | None
    reason = fields.TextField()
    status = fields.CharEnumField(LeaveStatus, default=LeaveStatus.REQUESTED)
    requested_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="leave_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="leave_decisions", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decision_note = fields.TextField(default="")
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor_leave"


class ClassInstructor(Model):
    """An instructor assigned to a class (第十九条: 2–4 per class)."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation[TrainingClass] = fields.ForeignKeyField(
        "models.TrainingClass", related_name="instructor_assignments", on_delete=fields.CASCADE
    )
    training_class_id: int
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="class_assignments", on_delete=fields.RESTRICT
    )
    instructor_id: int
    is_lead = fields.BooleanField(default=False)

    class Meta:
        table = "class_instructor"
        unique_together = (("training_class", "instructor"),)


class ClassStaff(Model):
    """Who fills each of the three duties of 第二十条 for a class."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation[TrainingClass] = fields.ForeignKeyField(
        "models.TrainingClass", related_name="staff", on_delete=fields.CASCADE
    )
    training_class_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="class_duties", on_delete=fields.RESTRICT
    )
    user_id: int
    duty = fields.CharEnumField(StaffDuty, max_length=20)
    name = fields.CharField(max_length=50, default="")

    class Meta:
        table = "class_staff"
        unique_together = (("training_class", "duty"),)


class Enrolment(Model):
    """A roster row: a trainee in a class, with the category of 第三条 at enrolment."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation[TrainingClass] = fields.ForeignKeyField(
        "models.TrainingClass", related_name="enrolments", on_delete=fields.CASCADE
    )
    training_class_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="enrolments", on_delete=fields.RESTRICT
    )
    trainee_id: int
    status = fields.CharEnumField(EnrolmentStatus, default=EnrolmentStatus.ENROLLED)
    category = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)
    withdraw_reason = fields.CharField(max_length=20, default="")  # a WithdrawReason value
    withdraw_note = fields.CharField(max_length=300, default="")
    withdrawn_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="withdrawals", null=True, on_delete=fields.SET_NULL
    )
    withdrawn_by_id: int | None

    class Meta:
        table = "enrolment"
        unique_together = (("training_class", "trainee"),)
