"""Question banks and online tests feeding the assessment (第二十一条(二) 教学服务, 第二十二条).

Banks are kept by instructors and HR (an HR bank is shared with every instructor). An
instructor of a class sets a timed test from a bank: its questions are copied, so later edits
of the bank never change a test already set. A trainee has one attempt unless the instructor
allows more; answers are kept; objective items are scored on submission, short answers by
the instructor against the rubric. The test result then feeds the class's assessment
(`certificates.service.record_result`) combined with the instructor's practical score by
ASSESSMENT_ONLINE_TEST_WEIGHT; the formula is stored and shown with every result.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.certificates.service import PASS_SCORE, record_result
from backend.classes.models import Enrolment, EnrolmentStatus
from backend.classes.scope import authorize_class
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.practice import scoring
from backend.practice.bank_import import BankFileError, check_question, parse_bank_xlsx
from backend.practice.models import (
    AttemptStatus,
    BankQuestion,
    OnlineTest,
    OnlineTestAllowance,
    OnlineTestAssessment,
    OnlineTestAttempt,
    QuestionBank,
    QuestionKind,
)
from backend.practice.schemas import (
    AttemptBriefOut,
    AttemptListOut,
    AttemptOut,
    BankImportOut,
    BankImportProblemOut,
    BankListOut,
    BankOut,
    BankQuestionIn,
    BankQuestionListOut,
    BankQuestionOut,
    OnlineTestIn,
    OnlineTestListOut,
    OnlineTestOut,
    ShortAnswerGrade,
    SkippedTraineeOut,
    TestAllowOut,
    TestAssessmentOut,
    TestAssessmentRowOut,
    TestQuestionOut,
)
from backend.practice.service import trainee_of
from backend.runtime import runtime

BANK_KEEPERS = {Role.INSTRUCTOR, Role.HR_ADMIN}
TEST_SETTERS = {Role.INSTRUCTOR}
CLASS_READERS = {
    Role.TRAINEE,
    Role.INSTRUCTOR,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTITUTION_ADMIN,
    Role.HR_ADMIN,
}
RESULT_READERS = CLASS_READERS - {Role.TRAINEE}
TAKERS = frozenset({Role.TRAINEE})  # a trainee of the class sits its tests
SUBMIT_GRACE = timedelta(seconds=60)  # a phone's clock and the network, not extra time
ONE_DECIMAL = Decimal("0.1")


# -- banks -------------------------------------------------------------------------------------


def _bank_out(bank: QuestionBank, count: int, actor: Actor) -> BankOut:
    return BankOut(
        id=bank.id,
        title=bank.title,
        shared=bank.shared,
        questions=count,
        mine=bank.owner_id == actor.user_id,
    )


async def create_bank(*, actor: Actor, title: str) -> BankOut:
    """A new bank; one made by HR is shared with every instructor."""
    require_role(actor, BANK_KEEPERS)
    bank = await QuestionBank.create(
        title=title.strip(),
        owner_id=actor.user_id,
        shared=actor.has_any({Role.HR_ADMIN}),
        created_at=clock.now(),
    )
    return _bank_out(bank, 0, actor)


async def usable_banks(*, actor: Actor, limit: int, offset: int) -> BankListOut:
    """The caller's own banks and the shared ones."""
    require_role(actor, BANK_KEEPERS)
    query = QuestionBank.filter(Q(owner_id=actor.user_id) | Q(shared=True))
    banks = await query.order_by("-id").offset(offset).limit(limit)
    counts: dict[int, int] = {}
    for bank_id in await BankQuestion.filter(bank_id__in=[b.id for b in banks]).values_list(
        "bank_id", flat=True
    ):
        counts[int(bank_id)] = counts.get(int(bank_id), 0) + 1  # type: ignore[call-overload]
    return BankListOut(
        items=[_bank_out(b, counts.get(b.id, 0), actor) for b in banks],
        total=await query.count(),
        limit=limit,
        offset=offset,
    )


