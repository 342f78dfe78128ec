"""Mock-interview practice (模拟面试, 第二十一条(四)): sessions, answers, feedback, reviews.

A trainee starts a session for a target occupation (one question of each stage, two
behavioural), answers in text and gets feedback per answer (`coach.feedback`: the model
behind LLM_API_BASE, or the basic mode); finishing gives the session's feedback. Instructors
of the trainee's class read sessions, add rubric reviews and see the class's progress.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Any

from tortoise.exceptions import IntegrityError

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role, Trainee, User
from backend.classes.models import Enrolment, EnrolmentStatus
from backend.classes.scope import authorize_class, authorize_trainee
from backend.employment.models import EmploymentRecord, JobProfile
from backend.employment.terms import ready as tokens_ready
from backend.errors import Conflict, InvalidInput, NotFound
from backend.occupations import code_name, is_valid_code
from backend.practice import coach
from backend.practice.models import (
    Interview,
    InterviewAnswer,
    InterviewReview,
    InterviewStatus,
    Resume,
)
from backend.practice.questions import (
    STAGES,
    STAR_STAGES,
    Question,
    question_set,
    session_questions,
)
from backend.practice.schemas import (
    AnswerFeedback,
    ClassInterviewProgressOut,
    ClassInterviewRowOut,
    InterviewAnswerOut,
    InterviewBriefOut,
    InterviewListOut,
    InterviewOut,
    InterviewProgressOut,
    InterviewQuestionOut,
    InterviewQuestionSetOut,
    InterviewReviewIn,
    InterviewReviewOut,
    InterviewSummary,
    ResumeContent,
    ResumeEducation,
)
from backend.practice.service import trainee_of
from backend.runtime import runtime

# 第二十一条(四): the trainee practises interviews; an instructor of their class reviews them.
INTERVIEWEES = frozenset({Role.TRAINEE})
REVIEWERS = frozenset({Role.INSTRUCTOR})
READERS = INTERVIEWEES | REVIEWERS  # the question sets, and a session (its trainee or reviewer)
RUBRIC_ITEMS = ("structure", "relevance", "expression", "job_fit")


def _question(data: dict[str, Any]) -> Question:
    keywords = data.get("keywords") or []
    return Question(str(data["stage"]), str(data["text"]), tuple(str(k) for k in keywords))


def _questions_out(questions: list[Question]) -> list[InterviewQuestionOut]:
    return [
        InterviewQuestionOut.model_validate(
            {"index": i, "stage": q.stage, "stage_name": STAGES[q.stage], "text": q.text}
        )
        for i, q in enumerate(questions)
    ]


def interview_questions(*, occupation_code: str) -> InterviewQuestionSetOut:
    """Every question of an occupation's set, by stage."""
    code = _checked_code(occupation_code)
    return InterviewQuestionSetOut(
        occupation_code=code,
        occupation_name=code_name(code),
        questions=_questions_out(question_set(code)),
    )


def _checked_code(code: str) -> str:
    if not is_valid_code(code):
        raise InvalidInput("岗位类别代码不正确", code="OCCUPATION_UNKNOWN")
    return code


async def start_interview(*, actor: Actor, occupation_code: str | None) -> InterviewOut:
    """Open a session for the target occupation (the profile's first wanted one by default)."""
    trainee_id = trainee_of(actor)
    if occupation_code is None:
        profile = await JobProfile.get_or_none(trainee_id=trainee_id)
        wanted = profile.desired_occupations if profile else []
        if not wanted:
            raise InvalidInput(
                "请选择目标岗位，或先在求职意向中填写期望岗位", code="OCCUPATION_REQUIRED"
            )
        occupation_code = str(wanted[0])
    code = _checked_code(occupation_code)
    attempt = await Interview.filter(trainee_id=trainee_id, occupation_code=code).count()
    interview = await Interview.create(
        trainee_id=trainee_id,
        occupation_code=code,
        questions=[q.to_dict() for q in session_questions(code, attempt)],
        created_at=clock.now(),
    )
    return await _out(interview)


async def _own_interview(actor: Actor, interview_id: int) -> Interview:
    trainee_id = trainee_of(actor)
    interview = await Interview.get_or_none(id=interview_id, trainee_id=trainee_id)
    if interview is None:
        raise NotFound("模拟面试不存在", code="INTERVIEW_NOT_FOUND")
    return interview


