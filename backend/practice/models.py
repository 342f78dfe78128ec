"""Practice (模拟实训, 第二十一条(四)) and teaching services (第二十一条(二), 第二十二条): tables.

Career-interest results, résumés, mock interviews and their reviews, question banks, online
tests with their attempts, and course materials. Nothing below this package imports it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class InterestResult(Model):
    """A career-interest self-assessment (RIASEC) of a trainee: answers, scores, code."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="interest_results", on_delete=fields.CASCADE
    )
    trainee_id: int
    answers: Any = fields.JSONField()
    scores: Any = fields.JSONField()  # {"R": 0-100, …}
    code = fields.CharField(max_length=3)
    seeded: Any = fields.JSONField(default=list)  # profile fields this result filled
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_interest_result"
        indexes = (("trainee_id", "created_at"),)


class Resume(Model):
    """The structured résumé a trainee edits (one per trainee)."""

    id = fields.IntField(primary_key=True)
    trainee: fields.OneToOneRelation = fields.OneToOneField(
        "models.Trainee", related_name="resume", on_delete=fields.CASCADE
    )
    trainee_id: int
    content: Any = fields.JSONField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "practice_resume"


class ResumeAttachment(Model):
    """The résumé as it was when the trainee attached it to a job application."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation = fields.OneToOneField(
        "models.JobApplication", related_name="resume_attachment", on_delete=fields.CASCADE
    )
    application_id: int
    content: Any = fields.JSONField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_resume_attachment"


class InterviewStatus(StrEnum):
    """A mock interview is open until the trainee finishes it."""

    OPEN = "open"
    FINISHED = "finished"


class Interview(Model):
    """A mock interview: the questions asked and the feedback on the whole session."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="interviews", on_delete=fields.CASCADE
    )
    trainee_id: int
    occupation_code = fields.CharField(max_length=16)
    questions: Any = fields.JSONField()  # [{stage, text, keywords}]
    status = fields.CharEnumField(InterviewStatus, max_length=16, default=InterviewStatus.OPEN)
    score = fields.SmallIntField(null=True)  # 0-100 once finished
    summary: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "practice_interview"
        indexes = (("trainee_id", "created_at"),)


class InterviewAnswer(Model):
    """One answer of a mock interview with its feedback (model or basic mode)."""

    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "models.Interview", related_name="answers", on_delete=fields.CASCADE
    )
    interview_id: int
    question_index = fields.SmallIntField()
    text = fields.TextField()
    mode = fields.CharField(max_length=8)  # model | basic
    score = fields.SmallIntField()
    feedback: Any = fields.JSONField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_interview_answer"
        unique_together = (("interview_id", "question_index"),)


class InterviewReview(Model):
    """An instructor rubric review of a mock interview (one per instructor)."""

    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "models.Interview", related_name="reviews", on_delete=fields.CASCADE
    )
    interview_id: int
    reviewer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="interview_reviews", on_delete=fields.CASCADE
    )
    reviewer_id: int
    scores: Any = fields.JSONField()  # rubric item → 1-5
    total = fields.SmallIntField()  # 0-100
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_interview_review"
        unique_together = (("interview_id", "reviewer_id"),)


class QuestionKind(StrEnum):
    """Kinds of test question."""

    SINGLE = "single"  # 单选
    MULTIPLE = "multiple"  # 多选
    TRUE_FALSE = "true_false"  # 判断
    SHORT = "short"  # 简答 (scored by the instructor)


class QuestionBank(Model):
    """A bank of test questions kept by an instructor or HR (HR banks are shared)."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100)
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="question_banks", on_delete=fields.RESTRICT
    )
    owner_id: int
    shared = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_question_bank"


class BankQuestion(Model):
    """A question of a bank: stem, options, answer, points and a rubric for short answers."""

    id = fields.IntField(primary_key=True)
    bank: fields.ForeignKeyRelation[QuestionBank] = fields.ForeignKeyField(
        "models.QuestionBank", related_name="questions", on_delete=fields.CASCADE
    )
    bank_id: int
    kind = fields.CharEnumField(QuestionKind, max_length=16)
    stem = fields.TextField()
    options: Any = fields.JSONField(default=list)
    answer: Any = fields.JSONField()  # letters, a bool, or a reference answer
    points = fields.SmallIntField(default=2)
    rubric = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_bank_question"


class OnlineTest(Model):
    """A timed test of a class: a frozen copy of its questions, window and attempts allowed."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="online_tests", on_delete=fields.CASCADE
    )
    training_class_id: int
    title = fields.CharField(max_length=100)
    questions: Any = fields.JSONField()
    duration_minutes = fields.SmallIntField()
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    max_attempts = fields.SmallIntField(default=1)
    created_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="online_tests", on_delete=fields.RESTRICT
    )
    created_by_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_online_test"


