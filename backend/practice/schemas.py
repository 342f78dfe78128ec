"""Typed bodies of the practice capability: what services take and return, and routes document.

Class names are unique across the OpenAPI document (they all start with a practice word).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.clock import LocalDateTime
from backend.practice.models import AttemptStatus, MaterialKind, QuestionKind

Stage = Literal["self_intro", "behavioural", "situational", "salary"]


# -- career interest ---------------------------------------------------------------------------


class InterestItemOut(BaseModel):
    """One statement of the self-assessment (answered 1-5)."""

    number: int
    text: str


class InterestTestOut(BaseModel):
    """The self-assessment: its statements and the answer scale."""

    items: list[InterestItemOut]
    total: int = Field(description="Number of statements (bounded: all at once).")
    limit: int = Field(description="= total.")
    offset: int = 0
    scale: dict[str, str]
    instructions: str


class InterestAnswersIn(BaseModel):
    """Answers in item order, each 1 (很不符合) to 5 (非常符合)."""

    model_config = ConfigDict(extra="forbid")
    answers: list[int] = Field(min_length=1, max_length=100)


class InterestTypeOut(BaseModel):
    """One interest type with its score (0-100)."""

    type: str
    name: str
    score: int
    description: str


class PracticeOccupationOut(BaseModel):
    """An occupation of the reference catalogue."""

    code: str
    name: str


class InterestReportOut(BaseModel):
    """The report: the code, the types by score, suggested occupations, what was seeded."""

    id: int
    code: str
    summary: str
    types: list[InterestTypeOut]
    occupations: list[PracticeOccupationOut]
    seeded_fields: list[str]
    created_at: LocalDateTime


# -- résumé ------------------------------------------------------------------------------------


class ResumeEducation(BaseModel):
    """One education entry."""

    school: str = Field(default="", max_length=100)
    major: str = Field(default="", max_length=100)
    degree: str = Field(default="", max_length=30)
    start: str = Field(default="", max_length=20)
    end: str = Field(default="", max_length=20)


class ResumeExperience(BaseModel):
    """One work or internship entry."""

    employer: str = Field(default="", max_length=100)
    position: str = Field(default="", max_length=100)
    start: str = Field(default="", max_length=20)
    end: str = Field(default="", max_length=20)
    description: str = Field(default="", max_length=1000)


class ResumeContent(BaseModel):
    """The structured résumé the trainee edits (phone shown masked; the PDF has it in full)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=50)
    gender: str = Field(default="", max_length=8)
    phone_masked: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=100)
    intention: str = Field(default="", max_length=300)
    desired_occupations: list[str] = Field(default_factory=list, max_length=5)
    education: list[ResumeEducation] = Field(default_factory=list, max_length=10)
    experience: list[ResumeExperience] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=30)
    certificates: list[str] = Field(default_factory=list, max_length=20)
    self_evaluation: str = Field(default="", max_length=1000)


class ResumeOut(BaseModel):
    """The résumé and whether it was saved or freshly drafted from profile and roster."""

    saved: bool
    updated_at: LocalDateTime | None
    content: ResumeContent


class ResumeApplyIn(BaseModel):
    """A note for the employer sent with the application."""

    model_config = ConfigDict(extra="forbid")
    message: str = Field(default="", max_length=300)


class ResumeApplicationOut(BaseModel):
    """The application made, with the résumé attached."""

    application_id: int
    posting_id: int
    status: str
    resume_attached: bool


# -- mock interviews ---------------------------------------------------------------------------


class InterviewQuestionOut(BaseModel):
    """A question of a mock interview."""

    index: int
    stage: Stage
    stage_name: str
    text: str


class InterviewQuestionSetOut(BaseModel):
    """The questions of an occupation, by stage."""

    occupation_code: str
    occupation_name: str
    questions: list[InterviewQuestionOut]


class InterviewStartIn(BaseModel):
    """The target occupation (a catalogue code); none = the first wanted one of the profile."""

    model_config = ConfigDict(extra="forbid")
    occupation_code: str | None = Field(default=None, max_length=16)


class InterviewAnswerIn(BaseModel):
    """The trainee's answer in text (voice is transcribed on the phone)."""

    model_config = ConfigDict(extra="forbid")
    question_index: int = Field(ge=0, le=20)
    text: str = Field(min_length=1, max_length=3000)


class StarCheck(BaseModel):
    """Which parts of STAR (情境、任务、行动、结果) the answer has."""

    situation: bool
    task: bool
    action: bool
    result: bool


class FillerWord(BaseModel):
    """A filler word and how often it appears."""

    word: str
    count: int


