"""What the registry keeps about an instructor beyond the `instructor` row (accounts).

The profile (qualifications, specialities, the certificate's date), HR's assignment requests
and the instructor's answers (第十六条(四): three refusals in the previous year are a ground),
and the yearly instructor training HR organises (第二十六条 师资培养).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class InstructorProfile(Model):
    """An instructor's registry profile"""

    id = fields.IntField(primary_key=True)
    instructor: fields.OneToOneRelation = fields.OneToOneField(
        "models.Instructor", related_name="profile", on_delete=fields.CASCADE
    )
    instructor_id: int
    organisation = fields.CharField(max_length=200, default="")  # 工作单位
    qualifications: Any = fields.JSONField(default=list)  # 资质、职称、培训经历
    specialities: Any = fields.JSONField(default=list)  # 擅长课程模块
    certificate_date = fields.DateField(null=True)  # 师资证书核发日期
    bio = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "instructor_profile"


class AssignmentAnswer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class InstructorAssignment(Model):
    """An HR assignment request (调配) to an instructor and the answer, 第十六条(四)"""

    id = fields.IntField(primary_key=True)
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="assignments", on_delete=fields.CASCADE
    )
    instructor_id: int
    training_class: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TrainingClass",
        related_name="instructor_requests",
        null=True,
        on_delete=fields.SET_NULL,
    )
    training_class_id: int | None
    request = fields.CharField(max_length=300)
    requested_on = fields.DateField()
    requested_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="assignment_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    answer = fields.CharEnumField(AssignmentAnswer, default=AssignmentAnswer.PENDING, max_length=10)
    answered_on = fields.DateField(null=True)
    refusal_reason = fields.CharField(max_length=300, default="")
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="assignment_answers", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor_assignment"
        indexes = (("instructor_id", "requested_on"),)


class InstructorTraining(Model):
    """Training an instructor attended in a year, 第二十六条 师资培养"""

    id = fields.IntField(primary_key=True)
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="trainings", on_delete=fields.CASCADE
    )
    instructor_id: int
    year = fields.IntField()
    title = fields.CharField(max_length=200)
    trained_on = fields.DateField()
    hours = fields.DecimalField(max_digits=5, decimal_places=1)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="instructor_trainings", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor_training"
        indexes = (("instructor_id", "year"),)
