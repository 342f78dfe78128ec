"""Supervision's own records: daily feedback, instructor evaluations (registers: backend/registers).

Model docstrings become SQL table comments: keep them free of semicolons and apostrophes.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinValueValidator

RATING_MIN, RATING_MAX = 1, 5  # 每日意见: 1 (very poor) … 5 (very good)


def _rating() -> fields.SmallIntField:
    return fields.SmallIntField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )


class SessionFeedback(Model):
    """Daily feedback (每日意见): one rating per trainee and session, given once it started."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="feedback", on_delete=fields.CASCADE
    )
    session_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="session_feedback", on_delete=fields.RESTRICT
    )
    trainee_id: int
    content_score = _rating()  # 课程内容
    instructor_score = _rating()  # 讲师授课
    organisation_score = _rating()  # 培训组织
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "session_feedback"
        unique_together = (("session", "trainee"),)


class InstructorEvaluation(Model):
    """HR findings on an instructor for a year, with the computed figures at that moment."""

    id = fields.IntField(primary_key=True)
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="evaluations", on_delete=fields.CASCADE
    )
    instructor_id: int
    year = fields.IntField()
    findings = fields.TextField()
    snapshot: Any = fields.JSONField(default=dict)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="evaluations", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor_evaluation"
        unique_together = (("instructor", "year"),)
