"""Working-day data HR enters for years `chinesecalendar` does not cover (or to override).

Read by `backend.calendar.working_days`.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class CalendarYear(Model):
    """A year whose holidays and adjusted working days (调休) HR has entered in full."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField(unique=True)
    note = fields.CharField(max_length=200, default="")
    entered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="calendar_years", null=True, on_delete=fields.SET_NULL
    )
    entered_by_id: int | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "calendar_year"


class CalendarDay(Model):
    """A day that differs from the Monday–Friday rule: a holiday, or a weekend working day."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    is_workday = fields.BooleanField()
    name = fields.CharField(max_length=50, default="")

    class Meta:
        table = "calendar_day"


class CalendarYearVersion(Model):
    """Each complete entry of a year HR saved, kept when a later one replaces it"""

    id = fields.IntField(primary_key=True)
    year = fields.IntField()
    version = fields.IntField()
    holidays: Any = fields.JSONField(default=list)  # [[iso date, name], ...]
    workdays: Any = fields.JSONField(default=list)
    working_days = fields.IntField(null=True)
    note = fields.CharField(max_length=200, default="")
    entered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="calendar_versions", null=True, on_delete=fields.SET_NULL
    )
    entered_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "calendar_year_version"
        unique_together = (("year", "version"),)