class AnswerFeedback(BaseModel):
    """Feedback on one answer (mode `model` or `basic`)."""

    mode: Literal["model", "basic"]
    notice: str
    score: int = Field(ge=0, le=100)
    star: StarCheck
    relevance: float = Field(ge=0, le=1)
    relevance_comment: str
    length_chars: int
    length_comment: str
    filler_words: list[FillerWord]
    strengths: list[str]
    improvements: list[str]
    sample_answer: str


class InterviewAnswerOut(BaseModel):
    """An answer with its feedback."""

    question_index: int
    text: str
    feedback: AnswerFeedback
    created_at: LocalDateTime


class InterviewSummary(BaseModel):
    """Feedback on the whole session."""

    score: int
    mode: Literal["model", "basic", "mixed"]
    star_coverage: float
    strengths: list[str]
    improvements: list[str]
    answered: int
    asked: int


class InterviewReviewIn(BaseModel):
    """An instructor's rubric: each item 1-5, and a comment."""

    model_config = ConfigDict(extra="forbid")
    structure: int = Field(ge=1, le=5)
    relevance: int = Field(ge=1, le=5)
    expression: int = Field(ge=1, le=5)
    job_fit: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class InterviewReviewOut(BaseModel):
    """A review of a session by an instructor."""

    reviewer: str
    scores: dict[str, int]
    total: int
    comment: str
    created_at: LocalDateTime


class InterviewOut(BaseModel):
    """A mock interview with its questions, answers, summary and reviews."""

    id: int
    occupation_code: str
    occupation_name: str
    status: str
    questions: list[InterviewQuestionOut]
    answers: list[InterviewAnswerOut]
    summary: InterviewSummary | None
    reviews: list[InterviewReviewOut]
    created_at: LocalDateTime


class InterviewBriefOut(BaseModel):
    """One session in a list."""

    id: int
    occupation_code: str
    status: str
    score: int | None
    created_at: LocalDateTime


class InterviewListOut(BaseModel):
    """Sessions, newest first."""

    items: list[InterviewBriefOut]
    total: int
    limit: int
    offset: int


class InterviewProgressOut(BaseModel):
    """A trainee's progress across finished sessions (oldest first)."""

    attempts: int
    first_score: int | None
    best_score: int | None
    latest_score: int | None
    change: int | None
    scores: list[int]
    reviewed_scores: list[int]


class ClassInterviewRowOut(BaseModel):
    """One trainee of the class: sessions finished, first, best, latest score."""

    trainee_id: int
    name: str
    attempts: int
    first_score: int | None
    best_score: int | None
    latest_score: int | None


class ClassInterviewProgressOut(BaseModel):
    """Mock-interview progress of a class for its instructors."""

    class_id: int
    trainees_practising: int
    sessions_finished: int
    average_first: float | None
    average_latest: float | None
    items: list[ClassInterviewRowOut]
    total: int
    limit: int
    offset: int


# -- question banks and online tests -----------------------------------------------------------


class BankIn(BaseModel):
    """A new question bank."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=2, max_length=100)


class BankOut(BaseModel):
    """A question bank."""

    id: int
    title: str
    shared: bool
    questions: int
    mine: bool


class BankListOut(BaseModel):
    """Banks the caller may use."""

    items: list[BankOut]
    total: int
    limit: int
    offset: int


class BankQuestionIn(BaseModel):
    """A question: options for choices (A, B, …), answer letters, true/false, or reference."""

    model_config = ConfigDict(extra="forbid")
    kind: QuestionKind
    stem: str = Field(min_length=2, max_length=2000)
    options: list[str] = Field(default_factory=list, max_length=8)
    answer: Any
    points: int = Field(default=2, ge=1, le=100)
    rubric: str = Field(default="", max_length=2000)


class BankQuestionOut(BaseModel):
    """A question of a bank (with its answer: banks are for their keepers)."""

    id: int
    kind: QuestionKind
    stem: str
    options: list[str]
    answer: Any
    points: int
    rubric: str


class BankQuestionListOut(BaseModel):
    """Questions of a bank."""

    items: list[BankQuestionOut]
    total: int
    limit: int
    offset: int


class BankImportProblemOut(BaseModel):
    """A bad row of an imported workbook."""

    row: int
    problems: list[str]


class BankImportOut(BaseModel):
    """How an import went: everything or nothing."""

    imported: int
    errors: list[BankImportProblemOut]


class OnlineTestIn(BaseModel):
    """A timed test for a class from one bank (all questions, or those listed)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=2, max_length=100)
    bank_id: int
    question_ids: list[int] | None = Field(default=None, max_length=200)
    duration_minutes: int = Field(ge=1, le=300)
    opens_at: datetime
    closes_at: datetime
    max_attempts: int = Field(default=1, ge=1, le=10)


