"""Follow-up after training (第二十五条): milestones, survey answers, instructors' services.

When a class completes, each trainee gets three milestones after the class's end date: +1 week,
+3 months and +6 months (calendar months, the 31st clamps to the month's last day). On the due
day the trainee is invited to a short survey; instructors log their services across the stages.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Stage(StrEnum):
    """The three stages of 第二十五条."""

    WEEK_1 = "week_1"
    MONTH_3 = "month_3"
    MONTH_6 = "month_6"


STAGE_LABELS: dict[Stage, str] = {
    Stage.WEEK_1: "培训后1周",
    Stage.MONTH_3: "培训后3个月",
    Stage.MONTH_6: "培训后6个月",
}


class ServiceKind(StrEnum):
    """Ways of following up named in 第二十五条 (and the home visit for the unemployed)."""

    PHONE_CALL = "phone_call"  # 电话咨询
    JOB_PUSH = "job_push"  # 就业岗位推送
    INDIVIDUAL_GUIDANCE = "individual_guidance"  # 个体职业指导
    SMALL_LECTURE = "small_lecture"  # 举办小型宣讲
    MATCHING_FAIR = "matching_fair"  # 现场对接会
    HOME_VISIT = "home_visit"  # 家访


SERVICE_LABELS: dict[ServiceKind, str] = {
    ServiceKind.PHONE_CALL: "电话咨询",
    ServiceKind.JOB_PUSH: "就业岗位推送",
    ServiceKind.INDIVIDUAL_GUIDANCE: "个体职业指导",
    ServiceKind.SMALL_LECTURE: "小型宣讲",
    ServiceKind.MATCHING_FAIR: "现场对接会",
    ServiceKind.HOME_VISIT: "家访",
}


class FollowupMilestone(Model):
    """One follow-up point of one trainee of one class, and whether it was invited and answered."""

    id = fields.BigIntField(primary_key=True)
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="followup_milestones", on_delete=fields.CASCADE
    )
    training_class_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="followup_milestones", on_delete=fields.CASCADE
    )
    trainee_id: int
    stage = fields.CharEnumField(Stage, max_length=8)
    due_date = fields.DateField()
    invited_at = fields.DatetimeField(null=True)  # the survey invitation was queued
    answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "followup_milestone"
        unique_together = (("training_class", "trainee", "stage"),)
        # invited_at first: the daily job reads the not-yet-invited rows due by today
        indexes = (("invited_at", "due_date"), ("trainee_id", "due_date"))


class SurveyResponse(Model):
    """A trainee answer to the survey of one milestone (one answer per milestone)."""

    id = fields.BigIntField(primary_key=True)
    milestone: fields.OneToOneRelation[FollowupMilestone] = fields.OneToOneField(
        "models.FollowupMilestone", related_name="response", on_delete=fields.CASCADE
    )
    milestone_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="survey_responses", on_delete=fields.CASCADE
    )
    trainee_id: int
    employment_status = fields.CharField(max_length=16)
    employer = fields.CharField(max_length=200, default="")
    position = fields.CharField(max_length=100, default="")
    start_date = fields.DateField(null=True)
    satisfaction = fields.SmallIntField()  # 1..5
    help_needed = fields.TextField(default="")
    employment_record_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_response"


class FollowupService(Model):
    """A follow-up service given to a trainee (第二十五条): a call, a job push, a visit."""

    id = fields.BigIntField(primary_key=True)
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="followup_services", on_delete=fields.CASCADE
    )
    training_class_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="followup_services", on_delete=fields.CASCADE
    )
    trainee_id: int
    instructor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="followup_services", null=True, on_delete=fields.SET_NULL
    )
    instructor_id: int | None
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="followup_services", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    kind = fields.CharEnumField(ServiceKind, max_length=24)
    stage = fields.CharField(max_length=16)  # a Stage, or after_6_months (not counted)
    served_at = fields.DatetimeField()
    notes = fields.TextField(default="")
    outcome = fields.TextField(default="")
    task_id = fields.IntField(null=True)  # the home-visit task this service completed
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "followup_service"
        indexes = (("training_class_id", "trainee_id"),)