class OnlineTestAllowance(Model):
    """Extra attempts an instructor allowed one trainee at a test."""

    id = fields.IntField(primary_key=True)
    test: fields.ForeignKeyRelation[OnlineTest] = fields.ForeignKeyField(
        "models.OnlineTest", related_name="allowances", on_delete=fields.CASCADE
    )
    test_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="test_allowances", on_delete=fields.CASCADE
    )
    trainee_id: int
    extra_attempts = fields.SmallIntField(default=0)
    granted_by_id = fields.IntField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "practice_test_allowance"
        unique_together = (("test_id", "trainee_id"),)


class AttemptStatus(StrEnum):
    """In progress → submitted (short answers wait for the instructor) → graded."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    GRADED = "graded"


class OnlineTestAttempt(Model):
    """One attempt of a trainee at a test: answers kept, item scores, total."""

    id = fields.IntField(primary_key=True)
    test: fields.ForeignKeyRelation[OnlineTest] = fields.ForeignKeyField(
        "models.OnlineTest", related_name="attempts", on_delete=fields.CASCADE
    )
    test_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="test_attempts", on_delete=fields.CASCADE
    )
    trainee_id: int
    number = fields.SmallIntField()
    status = fields.CharEnumField(AttemptStatus, max_length=16, default=AttemptStatus.IN_PROGRESS)
    started_at = fields.DatetimeField()
    deadline = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    late = fields.BooleanField(default=False)
    answers: Any = fields.JSONField(default=dict)  # question id (str) → answer
    item_scores: Any = fields.JSONField(default=dict)  # question id (str) → points or null
    grading: Any = fields.JSONField(default=dict)  # question id (str) → instructor comment
    score = fields.DecimalField(max_digits=5, decimal_places=1, null=True)  # 0-100 when graded
    graded_by_id = fields.IntField(null=True)

    class Meta:
        table = "practice_test_attempt"
        unique_together = (("test_id", "trainee_id", "number"),)


class OnlineTestAssessment(Model):
    """How a test result fed a trainee assessment: parts, weight and the combined score."""

    id = fields.IntField(primary_key=True)
    test: fields.ForeignKeyRelation[OnlineTest] = fields.ForeignKeyField(
        "models.OnlineTest", related_name="assessments", on_delete=fields.CASCADE
    )
    test_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="test_assessments", on_delete=fields.CASCADE
    )
    trainee_id: int
    test_score = fields.DecimalField(max_digits=5, decimal_places=1)
    practical_score = fields.DecimalField(max_digits=5, decimal_places=1, null=True)
    test_weight = fields.DecimalField(max_digits=4, decimal_places=3)
    combined = fields.DecimalField(max_digits=5, decimal_places=1)
    recorded_by_id = fields.IntField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "practice_test_assessment"
        unique_together = (("test_id", "trainee_id"),)


class MaterialKind(StrEnum):
    """A stored file or a link."""

    FILE = "file"
    LINK = "link"


class Material(Model):
    """A course material of a session, published by one of the class instructors."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.ClassSession", related_name="materials", on_delete=fields.CASCADE
    )
    session_id: int
    title = fields.CharField(max_length=100)
    kind = fields.CharEnumField(MaterialKind, max_length=8)
    url = fields.CharField(max_length=500, default="")
    content_type = fields.CharField(max_length=100, default="")
    size = fields.IntField(default=0)
    storage_name = fields.CharField(max_length=64, null=True, unique=True)
    original_name = fields.CharField(max_length=200, default="")
    published_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="materials", on_delete=fields.RESTRICT
    )
    published_by_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "practice_material"
        indexes = (("session_id", "created_at"),)
