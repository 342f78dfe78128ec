"""The demo data set loads through the services and shows each capability."""

from __future__ import annotations

from datetime import date

from backend.classes.models import ClassStatus, Enrolment, TrainingClass
from backend.config import Settings
from backend.demo import seed_demo
from backend.programme.models import (
    CertificationCandidate,
    InstitutionPlan,
    IntakeForm,
    TypicalCase,
)


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
