"""A class with trainees, its instructor, its institution admin and HR in and out of scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.accounts.models import Institution, Role, User
from backend.classes.models import ClassStatus, TrainingClass
from tests.support.client import Client, Response
from tests.support.factories import (
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
HIRED = {"status": "employed", "employer": "福州鑫源商贸有限公司", "position": "销售代表"}


@dataclass
class IntegrityWorld:
    client: Client
    inst: Institution
    klass: TrainingClass
    trainee_ids: list[int]
    instructor: User
    admin: User
    hr: User
    second_hr: User
    foreign_hr: User
    records: dict[int, int] = field(default_factory=dict)  # trainee → last record id

    async def call(self, method: str, path: str, user: User, **kwargs: Any) -> Response:
        return await self.client.request(method, f"/api/v1{path}", headers=auth(user), **kwargs)

    async def claim(self, trainee_id: int, body: dict[str, Any] | None = None) -> int:
        """The instructor reports the trainee employed; the record id."""
        response = await self.call(
            "POST", f"/trainees/{trainee_id}/employment", self.instructor, json=body or HIRED
        )
        assert response.status == 201, response.text
        self.records[trainee_id] = int(response.json["id"])
        return self.records[trainee_id]

    async def evidence(
        self, record_id: int, kind: str = "labour_contract", data: bytes = PNG
    ) -> Response:
        return await self.client.post(
            f"/api/v1/employment-outcomes/{record_id}/evidence?kind={kind}",
            files={"file": ("合同.png", data, "image/png")},
            headers=auth(self.instructor),
        )

    async def verify(self, record_id: int, user: User | None = None, **body: Any) -> Response:
        payload = body or {"decision": "verified", "methods": ["call_back", "contract"]}
        return await self.call(
            "POST", f"/employment-outcomes/{record_id}/verification", user or self.hr, json=payload
        )

    async def claim_verified(self, trainee_id: int) -> int:
        record_id = await self.claim(
            trainee_id,
            {**HIRED, "insurance_record_no": f"SB{trainee_id}", "insurance_month": "2027-01"},
        )
        response = await self.verify(record_id)
        assert response.status == 200, response.text
        return record_id


async def integrity_world(
    client: Client, *, trainees: int = 4, status: ClassStatus = ClassStatus.FOLLOWING_UP
) -> IntegrityWorld:
    inst = await make_institution("350102")
    klass = await make_class(inst, status=status)
    ids = []
    for _ in range(trainees):
        trainee = await make_trainee()
        await enrol(klass, trainee)
        ids.append(trainee.id)
    instructor, instructor_user = await make_instructor()
    assert instructor_user is not None
    await assign_instructor(klass, instructor)
    return IntegrityWorld(
        client=client,
        inst=inst,
        klass=klass,
        trainee_ids=ids,
        instructor=instructor_user,
        admin=await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
        hr=await make_staff(Role.HR_ADMIN, district_code="350102"),
        second_hr=await make_staff(Role.HR_ADMIN, district_code="350102"),
        foreign_hr=await make_staff(Role.HR_ADMIN, district_code="350104"),
    )


async def verify_claims_and_spot_check(class_id: int, hr: User) -> None:
    """HR verifies every employment claim of the class, draws its sample and confirms it."""
    from backend.accounts.access import load_actor
    from backend.employment.outcomes import enrolled_trainees, latest_outcomes
    from backend.employment.verification import CheckMethod, Decision, verify_outcome
    from backend.subsidies.spotcheck import draw_spot_check, record_check

    actor = await load_actor(hr.id)
    latest = await latest_outcomes(await enrolled_trainees(class_id))
    for record in latest.values():
        if record.employed and not record.verified:
            decision = Decision(verified=True, methods=(CheckMethod.INSURANCE_RECORD,))
            await verify_outcome(actor=actor, record_id=record.id, decision=decision)
    view = await draw_spot_check(actor=actor, class_id=class_id)
    for item in view.items:
        await record_check(
            actor=actor, item_id=item.id, confirmed=True, methods=(CheckMethod.CALL_BACK,)
        )


SIX_MONTHS_DONE = "2027-06-01 10:00"  # the factories' class ends 2026-11-29: +6 months passed


async def follow_up_complete(w: IntegrityWorld) -> None:
    """第二十五条 complete for every trainee: the 6-month milestone and three services each."""
    from datetime import UTC, date, datetime, timedelta

    from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage

    for trainee_id in w.trainee_ids:
        await FollowupMilestone.create(
            training_class=w.klass,
            trainee_id=trainee_id,
            stage=Stage.MONTH_6,
            due_date=date(2027, 5, 29),
        )
        for k in range(3):
            await FollowupService.create(
                training_class=w.klass,
                trainee_id=trainee_id,
                kind=ServiceKind.PHONE_CALL,
                stage=Stage.WEEK_1.value,
                served_at=datetime(2026, 12, 3, 2, 0, tzinfo=UTC) + timedelta(days=k),
            )