async def _background(trainee_id: int) -> coach.Background:
    """Names and organisations to scrub, and a background line (skills, positions).

    Read as plain values (no model objects, no phone decryption): it runs on every answer.
    """
    trainee = (await Trainee.filter(id=trainee_id).values("name", "school", "major", "education"))[
        0
    ]
    saved = await Resume.filter(trainee_id=trainee_id).values_list("content", flat=True)
    if saved:
        resume = ResumeContent.model_validate(saved[0])
    else:
        profile = await JobProfile.filter(trainee_id=trainee_id).values("skills", "major")
        resume = ResumeContent(
            name=trainee["name"],
            education=[
                ResumeEducation(
                    school=trainee["school"],
                    major=(profile[0]["major"] if profile else "") or trainee["major"],
                    degree=trainee["education"],
                )
            ],
            skills=list(profile[0]["skills"]) if profile else [],
        )
    employers = await EmploymentRecord.filter(trainee_id=trainee_id).values_list(
        "employer", flat=True
    )
    organisations = [
        *(x.employer for x in resume.experience),
        *(e.school for e in resume.education),
        *(str(e) for e in employers),
        trainee["school"],
    ]
    positions = "、".join(x.position for x in resume.experience if x.position)
    degrees = "、".join(f"{e.degree}{e.major}" for e in resume.education if e.degree or e.major)
    summary = "；".join(
        part
        for part in (
            f"学历专业：{degrees}" if degrees else "",
            f"做过的岗位：{positions}" if positions else "",
            f"技能：{'、'.join(resume.skills)}" if resume.skills else "",
            f"自我评价：{resume.self_evaluation}" if resume.self_evaluation else "",
        )
        if part
    )
    return coach.Background(
        names=coach.known_values([trainee["name"], resume.name]),
        organisations=coach.known_values(organisations),
        summary=summary,
    )


async def _model_calls_left(trainee_id: int) -> bool:
    """LLM_DAILY_CALLS_PER_TRAINEE: model feedback given today (Asia/Shanghai) is under it."""
    # compared in UTC: SQLite compares the stored text
    midnight = datetime.combine(clock.today(), time(0), tzinfo=clock.SHANGHAI).astimezone(UTC)
    used = await InterviewAnswer.filter(
        interview__trainee_id=trainee_id, mode="model", created_at__gte=midnight
    ).count()
    return used < runtime().settings.llm_daily_calls_per_trainee


async def answer_question(
    *, actor: Actor, interview_id: int, question_index: int, text: str
) -> InterviewAnswerOut:
    """Record an answer (a second answer replaces the first) and give its feedback."""
    trainee_id = trainee_of(actor)
    client = runtime().llm
    # independent reads at once (on PostgreSQL, several pool connections): fewer round trips
    # before the model call, which is what a trainee waits for
    interview, calls_left, background, _ = await asyncio.gather(
        _own_interview(actor, interview_id),
        _model_calls_left(trainee_id) if client is not None else _nothing(),
        _background(trainee_id),
        tokens_ready(),
    )
    if interview.status is InterviewStatus.FINISHED:
        raise Conflict("该模拟面试已结束，请开始新的练习", code="INTERVIEW_FINISHED")
    if not 0 <= question_index < len(interview.questions):
        raise InvalidInput("题号不正确", code="QUESTION_INDEX_INVALID")
    question = _question(interview.questions[question_index])
    feedback = await coach.feedback(
        client=client,
        allowed=bool(calls_left),
        question=question,
        answer=text.strip(),
        occupation_name=code_name(interview.occupation_code),
        background=background,
    )
    now = clock.now()
    await _keep_answer(
        interview.id,
        question_index,
        {
            "text": text.strip(),
            "mode": feedback.mode,
            "score": feedback.score,
            "feedback": feedback.model_dump(),
            "created_at": now,
        },
    )
    return InterviewAnswerOut(
        question_index=question_index, text=text.strip(), feedback=feedback, created_at=now
    )


async def _nothing() -> bool:
    return False