async def _bank(actor: Actor, bank_id: int, *, write: bool) -> QuestionBank:
    require_role(actor, BANK_KEEPERS)
    bank = await QuestionBank.get_or_none(id=bank_id)
    if bank is None or not (bank.owner_id == actor.user_id or (bank.shared and not write)):
        raise NotFound("题库不存在或不在您的管理范围内", code="BANK_NOT_FOUND")
    return bank


def _question_out(q: BankQuestion) -> BankQuestionOut:
    return BankQuestionOut(
        id=q.id,
        kind=q.kind,
        stem=q.stem,
        options=q.options,
        answer=q.answer,
        points=q.points,
        rubric=q.rubric,
    )


async def bank_questions(
    *, actor: Actor, bank_id: int, limit: int, offset: int
) -> BankQuestionListOut:
    """Questions of a bank the caller may use."""
    bank = await _bank(actor, bank_id, write=False)
    query = BankQuestion.filter(bank_id=bank.id)
    rows = await query.order_by("id").offset(offset).limit(limit)
    return BankQuestionListOut(
        items=[_question_out(q) for q in rows],
        total=await query.count(),
        limit=limit,
        offset=offset,
    )


async def add_question(*, actor: Actor, bank_id: int, data: BankQuestionIn) -> BankQuestionOut:
    """Add one question to the caller's bank (checked as an imported row would be)."""
    bank = await _bank(actor, bank_id, write=True)
    row, problems = check_question(
        data.kind.value, data.stem.strip(), data.options, data.answer, data.points, data.rubric
    )
    if row is None:
        raise InvalidInput(
            "；".join(problems), code="QUESTION_INVALID", details={"problems": problems}
        )
    question = await BankQuestion.create(
        bank_id=bank.id,
        kind=row.kind,
        stem=row.stem,
        options=row.options,
        answer=row.answer,
        points=row.points,
        rubric=row.rubric,
        created_at=clock.now(),
    )
    return _question_out(question)


async def import_questions(*, actor: Actor, bank_id: int, xlsx: bytes) -> BankImportOut:
    """Import a workbook into the caller's bank: all rows, or none and every bad row listed."""
    bank = await _bank(actor, bank_id, write=True)
    try:
        parsed = parse_bank_xlsx(xlsx)
    except BankFileError as exc:
        raise InvalidInput(str(exc), code="BANK_FILE_INVALID") from None
    errors = [BankImportProblemOut(row=n, problems=p) for n, p in parsed.errors]
    if errors:
        return BankImportOut(imported=0, errors=errors)
    if not parsed.rows:
        raise InvalidInput("表格中没有题目", code="BANK_FILE_EMPTY")
    now = clock.now()
    async with in_transaction():
        await BankQuestion.bulk_create(
            [
                BankQuestion(
                    bank_id=bank.id,
                    kind=r.kind,
                    stem=r.stem,
                    options=r.options,
                    answer=r.answer,
                    points=r.points,
                    rubric=r.rubric,
                    created_at=now,
                )
                for r in parsed.rows
            ]
        )
    return BankImportOut(imported=len(parsed.rows), errors=[])


# -- tests -------------------------------------------------------------------------------------


def _test_out(test: OnlineTest) -> OnlineTestOut:
    return OnlineTestOut(
        id=test.id,
        class_id=test.training_class_id,
        title=test.title,
        questions=len(test.questions),
        total_points=sum(int(q["points"]) for q in test.questions),
        duration_minutes=test.duration_minutes,
        opens_at=test.opens_at,
        closes_at=test.closes_at,
        max_attempts=test.max_attempts,
    )


