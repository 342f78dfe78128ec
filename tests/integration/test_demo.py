"""The demo data set loads through the services and shows each capability."""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest

from backend import clock
from backend.classes.models import (
    ClassKind,
    ClassStatus,
    ClassStatusChange,
    Enrolment,
    TrainingClass,
)
from backend.classes.service import advance_due_classes
from backend.config import Settings
from backend.demo.seed import seed_demo
from backend.followups.completion import followup_completion
from backend.followups.service import start_due_followups
from backend.integrity.flags import class_flags
from backend.programme.models import (
    CertificationCandidate,
    InstitutionPlan,
    IntakeForm,
    TypicalCase,
)
from backend.subsidies.closing import close_and_freeze_completed
from backend.subsidies.service import subsidy_plan


async def test_demo_data_loads_with_a_class_in_progress_and_programme_records(
    settings: Settings,
) -> None:
    summary = await seed_demo(today=date(2026, 11, 28), trainee_count=30)
    klass = await TrainingClass.get(id=summary["class_id"])
    assert klass.status == ClassStatus.IN_PROGRESS
    assert await Enrolment.filter(training_class_id=klass.id).count() == 30
    assert await InstitutionPlan.exists() and await IntakeForm.exists()
    assert await CertificationCandidate.exists() and await TypicalCase.exists()
    assert len(summary["sample_trainee_id_number"]) == 18


@pytest.fixture
def on_demo_day() -> Iterator[date]:
    """The demo is seeded relative to a day; the clock agrees with it."""
    day = date(2026, 11, 28)
    moment = datetime.combine(day, time(15, 0), clock.SHANGHAI).astimezone(UTC)
    clock.set_clock(lambda: moment)
    yield day
    clock.set_clock(None)


async def test_demo_data_shows_a_class_at_every_stage_of_the_lifecycle(
    settings: Settings, on_demo_day: date
) -> None:
    # the lifecycle (README): draft → submitted → approved | rejected → in_progress → completed →
    # following_up → closed
    started = time_module.perf_counter()
    summary = await seed_demo(today=on_demo_day, trainee_count=30)
    assert time_module.perf_counter() - started < 10  # seeding stays quick
    stages = summary["classes_by_stage"]
    assert set(stages) == {s.value for s in ClassStatus}
    for stage, class_id in stages.items():
        klass = await TrainingClass.get(id=class_id)
        assert klass.status.value == stage
        history = await ClassStatusChange.filter(training_class_id=class_id).order_by("id")
        assert history[-1].to_status.value == stage
    # the worker leaves them where they are: a completed instructor class has no follow-up
    # (第二十五条 concerns trainee classes) and nothing else is due to move today
    assert await advance_due_classes() == 0
    assert await start_due_followups() == 0
    assert await close_and_freeze_completed() == 0
    closed = await TrainingClass.get(id=stages["closed"])
    assert (await followup_completion(closed))[0] is True  # 第二十五条
    plan = await subsidy_plan(closed)  # 第二十四条: tranches 1–3 paid, the last 10% due
    assert [t.holds for t in plan.tranches] == [True] * 4
    assert [bool(t.paid) for t in plan.tranches] == [True, True, True, False]
    assert plan.paid + plan.due_unpaid == plan.total
    # 结案 froze the figures: the frozen plan is the live one, with no adjustment since
    live = await subsidy_plan(closed, live=True)
    assert plan.closing is not None and plan.closing.adjustments == []
    assert [(t.amount, t.holds) for t in plan.tranches] == [
        (t.amount, t.holds) for t in live.tranches
    ]
    assert plan.employment == live.employment and plan.total == live.total
    assert plan.employment is not None and plan.employment.verified.employed == 4
    assert await class_flags(closed) == []  # its claims were reported over the months
    completed = await TrainingClass.get(id=stages["completed"])
    assert completed.kind is ClassKind.INSTRUCTOR_CLASS
    assert [bool(t.paid) for t in (await subsidy_plan(completed)).tranches] == [True, False]