async def _keep_answer(interview_id: int, question_index: int, values: dict[str, Any]) -> None:
    """Insert the answer, or replace the earlier one (unique per interview and question)."""
    where: dict[str, Any] = {"interview_id": interview_id, "question_index": question_index}
    if await InterviewAnswer.filter(**where).update(**values):
        return
    try:  # autocommit, no surrounding transaction: a failed insert leaves nothing to undo
        await InterviewAnswer.create(**where, **values)
    except IntegrityError:  # the same question answered twice at once: the later one wins
        await InterviewAnswer.filter(**where).update(**values)


def summarise(questions: list[Question], answers: list[InterviewAnswer]) -> InterviewSummary:
    """The session's feedback from its answers' feedback."""
    feedbacks = [AnswerFeedback.model_validate(a.feedback) for a in answers]
    by_index = {a.question_index: f for a, f in zip(answers, feedbacks, strict=True)}
    scores = [by_index[i].score if i in by_index else 0 for i in range(len(questions))]
    star_items = [
        by_index[i].star
        for i, q in enumerate(questions)
        if q.stage in STAR_STAGES and i in by_index
    ]
    coverage = (
        sum(sum(s.model_dump().values()) for s in star_items) / (4 * len(star_items))
        if star_items
        else 0.0
    )
    modes = {f.mode for f in feedbacks}
    tips = [t for f in feedbacks for t in f.improvements]
    strengths = [t for f in feedbacks for t in f.strengths]
    missing = len(questions) - len(answers)
    if missing:
        tips.insert(0, f"还有{missing}道题没有回答，完整练习一遍效果更好。")
    return InterviewSummary(
        score=round(sum(scores) / len(questions)) if questions else 0,
        mode="basic" if modes <= {"basic"} else "model" if modes == {"model"} else "mixed",
        star_coverage=round(coverage, 2),
        strengths=list(dict.fromkeys(strengths))[:5],
        improvements=list(dict.fromkeys(tips))[:6],
        answered=len(answers),
        asked=len(questions),
    )


async def finish_interview(*, actor: Actor, interview_id: int) -> InterviewOut:
    """Close the session and give its feedback (idempotent)."""
    interview = await _own_interview(actor, interview_id)
    if interview.status is InterviewStatus.OPEN:
        answers = await InterviewAnswer.filter(interview_id=interview.id).order_by("question_index")
        if not answers:
            raise InvalidInput("请至少回答一道题再结束练习", code="INTERVIEW_EMPTY")
        summary = summarise([_question(q) for q in interview.questions], answers)
        await Interview.filter(id=interview.id, status=InterviewStatus.OPEN).update(
            status=InterviewStatus.FINISHED,
            score=summary.score,
            summary=summary.model_dump(),
            finished_at=clock.now(),
        )
        await interview.refresh_from_db()
    return await _out(interview)


async def _readable(actor: Actor, interview_id: int) -> Interview:
    interview = await Interview.get_or_none(id=interview_id)
    if interview is None:
        raise NotFound("模拟面试不存在", code="INTERVIEW_NOT_FOUND")
    # the trainee self, or an instructor of one of the trainee's classes (else 404)
    await authorize_trainee(actor, interview.trainee_id, READERS)
    return interview


async def interview_detail(*, actor: Actor, interview_id: int) -> InterviewOut:
    """A session for its trainee or an instructor of the trainee's class."""
    return await _out(await _readable(actor, interview_id))


async def review_interview(
    *, actor: Actor, interview_id: int, review: InterviewReviewIn
) -> InterviewOut:
    """An instructor's rubric review (a second review by the same instructor replaces it)."""
    interview = await Interview.get_or_none(id=interview_id)
    if interview is None:
        raise NotFound("模拟面试不存在", code="INTERVIEW_NOT_FOUND")
    await authorize_trainee(actor, interview.trainee_id, REVIEWERS)
    if interview.status is not InterviewStatus.FINISHED:
        raise Conflict("学员完成练习后才能点评", code="INTERVIEW_NOT_FINISHED")
    scores = {item: int(getattr(review, item)) for item in RUBRIC_ITEMS}
    total = round(sum(scores.values()) * 100 / (5 * len(RUBRIC_ITEMS)))
    values: dict[str, Any] = {
        "scores": scores,
        "total": total,
        "comment": review.comment,
        "created_at": clock.now(),
    }
    if not await InterviewReview.filter(
        interview_id=interview.id, reviewer_id=actor.user_id
    ).update(**values):
        await InterviewReview.create(interview_id=interview.id, reviewer_id=actor.user_id, **values)
    return await _out(interview)