async def set_test(*, actor: Actor, class_id: int, data: OnlineTestIn) -> OnlineTestOut:
    """An instructor of the class sets a timed test from a bank (questions copied)."""
    klass = await authorize_class(actor, class_id, TEST_SETTERS)
    bank = await _bank(actor, data.bank_id, write=False)
    if data.closes_at <= data.opens_at:
        raise InvalidInput("结束时间应晚于开始时间", code="TEST_WINDOW_INVALID")
    query = BankQuestion.filter(bank_id=bank.id)
    if data.question_ids is not None:
        query = query.filter(id__in=data.question_ids)
    questions = await query.order_by("id")
    if not questions or (
        data.question_ids is not None and len(questions) != len(set(data.question_ids))
    ):
        raise InvalidInput("所选题目不在该题库中或题库为空", code="TEST_QUESTIONS_INVALID")
    test = await OnlineTest.create(
        training_class_id=klass.id,
        title=data.title.strip(),
        questions=[
            {
                "id": q.id,
                "kind": q.kind.value,
                "stem": q.stem,
                "options": q.options,
                "answer": q.answer,
                "points": q.points,
                "rubric": q.rubric,
            }
            for q in questions
        ],
        duration_minutes=data.duration_minutes,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        max_attempts=data.max_attempts,
        created_by_id=actor.user_id,
        created_at=clock.now(),
    )
    return _test_out(test)


async def class_tests(*, actor: Actor, class_id: int, limit: int, offset: int) -> OnlineTestListOut:
    """Tests of a class, for its trainees and staff."""
    klass = await authorize_class(actor, class_id, CLASS_READERS)
    query = OnlineTest.filter(training_class_id=klass.id)
    rows = await query.order_by("opens_at", "id").offset(offset).limit(limit)
    return OnlineTestListOut(
        items=[_test_out(t) for t in rows], total=await query.count(), limit=limit, offset=offset
    )


async def _test(actor: Actor, test_id: int, roles: AbstractSet[Role]) -> OnlineTest:
    require_role(actor, roles)
    test = await OnlineTest.get_or_none(id=test_id)
    if test is None:
        raise NotFound("测试不存在", code="TEST_NOT_FOUND")
    try:
        await authorize_class(actor, test.training_class_id, roles)
    except NotFound:
        raise NotFound("测试不存在", code="TEST_NOT_FOUND") from None
    return test


# -- attempts ----------------------------------------------------------------------------------


def _attempt_out(attempt: OnlineTestAttempt, test: OnlineTest) -> AttemptOut:
    objective = sum(float(v or 0) for v in attempt.item_scores.values())
    return AttemptOut(
        id=attempt.id,
        test_id=test.id,
        trainee_id=attempt.trainee_id,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        late=attempt.late,
        questions=[
            TestQuestionOut(
                id=q["id"], kind=q["kind"], stem=q["stem"], options=q["options"], points=q["points"]
            )
            for q in test.questions
        ],
        answers=attempt.answers,
        item_scores=attempt.item_scores,
        objective_score=objective,
        score=float(attempt.score) if attempt.score is not None else None,
    )


async def allowed_attempts(test: OnlineTest, trainee_id: int) -> int:
    """One attempt (or the test's number) plus what the instructor allowed this trainee."""
    allowance = await OnlineTestAllowance.get_or_none(test_id=test.id, trainee_id=trainee_id)
    return test.max_attempts + (allowance.extra_attempts if allowance else 0)


async def start_attempt(*, actor: Actor, test_id: int) -> AttemptOut:
    """Start (or resume) the trainee's attempt while the test is open and attempts remain."""
    test = await _test(actor, test_id, TAKERS)
    trainee_id = trainee_of(actor)
    open_attempt = await OnlineTestAttempt.get_or_none(
        test_id=test.id, trainee_id=trainee_id, status=AttemptStatus.IN_PROGRESS
    )
    if open_attempt is not None:
        return _attempt_out(open_attempt, test)
    now = clock.now()
    if not test.opens_at <= now <= test.closes_at:
        raise RuleViolation("不在测试开放时间内", code="TEST_NOT_OPEN")
    used = await OnlineTestAttempt.filter(test_id=test.id, trainee_id=trainee_id).count()
    if used >= await allowed_attempts(test, trainee_id):
        raise Conflict("您的作答次数已用完，如需重考请联系讲师", code="TEST_ATTEMPTS_USED")
    try:
        async with in_transaction():
            attempt = await OnlineTestAttempt.create(
                test_id=test.id,
                trainee_id=trainee_id,
                number=used + 1,
                started_at=now,
                deadline=min(now + timedelta(minutes=test.duration_minutes), test.closes_at),
            )
    except IntegrityError:  # the same attempt started twice at once: one row, by constraint
        raise Conflict("测试已开始，请刷新", code="TEST_ALREADY_STARTED") from None
    return _attempt_out(attempt, test)


