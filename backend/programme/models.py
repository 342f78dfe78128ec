"""Programme administration: intake needs analysis, institution training plans, instructor
certification, typical cases (第八条(三)(四), 第十一、十三、二十六条)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class IntakeForm(Model):
    """第八条(四) 培训需求分析: what a trainee says before the class starts."""

    id = fields.IntField(primary_key=True)
    enrolment: fields.OneToOneRelation = fields.OneToOneField(
        "models.Enrolment", related_name="intake", on_delete=fields.CASCADE
    )
    enrolment_id: int
    education_level = fields.CharField(max_length=20)
    knowledge_level = fields.IntField()  # 1 (little) .. 5 (a lot) about job seeking
    desired_occupations: Any = fields.JSONField(default=list)  # names or GB/T 6565 codes
    intention = fields.TextField(default="")
    obstacles: Any = fields.JSONField(default=list)
    special_needs: Any = fields.JSONField(default=list)
    special_needs_note = fields.TextField(default="")
    availability = fields.CharField(max_length=200, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "intake_form"


class InterviewNote(Model):
    """第八条(四) 简短面试: a note by the class teacher or an instructor."""

    id = fields.IntField(primary_key=True)
    enrolment: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Enrolment", related_name="interview_notes", on_delete=fields.CASCADE
    )
    enrolment_id: int
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="interview_notes", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    note = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "interview_note"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class InstitutionPlan(Model):
    """第八条(三): an institution plan for a year (month NULL) or a month of it."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Institution", related_name="training_plans", on_delete=fields.CASCADE
    )
    institution_id: int
    year = fields.IntField()
    month = fields.IntField(null=True)
    classes_planned = fields.IntField()
    trainees_planned = fields.IntField()
    districts: Any = fields.JSONField(default=list)
    budget = fields.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    status = fields.CharEnumField(PlanStatus, default=PlanStatus.DRAFT, max_length=12)
    submitted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "institution_plan"
        unique_together = (("institution", "year", "month"),)


class Screening(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


class CertificationCandidate(Model):
    """第十一条: an instructor-class (师资班) candidate, screened by interview, then trained."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="certifications", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    background = fields.CharField(max_length=100, default="")  # e.g. 公共就业服务机构, 高校教师
    screening = fields.CharEnumField(Screening, default=Screening.PENDING, max_length=8)
    screening_note = fields.TextField(default="")
    assessment_score = fields.DecimalField(max_digits=5, decimal_places=1, null=True)
    assessment_passed = fields.BooleanField(null=True)
    instructor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="certification", null=True, on_delete=fields.SET_NULL
    )
    instructor_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "certification_candidate"


class ObservationRecord(Model):
    """第十三条 跟班观摩学习记录表: signed off by the lead instructor of the observed class."""

    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[CertificationCandidate] = fields.ForeignKeyField(
        "models.CertificationCandidate", related_name="observations", on_delete=fields.CASCADE
    )
    candidate_id: int
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="observations", on_delete=fields.RESTRICT
    )
    training_class_id: int
    start_date = fields.DateField()
    end_date = fields.DateField()
    observed = fields.TextField()
    signed_off_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Instructor",
        related_name="observations_signed",
        null=True,
        on_delete=fields.SET_NULL,
    )
    signed_off_by_id: int | None
    signed_off_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "observation_record"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class CertificationApplication(Model):
    """第十三条: the application for 师资评选认证 with its materials, decided by HR."""

    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[CertificationCandidate] = fields.ForeignKeyField(
        "models.CertificationCandidate", related_name="applications", on_delete=fields.CASCADE
    )
    candidate_id: int
    materials: Any = fields.JSONField(default=list)
    status = fields.CharEnumField(
        ApplicationStatus, default=ApplicationStatus.SUBMITTED, max_length=10
    )
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="certification_decisions", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decision_note = fields.TextField(default="")
    certificate_no = fields.CharField(max_length=40, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "certification_application"


class CaseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class TypicalCase(Model):
    """第二十六条 典型案例: a success story, anonymised by default, published only with consent."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="typical_cases", on_delete=fields.CASCADE
    )
    trainee_id: int
    institution: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Institution", related_name="typical_cases", null=True, on_delete=fields.SET_NULL
    )
    institution_id: int | None
    title = fields.CharField(max_length=100)
    story = fields.TextField()
    category = fields.CharField(max_length=40, default="")
    occupation = fields.CharField(max_length=60, default="")
    district_code = fields.CharField(max_length=6, default="")
    anonymised = fields.BooleanField(default=True)
    consent_at = fields.DatetimeField(null=True)
    consent_evidence = fields.CharField(max_length=200, default="")
    status = fields.CharEnumField(CaseStatus, default=CaseStatus.DRAFT, max_length=10)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="typical_cases", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "typical_case"