async def _out(interview: Interview) -> InterviewOut:
    questions = [_question(q) for q in interview.questions]
    answers = await InterviewAnswer.filter(interview_id=interview.id).order_by("question_index")
    reviews = await InterviewReview.filter(interview_id=interview.id).order_by("created_at")
    names = dict(
        await User.filter(id__in=[r.reviewer_id for r in reviews]).values_list("id", "display_name")
    )
    return InterviewOut(
        id=interview.id,
        occupation_code=interview.occupation_code,
        occupation_name=code_name(interview.occupation_code),
        status=interview.status.value,
        questions=_questions_out(questions),
        answers=[
            InterviewAnswerOut(
                question_index=a.question_index,
                text=a.text,
                feedback=AnswerFeedback.model_validate(a.feedback),
                created_at=a.created_at,
            )
            for a in answers
        ],
        summary=InterviewSummary.model_validate(interview.summary) if interview.summary else None,
        reviews=[
            InterviewReviewOut(
                reviewer=str(names.get(r.reviewer_id, "")),
                scores=r.scores,
                total=r.total,
                comment=r.comment,
                created_at=r.created_at,
            )
            for r in reviews
        ],
        created_at=interview.created_at,
    )


async def my_interviews(*, actor: Actor, limit: int, offset: int) -> InterviewListOut:
    """The trainee's sessions, newest first."""
    query = Interview.filter(trainee_id=trainee_of(actor))
    rows = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return InterviewListOut(
        items=[
            InterviewBriefOut(
                id=r.id,
                occupation_code=r.occupation_code,
                status=r.status.value,
                score=r.score,
                created_at=r.created_at,
            )
            for r in rows
        ],
        total=await query.count(),
        limit=limit,
        offset=offset,
    )


async def my_progress(*, actor: Actor) -> InterviewProgressOut:
    """Scores of the trainee's finished sessions, oldest first, and reviewed totals."""
    trainee_id = trainee_of(actor)
    rows = await Interview.filter(trainee_id=trainee_id, status=InterviewStatus.FINISHED).order_by(
        "finished_at", "id"
    )
    scores = [int(r.score or 0) for r in rows]
    reviewed = await InterviewReview.filter(interview__trainee_id=trainee_id).order_by("created_at")
    return InterviewProgressOut(
        attempts=len(scores),
        first_score=scores[0] if scores else None,
        best_score=max(scores) if scores else None,
        latest_score=scores[-1] if scores else None,
        change=scores[-1] - scores[0] if scores else None,
        scores=scores,
        reviewed_scores=[r.total for r in reviewed],
    )


async def class_progress(
    *, actor: Actor, class_id: int, limit: int, offset: int
) -> ClassInterviewProgressOut:
    """Mock-interview progress of a class's trainees, for its instructors."""
    await authorize_class(actor, class_id, REVIEWERS)
    enrolments = (
        await Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)
        .order_by("id")
        .values_list("trainee_id", "trainee__name")
    )
    ids = [t for t, _ in enrolments]
    rows = (
        await Interview.filter(trainee_id__in=ids, status=InterviewStatus.FINISHED)
        .order_by("finished_at", "id")
        .values_list("trainee_id", "score")
    )
    scores: dict[int, list[int]] = {}
    for trainee_id, score in rows:
        scores.setdefault(trainee_id, []).append(int(score or 0))
    items = [
        ClassInterviewRowOut(
            trainee_id=t,
            name=str(name),
            attempts=len(scores.get(t, [])),
            first_score=scores[t][0] if t in scores else None,
            best_score=max(scores[t]) if t in scores else None,
            latest_score=scores[t][-1] if t in scores else None,
        )
        for t, name in enrolments
    ]
    practising = [s for s in scores.values() if s]
    return ClassInterviewProgressOut(
        class_id=class_id,
        trainees_practising=len(practising),
        sessions_finished=sum(len(s) for s in practising),
        average_first=round(sum(s[0] for s in practising) / len(practising), 1)
        if practising
        else None,
        average_latest=round(sum(s[-1] for s in practising) / len(practising), 1)
        if practising
        else None,
        items=items[offset : offset + limit],
        total=len(items),
        limit=limit,
        offset=offset,
    )