async def _own_attempt(actor: Actor, attempt_id: int) -> tuple[OnlineTestAttempt, OnlineTest]:
    trainee_id = trainee_of(actor)
    attempt = await OnlineTestAttempt.get_or_none(id=attempt_id, trainee_id=trainee_id)
    if attempt is None:
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND")
    return attempt, await OnlineTest.get(id=attempt.test_id)


def _clean_answers(test: OnlineTest, answers: dict[str, Any]) -> dict[str, Any]:
    known = {str(q["id"]) for q in test.questions}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise InvalidInput("答案中有不属于本测试的题目", code="ANSWER_UNKNOWN_QUESTION")
    return {k: (str(v)[:5000] if isinstance(v, str) else v) for k, v in answers.items()}


async def save_answers(*, actor: Actor, attempt_id: int, answers: dict[str, Any]) -> AttemptOut:
    """Keep the answers given so far (before the deadline)."""
    attempt, test = await _own_attempt(actor, attempt_id)
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        raise Conflict("试卷已提交", code="ATTEMPT_SUBMITTED")
    if clock.now() > attempt.deadline + SUBMIT_GRACE:
        raise RuleViolation("作答时间已到，请提交试卷", code="TEST_TIME_UP")
    attempt.answers = {**attempt.answers, **_clean_answers(test, answers)}
    await OnlineTestAttempt.filter(id=attempt.id, status=AttemptStatus.IN_PROGRESS).update(
        answers=attempt.answers
    )
    return _attempt_out(attempt, test)


async def submit_attempt(*, actor: Actor, attempt_id: int, answers: dict[str, Any]) -> AttemptOut:
    """Submit: objective items scored now; after the deadline only answers saved in time count."""
    attempt, test = await _own_attempt(actor, attempt_id)
    if attempt.status is not AttemptStatus.IN_PROGRESS:
        raise Conflict("试卷已提交", code="ATTEMPT_SUBMITTED")
    now = clock.now()
    late = now > attempt.deadline + SUBMIT_GRACE
    if not late:
        attempt.answers = {**attempt.answers, **_clean_answers(test, answers)}
    attempt.item_scores = scoring.score_objective(test.questions, attempt.answers)
    pending = any(v is None for v in attempt.item_scores.values())
    attempt.status = AttemptStatus.SUBMITTED if pending else AttemptStatus.GRADED
    attempt.score = None if pending else scoring.percent(test.questions, attempt.item_scores)
    attempt.submitted_at, attempt.late = now, late
    updated = await OnlineTestAttempt.filter(
        id=attempt.id, status=AttemptStatus.IN_PROGRESS
    ).update(
        answers=attempt.answers,
        item_scores=attempt.item_scores,
        status=attempt.status,
        score=attempt.score,
        submitted_at=now,
        late=late,
    )
    if not updated:
        raise Conflict("试卷已提交", code="ATTEMPT_SUBMITTED")
    return _attempt_out(attempt, test)


async def attempt_detail(*, actor: Actor, attempt_id: int) -> AttemptOut:
    """An attempt for its trainee or the class's staff."""
    attempt = await OnlineTestAttempt.get_or_none(id=attempt_id)
    if attempt is None:
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND")
    if actor.trainee_id is not None and attempt.trainee_id == actor.trainee_id:
        return _attempt_out(attempt, await OnlineTest.get(id=attempt.test_id))
    if not actor.has_any(RESULT_READERS):
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND")
    try:
        test = await _test(actor, attempt.test_id, RESULT_READERS)
    except NotFound:
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND") from None
    return _attempt_out(attempt, test)


