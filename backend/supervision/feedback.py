"""Daily feedback (每日意见, 第八条(五)): trainees rate each session, staff read the aggregates.

A trainee rates a session of a class they are enrolled in, once it has started: content,
instructor and organisation, each 1–5, and an optional comment. One rating per trainee and
session, kept by a unique constraint: a second one is refused with 409 (the first stands, so
a rating cannot be revised under pressure later). Comments are shown without the trainee's
identity. Every average is a sum divided by a count, both shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.attendance.rules import rate
from backend.classes.models import (
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    TrainingClass,
)
from backend.classes.scope import authorize_class, class_roles
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.supervision.models import RATING_MAX, RATING_MIN, SessionFeedback
from backend.supervision.service import as_number, mean, readable_instructor, taught_sessions

# Who reads a class's feedback: its staff, its institution, HR (and instructors, own sessions).
CLASS_READERS = frozenset({Role.CLASS_TEACHER, Role.STAFF, Role.INSTITUTION_ADMIN, Role.HR_ADMIN})
SESSION_READERS = CLASS_READERS | {Role.INSTRUCTOR}
COMMENTS_SHOWN = 200
RESPONDENTS = frozenset({Role.TRAINEE})  # 第八条(五): 每日意见 — the trainees give it


@dataclass
class Tally:
    """Sums and count of ratings: every average shown is computed from these."""

    ratings: int = 0
    content: int = 0
    instructor: int = 0
    organisation: int = 0

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        self.ratings += other.ratings
        self.content += other.content
        self.instructor += other.instructor
        self.organisation += other.organisation

    def sums(self) -> Sums:
        """The sums of each dimension."""
        return Sums(
            content=self.content, instructor=self.instructor, organisation=self.organisation
        )

    def averages(self) -> Averages:
        """Averages (two decimals; None without a rating); overall = mean of the three."""
        n = self.ratings
        overall = self.content + self.instructor + self.organisation
        return Averages(
            content=as_number(mean(self.content, n)),
            instructor=as_number(mean(self.instructor, n)),
            organisation=as_number(mean(self.organisation, n)),
            overall=as_number(mean(overall, 3 * n)),
        )


@dataclass(frozen=True, slots=True)
class Sums:
    """Sums of the ratings, from which the averages come."""

    content: int
    instructor: int
    organisation: int


@dataclass(frozen=True, slots=True)
class Averages:
    """Averages (two decimals; None when there is no rating); overall = mean of the three."""

    content: float | None
    instructor: float | None
    organisation: float | None
    overall: float | None


@dataclass(frozen=True, slots=True)
class FeedbackView:
    """One trainee's own rating of a session."""

    id: int
    session_id: int
    content: int
    instructor: int
    organisation: int
    comment: str
    created_at: str


@dataclass(frozen=True, slots=True)
class SessionRatings:
    """One session's count, sums and averages."""

    session_id: int
    topic: str
    starts_at: str
    instructors: list[str]
    ratings: int
    sums: Sums
    averages: Averages


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment, without the trainee's identity."""

    comment: str
    created_at: str


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session's feedback: its ratings, response rate and comments."""

    session_id: int
    class_id: int
    topic: str
    starts_at: str
    instructors: list[str]
    enrolled: int
    response_rate: float | None
    ratings: int
    sums: Sums
    averages: Averages
    comments: list[Comment]


@dataclass(frozen=True, slots=True)
class ClassFeedbackSummary:
    """A class's feedback per session and overall."""

    class_id: int
    title: str
    enrolled: int
    sessions_started: int
    response_rate: float | None
    ratings: int
    sums: Sums
    averages: Averages
    sessions: list[SessionRatings]


@dataclass(frozen=True, slots=True)
class InstructorClassRatings:
    """An instructor's ratings in one class."""

    class_id: int
    title: str
    sessions: int
    ratings: int
    sums: Sums
    averages: Averages


@dataclass(frozen=True, slots=True)
class InstructorSummary:
    """An instructor's ratings in a year across classes (第十五条 学员满意度)."""

    instructor_id: int
    name: str
    year: int
    sessions_taught: int
    sessions_rated: int
    ratings: int
    sums: Sums
    averages: Averages
    classes: list[InstructorClassRatings]


