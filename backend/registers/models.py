"""The registers HR keeps on institutions, instructors and trainees, and that gate new work.

Written notices (第九条), the blacklist (第二十七条), inspections (第二十八条), 第十六条 actions
against instructors and fraud findings (第九条(二)). They sit below the classes: a plan
submission reads the standing ledger over them (第七条(六)) and enrolment and instructor
assignment read the blacklist. The services that write them (supervision, subsidies) sit above.

Model docstrings become SQL table comments: keep them free of semicolons and apostrophes.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinValueValidator

from backend.accounts.models import InstructorStatus

SCORE_MIN, SCORE_MAX = 0, 100  # inspection checklist items: 0 … 100


class InstitutionNotice(Model):
    """A written notice (书面通报) from HR to an institution, numbered per institution (第九条)."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Institution", related_name="notices", on_delete=fields.RESTRICT
    )
    institution_id: int
    sequence = fields.IntField()  # 1, 2, 3 … per institution; the third disqualifies
    reason = fields.TextField()
    issued_on = fields.DateField()
    disqualified = fields.BooleanField(default=False)  # this notice took the qualification
    issued_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="notices_issued", null=True, on_delete=fields.SET_NULL
    )
    issued_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "institution_notice"
        unique_together = (("institution", "sequence"),)


class BlacklistKind(StrEnum):
    """Who can be blacklisted (第二十七条: 学员、机构、培训师资)."""

    INSTITUTION = "institution"
    INSTRUCTOR = "instructor"
    TRAINEE = "trainee"


BLACKLIST_KIND_LABELS: dict[BlacklistKind, str] = {
    BlacklistKind.INSTITUTION: "培训机构",
    BlacklistKind.INSTRUCTOR: "讲师",
    BlacklistKind.TRAINEE: "学员",
}


class BlacklistEntry(Model):
    """An entry on the job-seeking training blacklist (第二十七条) for a period of days."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(BlacklistKind, max_length=16)
    subject_id = fields.IntField()  # an institution, instructor or trainee id, by kind
    subject_name = fields.CharField(max_length=200)  # as it was when listed
    reason = fields.TextField()
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)  # NULL: until lifted
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="blacklist_entries", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    lifted_on = fields.DateField(null=True)  # not in force from this day on
    lifted_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="blacklist_lifts", null=True, on_delete=fields.SET_NULL
    )
    lifted_by_id: int | None
    lift_reason = fields.TextField(default="")

    class Meta:
        table = "blacklist_entry"
        indexes = (("kind", "subject_id"),)


class InspectionMode(StrEnum):
    """第二十八条 明察暗访: an announced or an unannounced visit."""

    OPEN = "open"  # 明察
    UNANNOUNCED = "unannounced"  # 暗访


INSPECTION_MODE_LABELS: dict[InspectionMode, str] = {
    InspectionMode.OPEN: "明察",
    InspectionMode.UNANNOUNCED: "暗访",
}


class InspectionItem(StrEnum):
    """Checklist items: the five of 第二十八条, and the materials of 第二十七条."""

    TRAINING_ORGANISATION = "training_organisation"  # 培训组织
    TRAINEE_MANAGEMENT = "trainee_management"  # 学员管理
    TEACHING_DELIVERY = "teaching_delivery"  # 教学实施
    INSTRUCTOR_TEACHING = "instructor_teaching"  # 师资授课
    TRAINEE_SATISFACTION = "trainee_satisfaction"  # 学员满意度
    MATERIALS_EQUIPMENT = "materials_equipment"  # 教材、设备、教具 (第二十七条)


INSPECTION_ITEM_LABELS: dict[InspectionItem, str] = {
    InspectionItem.TRAINING_ORGANISATION: "培训组织",
    InspectionItem.TRAINEE_MANAGEMENT: "学员管理",
    InspectionItem.TEACHING_DELIVERY: "教学实施",
    InspectionItem.INSTRUCTOR_TEACHING: "师资授课",
    InspectionItem.TRAINEE_SATISFACTION: "学员满意度",
    InspectionItem.MATERIALS_EQUIPMENT: "教材设备教具",
}


class Inspection(Model):
    """An inspection (明察暗访, 第二十八条) of an institution, optionally of one of its classes."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Institution", related_name="inspections", on_delete=fields.RESTRICT
    )
    institution_id: int
    training_class: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="inspections", null=True, on_delete=fields.SET_NULL
    )
    training_class_id: int | None
    mode = fields.CharEnumField(InspectionMode, max_length=16)
    inspected_on = fields.DateField()
    inspector = fields.CharField(max_length=100)  # who visited (names as written on the form)
    findings = fields.TextField(default="")
    overall_score = fields.DecimalField(max_digits=5, decimal_places=2)  # mean of the items
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="inspections_recorded", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inspection"
        indexes = (("institution_id", "inspected_on"),)


class InspectionScore(Model):
    """One checklist item of an inspection, scored from 0 to 100."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="scores", on_delete=fields.CASCADE
    )
    inspection_id: int
    item = fields.CharEnumField(InspectionItem, max_length=32)
    score = fields.SmallIntField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    note = fields.CharField(max_length=300, default="")

    class Meta:
        table = "inspection_score"
        unique_together = (("inspection", "item"),)


class InstructorActionKind(StrEnum):
    """第十六条: 谈话提醒, 暂停选派, 取消师资资格 — and the end of a suspension."""

    TALK_REMINDER = "talk_reminder"
    SUSPEND = "suspend"
    REVOKE = "revoke"
    REINSTATE = "reinstate"


INSTRUCTOR_ACTION_LABELS: dict[InstructorActionKind, str] = {
    InstructorActionKind.TALK_REMINDER: "谈话提醒",
    InstructorActionKind.SUSPEND: "暂停选派",
    InstructorActionKind.REVOKE: "取消师资资格",
    InstructorActionKind.REINSTATE: "恢复选派",
}


class InstructorAction(Model):
    """A measure of 第十六条 taken against an instructor, or the end of a suspension."""

    id = fields.IntField(primary_key=True)
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="disciplinary_actions", on_delete=fields.RESTRICT
    )
    instructor_id: int
    kind = fields.CharEnumField(InstructorActionKind, max_length=16)
    ground = fields.SmallIntField(null=True)  # the clause of 第十六条, (一) … (六)
    reason = fields.TextField()
    decided_on = fields.DateField()
    status_before = fields.CharEnumField(InstructorStatus, max_length=16)
    status_after = fields.CharEnumField(InstructorStatus, max_length=16)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="instructor_actions", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor_action"
        indexes = (("instructor_id", "decided_on"),)


class FraudFinding(Model):
    """A confirmed finding that a class obtained subsidy by fraud, 第九条(二)."""

    id = fields.IntField(primary_key=True)
    training_class: fields.OneToOneRelation = fields.OneToOneField(
        "models.TrainingClass", related_name="fraud_finding", on_delete=fields.RESTRICT
    )
    training_class_id: int
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Institution", related_name="fraud_findings", on_delete=fields.RESTRICT
    )
    institution_id: int
    reason = fields.TextField()
    decided_on = fields.DateField()
    disqualified = fields.BooleanField(default=False)  # this finding took the qualification
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="fraud_findings", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    clawbacks: fields.ReverseRelation  # subsidies.models.Clawback, one floor up

    class Meta:
        table = "fraud_finding"