async def attempts_of_test(
    *, actor: Actor, test_id: int, limit: int, offset: int
) -> AttemptListOut:
    """Every attempt at a test, for the class's staff."""
    test = await _test(actor, test_id, RESULT_READERS)
    query = OnlineTestAttempt.filter(test_id=test.id)
    rows = await query.order_by("trainee_id", "number").offset(offset).limit(limit)
    names = dict(
        await Enrolment.filter(training_class_id=test.training_class_id).values_list(
            "trainee_id", "trainee__name"
        )
    )
    return AttemptListOut(
        items=[
            AttemptBriefOut(
                id=a.id,
                trainee_id=a.trainee_id,
                name=str(names.get(a.trainee_id, "")),
                number=a.number,
                status=a.status,
                score=float(a.score) if a.score is not None else None,
                submitted_at=a.submitted_at,
            )
            for a in rows
        ],
        total=await query.count(),
        limit=limit,
        offset=offset,
    )


async def grade_attempt(
    *, actor: Actor, attempt_id: int, grades: list[ShortAnswerGrade]
) -> AttemptOut:
    """An instructor of the class scores the short answers against their rubric."""
    attempt = await OnlineTestAttempt.get_or_none(id=attempt_id)
    if attempt is None:
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND")
    try:
        test = await _test(actor, attempt.test_id, TEST_SETTERS)
    except NotFound:
        raise NotFound("作答记录不存在", code="ATTEMPT_NOT_FOUND") from None
    if attempt.status is AttemptStatus.IN_PROGRESS:
        raise Conflict("学员尚未提交试卷", code="ATTEMPT_NOT_SUBMITTED")
    short = {
        str(q["id"]): int(q["points"]) for q in test.questions if q["kind"] == QuestionKind.SHORT
    }
    scores, notes = dict(attempt.item_scores), dict(attempt.grading)
    for grade in grades:
        key = str(grade.question_id)
        if key not in short:
            raise InvalidInput("只能为本测试的简答题评分", code="GRADE_NOT_SHORT_ANSWER")
        if grade.points > short[key]:
            raise InvalidInput(f"该题满分为{short[key]}分", code="GRADE_OVER_POINTS")
        scores[key], notes[key] = grade.points, grade.comment
    pending = any(scores.get(k) is None for k in short)
    status = AttemptStatus.SUBMITTED if pending else AttemptStatus.GRADED
    score = None if pending else scoring.percent(test.questions, scores)
    await OnlineTestAttempt.filter(id=attempt.id).update(
        item_scores=scores, grading=notes, status=status, score=score, graded_by_id=actor.user_id
    )
    await attempt.refresh_from_db()
    return _attempt_out(attempt, test)


async def allow_more_attempts(
    *, actor: Actor, test_id: int, trainee_id: int, extra: int
) -> TestAllowOut:
    """An instructor allows one trainee more attempts (one attempt unless allowed)."""
    test = await _test(actor, test_id, TEST_SETTERS)
    if not await Enrolment.exists(
        training_class_id=test.training_class_id,
        trainee_id=trainee_id,
        status=EnrolmentStatus.ENROLLED,
    ):
        raise NotFound("该学员不在本班", code="TRAINEE_NOT_FOUND")
    values = {"extra_attempts": extra, "granted_by_id": actor.user_id, "updated_at": clock.now()}
    await OnlineTestAllowance.update_or_create(
        defaults=values, test_id=test.id, trainee_id=trainee_id
    )
    return TestAllowOut(
        trainee_id=trainee_id, allowed_attempts=await allowed_attempts(test, trainee_id)
    )


# -- the assessment (第二十二条) --------------------------------------------------------------


def online_test_weight() -> Decimal:
    """ASSESSMENT_ONLINE_TEST_WEIGHT as a Decimal."""
    return Decimal(str(runtime().settings.assessment_online_test_weight)).quantize(Decimal("0.001"))


def formula(weight: Decimal) -> str:
    """How the assessment score is made, in words people read with the result."""
    test_share = f"{(weight * 100).normalize():f}%"
    if weight == 1:
        return "考核成绩 = 在线测试成绩"
    practical = f"{((1 - weight) * 100).normalize():f}%"
    return f"考核成绩 = 在线测试成绩 × {test_share} + 实操成绩 × {practical}"