def _check_scores(**scores: int) -> None:
    bad = {k: v for k, v in scores.items() if not RATING_MIN <= v <= RATING_MAX}
    if bad:
        raise InvalidInput(
            f"评分应为 {RATING_MIN} 至 {RATING_MAX} 分", code="RATING_OUT_OF_RANGE", details=bad
        )


async def give_feedback(
    *,
    actor: Actor,
    session_id: int,
    content: int,
    instructor: int,
    organisation: int,
    comment: str = "",
) -> SessionFeedback:
    """A trainee rates a session of their class, once, after it has started."""
    require_role(actor, RESPONDENTS)
    _check_scores(content=content, instructor=instructor, organisation=organisation)
    session = await ClassSession.get_or_none(id=session_id)
    if session is None or not await Enrolment.exists(
        training_class_id=session.training_class_id,
        trainee_id=actor.trainee_id,
        status=EnrolmentStatus.ENROLLED,
    ):
        raise NotFound("课次不存在或您不在该培训班", code="SESSION_NOT_FOUND")
    if clock.now() < session.starts_at:
        raise RuleViolation(
            "课次开始后才能填写每日意见",
            code="FEEDBACK_TOO_EARLY",
            details={"starts_at": clock.local(session.starts_at).isoformat()},
        )
    try:
        async with in_transaction():  # a savepoint when called inside another transaction
            return await SessionFeedback.create(
                session_id=session.id,
                trainee_id=actor.trainee_id,
                content_score=content,
                instructor_score=instructor,
                organisation_score=organisation,
                comment=comment.strip(),
            )
    except IntegrityError:
        raise Conflict(
            "您已对该课次填写过每日意见，每个课次只能评价一次", code="FEEDBACK_ALREADY_GIVEN"
        ) from None


def feedback_view(item: SessionFeedback) -> FeedbackView:
    """One trainee's own rating."""
    return FeedbackView(
        id=item.id,
        session_id=item.session_id,
        content=item.content_score,
        instructor=item.instructor_score,
        organisation=item.organisation_score,
        comment=item.comment,
        created_at=clock.local(item.created_at).isoformat(),
    )


async def my_feedback(*, actor: Actor, class_id: int | None = None) -> list[SessionFeedback]:
    """The trainee's own ratings (so the mini-program knows which sessions are done)."""
    require_role(actor, RESPONDENTS)
    query = SessionFeedback.filter(trainee_id=actor.trainee_id)
    if class_id is not None:
        query = query.filter(session__training_class_id=class_id)
    return await query.order_by("-id")


async def tallies(session_ids: list[int]) -> dict[int, Tally]:
    """Per session: count and sums of its ratings (one grouped query)."""
    if not session_ids:
        return {}
    rows = (
        await SessionFeedback.filter(session_id__in=session_ids)
        .annotate(
            n=Count("id"),
            c=Sum("content_score"),
            i=Sum("instructor_score"),
            o=Sum("organisation_score"),
        )
        .group_by("session_id")
        .values("session_id", "n", "c", "i", "o")
    )
    return {
        r["session_id"]: Tally(int(r["n"]), int(r["c"]), int(r["i"]), int(r["o"])) for r in rows
    }


async def _instructor_names(session_ids: list[int]) -> dict[int, list[str]]:
    links = await SessionInstructor.filter(session_id__in=session_ids).values(
        "session_id", "instructor__name"
    )
    names: dict[int, list[str]] = defaultdict(list)
    for row in links:
        names[row["session_id"]].append(row["instructor__name"])
    return {k: sorted(v) for k, v in names.items()}


def _enrolled_trainees(class_id: int) -> Any:
    return Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)


async def _enrolled(class_id: int) -> int:
    return await _enrolled_trainees(class_id).count()


async def _responses(class_id: int, session_ids: list[int]) -> int:
    """Ratings given by trainees still enrolled: the numerator of the response rate, over the
    same people as its denominator (a trainee who rated and then withdrew counts in neither)."""
    enrolled = _enrolled_trainees(class_id).values_list("trainee_id", flat=True)
    return await SessionFeedback.filter(
        session_id__in=session_ids, trainee_id__in=Subquery(enrolled)
    ).count()


