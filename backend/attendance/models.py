"""Scans of the rotating code, the class teacher's marks and the history of every change."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from backend.attendance.qr import Purpose

__all__ = [
    "AttendanceChange",
    "AttendanceMark",
    "Checkin",
    "InstructorSignIn",
    "Mark",
    "Purpose",
    "Review",
]


class Review(StrEnum):
    """The class teacher's decision on a trainee's scan (第二十条: 考勤监督)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Mark(StrEnum):
    """Attendance of a trainee in a session as the class teacher marks it."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class ScanSignals(Model):
    """Anti-cheating signals kept with every scan: network, device and location."""

    id = fields.IntField(primary_key=True)
    scanned_at = fields.DatetimeField()
    late = fields.BooleanField(default=False)
    minutes_late = fields.IntField(default=0)
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=300, default="")
    device_id = fields.CharField(max_length=64, default="", db_index=True)
    device_model = fields.CharField(max_length=100, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    accuracy_m = fields.FloatField(null=True)
    distance_m = fields.FloatField(null=True)
    flags: Any = fields.JSONField(default=list)

    class Meta:
        abstract = True


class Checkin(ScanSignals):
    """One scan by a trainee: one per session, trainee and purpose (repeats are no-ops)."""

    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="checkins", on_delete=fields.CASCADE
    )
    session_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="checkins", on_delete=fields.RESTRICT
    )
    trainee_id: int
    purpose = fields.CharEnumField(Purpose, max_length=8)
    review = fields.CharEnumField(Review, max_length=16, default=Review.PENDING)
    reviewed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="checkins_reviewed", null=True, on_delete=fields.SET_NULL
    )
    reviewed_by_id: int | None
    reviewed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "attendance_checkin"
        unique_together = (("session", "trainee", "purpose"),)


class InstructorSignIn(ScanSignals):
    """第十九条: an instructor signs in to an own session, proving no private substitution."""

    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="instructor_sign_ins", on_delete=fields.CASCADE
    )
    session_id: int
    instructor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="sign_ins", on_delete=fields.RESTRICT
    )
    instructor_id: int
    purpose = fields.CharEnumField(Purpose, max_length=8)

    class Meta:
        table = "attendance_instructor_sign_in"
        unique_together = (("session", "instructor", "purpose"),)


class AttendanceMark(Model):
    """A mark set by the class teacher for a trainee in a session: it wins over any scan."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="attendance_marks", on_delete=fields.CASCADE
    )
    session_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="attendance_marks", on_delete=fields.RESTRICT
    )
    trainee_id: int
    mark = fields.CharEnumField(Mark, max_length=16)
    reason = fields.CharField(max_length=500, default="")
    marked_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="attendance_marks", null=True, on_delete=fields.SET_NULL
    )
    marked_by_id: int | None
    updated_at = fields.DatetimeField()  # set from backend.clock, like every business time

    class Meta:
        table = "attendance_mark"
        unique_together = (("session", "trainee"),)


class AttendanceChange(Model):
    """Every change a person makes to attendance: who, when, from what, to what and why."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="attendance_changes", on_delete=fields.CASCADE
    )
    session_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="attendance_changes", on_delete=fields.RESTRICT
    )
    trainee_id: int
    checkin: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Checkin", related_name="changes", null=True, on_delete=fields.SET_NULL
    )
    checkin_id: int | None
    action = fields.CharField(max_length=20)  # confirm, reject, confirm_all, mark
    from_status = fields.CharField(max_length=20)  # effective status before (rules.Status)
    from_review = fields.CharField(max_length=20)  # pending, confirmed, rejected, manual, none
    to_status = fields.CharField(max_length=20)
    to_review = fields.CharField(max_length=20)
    reason = fields.CharField(max_length=500, default="")
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="attendance_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    created_at = fields.DatetimeField()  # set from backend.clock

    class Meta:
        table = "attendance_change"
        indexes = (("session_id", "trainee_id"),)