def combine(test_score: Decimal, practical: Decimal | None, weight: Decimal) -> Decimal:
    """The assessment score from the test and the practical part (第二十二条)."""
    practical_part = (1 - weight) * (practical or Decimal(0))
    return (weight * test_score + practical_part).quantize(ONE_DECIMAL, ROUND_HALF_UP)


async def _best_scores(test: OnlineTest) -> dict[int, Decimal]:
    """Each trainee's best graded attempt."""
    best: dict[int, Decimal] = {}
    for trainee_id, score in await OnlineTestAttempt.filter(
        test_id=test.id, status=AttemptStatus.GRADED
    ).values_list("trainee_id", "score"):
        tid, value = int(trainee_id), Decimal(str(score))
        best[tid] = max(best.get(tid, value), value)
    return best


def _row_out(row: OnlineTestAssessment) -> TestAssessmentRowOut:
    weight = Decimal(str(row.test_weight))
    return TestAssessmentRowOut(
        trainee_id=row.trainee_id,
        test_score=str(row.test_score),
        practical_score=str(row.practical_score) if row.practical_score is not None else None,
        test_weight=str(weight),
        combined=str(row.combined),
        passed=Decimal(str(row.combined)) >= PASS_SCORE,
        formula=formula(weight),
    )


async def feed_assessment(
    *, actor: Actor, test_id: int, practical: dict[int, Decimal]
) -> TestAssessmentOut:
    """Record each graded trainee's assessment from the test and the practical score.

    第二十二条: the assessment decides completion and the certificate; the online test is one
    part of it, weighted by ASSESSMENT_ONLINE_TEST_WEIGHT (the formula is kept and shown).
    """
    test = await _test(actor, test_id, TEST_SETTERS)
    weight = online_test_weight()
    best = await _best_scores(test)
    enrolled = await Enrolment.filter(
        training_class_id=test.training_class_id, status=EnrolmentStatus.ENROLLED
    ).values_list("trainee_id", flat=True)
    rows: list[OnlineTestAssessment] = []
    skipped: list[SkippedTraineeOut] = []
    async with in_transaction():
        for trainee_id in (int(t) for t in enrolled):  # type: ignore[call-overload]
            if trainee_id not in best:
                skipped.append(
                    SkippedTraineeOut(trainee_id=trainee_id, reason="没有已评分的测试成绩")
                )
                continue
            part = practical.get(trainee_id)
            if weight < 1 and part is None:
                skipped.append(SkippedTraineeOut(trainee_id=trainee_id, reason="缺少实操成绩"))
                continue
            combined = combine(best[trainee_id], part, weight)
            await record_result(
                actor=actor,
                class_id=test.training_class_id,
                trainee_id=trainee_id,
                score=combined,
            )
            row, _ = await OnlineTestAssessment.update_or_create(
                defaults={
                    "test_score": best[trainee_id],
                    "practical_score": part if weight < 1 else None,
                    "test_weight": weight,
                    "combined": combined,
                    "recorded_by_id": actor.user_id,
                    "recorded_at": clock.now(),
                },
                test_id=test.id,
                trainee_id=trainee_id,
            )
            rows.append(row)
    return TestAssessmentOut(
        test_id=test.id,
        class_id=test.training_class_id,
        test_weight=str(weight),
        formula=formula(weight),
        items=[_row_out(r) for r in rows],
        total=len(rows),
        limit=len(rows),
        skipped=skipped,
    )


async def assessment_of_test(*, actor: Actor, test_id: int) -> TestAssessmentOut:
    """What the test fed into the assessment, with the formula, for the class's staff."""
    test = await _test(actor, test_id, RESULT_READERS)
    rows = await OnlineTestAssessment.filter(test_id=test.id).order_by("trainee_id")
    weight = Decimal(str(rows[0].test_weight)) if rows else online_test_weight()
    return TestAssessmentOut(
        test_id=test.id,
        class_id=test.training_class_id,
        test_weight=str(weight),
        formula=formula(weight),
        items=[_row_out(r) for r in rows],
        total=len(rows),
        limit=len(rows),
        skipped=[],
    )