async def _readable_session(actor: Actor, session_id: int) -> ClassSession:
    """The session, if the actor reads its feedback (class staff, institution, HR, own teacher)."""
    require_role(actor, SESSION_READERS)
    session = await ClassSession.get_or_none(id=session_id)
    if session is not None:
        klass = await TrainingClass.get(id=session.training_class_id)
        if (await class_roles(actor, klass)) & CLASS_READERS:
            return session
        if actor.instructor_id is not None and await SessionInstructor.exists(
            session_id=session.id, instructor_id=actor.instructor_id
        ):
            return session
    raise NotFound("课次不存在或不在您的管理范围内", code="SESSION_NOT_FOUND")


async def session_summary(*, actor: Actor, session_id: int) -> SessionSummary:
    """One session's ratings: averages, response rate and the (anonymous) comments."""
    session = await _readable_session(actor, session_id)
    tally = (await tallies([session.id])).get(session.id, Tally())
    enrolled = await _enrolled(session.training_class_id)
    comments = (
        await SessionFeedback.filter(session_id=session.id)
        .exclude(comment="")
        .order_by("-id")
        .limit(COMMENTS_SHOWN)
        .values("comment", "created_at")
    )
    return SessionSummary(
        session_id=session.id,
        class_id=session.training_class_id,
        topic=session.topic,
        starts_at=clock.local(session.starts_at).isoformat(),
        instructors=(await _instructor_names([session.id])).get(session.id, []),
        enrolled=enrolled,
        response_rate=rate(await _responses(session.training_class_id, [session.id]), enrolled),
        ratings=tally.ratings,
        sums=tally.sums(),
        averages=tally.averages(),
        comments=[
            Comment(comment=c["comment"], created_at=clock.local(c["created_at"]).isoformat())
            for c in comments
        ],
    )


async def class_summary(*, actor: Actor, class_id: int) -> ClassFeedbackSummary:
    """A class's ratings per session and for the whole class."""
    klass = await authorize_class(actor, class_id, CLASS_READERS)
    sessions = await ClassSession.filter(training_class_id=klass.id).order_by("starts_at", "id")
    ids = [s.id for s in sessions]
    by_session, names = await tallies(ids), await _instructor_names(ids)
    total = Tally()
    rows = []
    for s in sessions:
        tally = by_session.get(s.id, Tally())
        total.add(tally)
        rows.append(
            SessionRatings(
                session_id=s.id,
                topic=s.topic,
                starts_at=clock.local(s.starts_at).isoformat(),
                instructors=names.get(s.id, []),
                ratings=tally.ratings,
                sums=tally.sums(),
                averages=tally.averages(),
            )
        )
    begun = [s.id for s in sessions if s.starts_at <= clock.now()]
    started = len(begun)
    enrolled = await _enrolled(klass.id)
    return ClassFeedbackSummary(
        class_id=klass.id,
        title=klass.title,
        enrolled=enrolled,
        sessions_started=started,
        # over the sessions that have started, on both sides of the rate
        response_rate=rate(await _responses(klass.id, begun), enrolled * started),
        ratings=total.ratings,
        sums=total.sums(),
        averages=total.averages(),
        sessions=rows,
    )


async def instructor_summary(
    *, actor: Actor, instructor_id: int, year: int | None = None
) -> InstructorSummary:
    """An instructor's ratings in a year (default this one), across every class taught."""
    year = year or clock.today().year
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份不正确", code="YEAR_INVALID")
    instructor = await readable_instructor(actor, instructor_id)
    class_of = await taught_sessions(instructor.id, year)
    by_session = await tallies(list(class_of))
    per_class: dict[int, tuple[int, Tally]] = {}
    total = Tally()
    for session_id, class_id in class_of.items():
        count, tally = per_class.get(class_id, (0, Tally()))
        found = by_session.get(session_id, Tally())
        tally.add(found)
        total.add(found)
        per_class[class_id] = (count + 1, tally)
    titles = dict(await TrainingClass.filter(id__in=list(per_class)).values_list("id", "title"))
    return InstructorSummary(
        instructor_id=instructor.id,
        name=instructor.name,
        year=year,
        sessions_taught=len(class_of),
        sessions_rated=sum(1 for s in class_of if s in by_session),
        ratings=total.ratings,
        sums=total.sums(),
        averages=total.averages(),
        classes=[
            InstructorClassRatings(
                class_id=cid,
                title=titles.get(cid, ""),
                sessions=n,
                ratings=t.ratings,
                sums=t.sums(),
                averages=t.averages(),
            )
            for cid, (n, t) in sorted(per_class.items())
        ],
    )