class OnlineTestOut(BaseModel):
    """A test of a class."""

    id: int
    class_id: int
    title: str
    questions: int
    total_points: int
    duration_minutes: int
    opens_at: LocalDateTime
    closes_at: LocalDateTime
    max_attempts: int


class OnlineTestListOut(BaseModel):
    """Tests of a class."""

    items: list[OnlineTestOut]
    total: int
    limit: int
    offset: int


class TestQuestionOut(BaseModel):
    """A question as the trainee sees it (no answer)."""

    id: int
    kind: QuestionKind
    stem: str
    options: list[str]
    points: int


class AttemptAnswersIn(BaseModel):
    """Answers by question id: letters for choices, true/false, text for short answers."""

    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any]


class AttemptOut(BaseModel):
    """An attempt: questions, answers kept, scores as far as known."""

    id: int
    test_id: int
    trainee_id: int
    number: int
    status: AttemptStatus
    started_at: LocalDateTime
    deadline: LocalDateTime
    submitted_at: LocalDateTime | None
    late: bool
    questions: list[TestQuestionOut]
    answers: dict[str, Any]
    item_scores: dict[str, float | None]
    objective_score: float
    score: float | None


class AttemptBriefOut(BaseModel):
    """An attempt in the instructor's list."""

    id: int
    trainee_id: int
    name: str
    number: int
    status: AttemptStatus
    score: float | None
    submitted_at: LocalDateTime | None


class AttemptListOut(BaseModel):
    """Attempts at a test."""

    items: list[AttemptBriefOut]
    total: int
    limit: int
    offset: int


class ShortAnswerGrade(BaseModel):
    """Points for one short answer and a comment against the rubric."""

    question_id: int
    points: float = Field(ge=0, le=100)
    comment: str = Field(default="", max_length=500)


class AttemptGradeIn(BaseModel):
    """The instructor's grades of the short answers."""

    model_config = ConfigDict(extra="forbid")
    grades: list[ShortAnswerGrade] = Field(min_length=1, max_length=200)


class TestAllowIn(BaseModel):
    """Allow one trainee more attempts."""

    model_config = ConfigDict(extra="forbid")
    trainee_id: int
    extra_attempts: int = Field(ge=0, le=10)


class TestAllowOut(BaseModel):
    """Attempts the trainee may now make in all."""

    trainee_id: int
    allowed_attempts: int


class PracticalScore(BaseModel):
    """The instructor's practical score of one trainee (the part besides the test)."""

    trainee_id: int
    score: float = Field(ge=0, le=100)


class TestAssessmentIn(BaseModel):
    """Practical scores for the part of the assessment that is not the test."""

    model_config = ConfigDict(extra="forbid")
    practical_scores: list[PracticalScore] = Field(default_factory=list, max_length=500)


class TestAssessmentRowOut(BaseModel):
    """One trainee's assessment as fed by the test: parts, weight, result."""

    trainee_id: int
    test_score: str
    practical_score: str | None
    test_weight: str
    combined: str
    passed: bool
    formula: str


class SkippedTraineeOut(BaseModel):
    """An enrolled trainee the assessment left out, and why."""

    trainee_id: int
    reason: str


class TestAssessmentOut(BaseModel):
    """What the test fed into the class's assessment, and who was left out and why."""

    test_id: int
    class_id: int
    test_weight: str
    formula: str
    items: list[TestAssessmentRowOut]
    total: int = Field(description="Number of rows (bounded by the class: all at once).")
    limit: int = Field(description="= total.")
    offset: int = 0
    skipped: list[SkippedTraineeOut]


# -- course materials --------------------------------------------------------------------------


class MaterialLinkIn(BaseModel):
    """A link as a material."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")


class MaterialOut(BaseModel):
    """A course material: a file (download path) or a link."""

    id: int
    session_id: int
    title: str
    kind: MaterialKind
    url: str
    content_type: str
    size: int
    created_at: LocalDateTime


class MaterialListOut(BaseModel):
    """Materials of a session."""

    items: list[MaterialOut]
    total: int
    limit: int
    offset: int


class ScheduleMaterialsOut(BaseModel):
    """One session of the trainee's schedule with its materials."""

    session_id: int
    class_id: int
    topic: str
    starts_at: LocalDateTime
    materials: list[MaterialOut]


class MyMaterialsOut(BaseModel):
    """The trainee's sessions with their materials, soonest first."""

    items: list[ScheduleMaterialsOut]
    total: int
    limit: int
    offset: int


class PracticePage(BaseModel):
    """Paging query parameters."""

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)
