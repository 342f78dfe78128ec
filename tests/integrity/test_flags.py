"""Flags on a class's employment claims: each raised by its pattern, never by a clean class."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from backend.classes.models import TrainingClass
from backend.employment.models import EmploymentRecord, EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.integrity.flags import class_flags, classes_flagged_for_review
from tests.integrity.support import (
    SIX_MONTHS_DONE,
    IntegrityWorld,
    follow_up_complete,
    integrity_world,
    verify_claims_and_spot_check,
)
from tests.support.client import Client


async def _claim(
    w: IntegrityWorld,
    n: int,
    *,
    employer: str = "福州鑫源商贸有限公司",
    phone: str = "",
    start: date | None = None,
    by: int | None = None,
    entered: datetime | None = None,
) -> EmploymentRecord:
    record = await record_employment(
        trainee_id=w.trainee_ids[n],
        class_id=w.klass.id,
        recorded_by_id=by,
        outcome=Outcome(
            status=EmploymentStatus.EMPLOYED,
            source=OutcomeSource.INSTRUCTOR,
            employer=employer,
            position="职员",
            start_date=start,
            insurance_record_no=f"SB{n}",
            insurance_month="2027-01",
            employer_phone=phone or f"05918765{n:04d}",
        ),
    )
    if entered is not None:
        await EmploymentRecord.filter(id=record.id).update(created_at=entered)
    return record


async def _codes(klass: TrainingClass) -> list[str]:
    return [f.code for f in await class_flags(klass)]


async def test_a_clean_class_raises_no_flag(client: Client) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)
    for n in range(4):
        await _claim(w, n, start=date(2026, 12, 10), entered=datetime(2027, 1, 5, tzinfo=UTC))
    assert await _codes(w.klass) == []


async def test_claims_entered_just_before_the_six_month_day_are_flagged(client: Client) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)  # the 6-month day: 2027-05-29
    for n in range(3):
        await _claim(w, n, entered=datetime(2027, 5, 20, 2, tzinfo=UTC))
    await _claim(w, 3, entered=datetime(2027, 1, 5, tzinfo=UTC))
    flags = await class_flags(w.klass)
    assert [f.code for f in flags] == ["late_entries"]
    assert "3/4条就业记录在6个月节点（2027-05-29）前14天内" in flags[0].reason


async def test_two_late_claims_are_not_a_pattern(client: Client) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)
    for n in range(2):
        await _claim(w, n, entered=datetime(2027, 5, 20, 2, tzinfo=UTC))
    for n in range(2, 4):
        await _claim(w, n, entered=datetime(2027, 1, 5, tzinfo=UTC))
    assert "late_entries" not in await _codes(w.klass)


async def test_three_trainees_with_one_employer_phone_are_flagged(client: Client) -> None:
    w = await integrity_world(client)
    for n in range(3):
        await _claim(w, n, phone="059112345678", employer=f"福州第{n}商贸有限公司")
    flags = await class_flags(w.klass)
    assert [f.code for f in flags] == ["shared_phone"]
    assert "3名学员" in flags[0].reason and "尾号5678" in flags[0].reason
    assert flags[0].trainee_ids == sorted(w.trainee_ids[:3])


async def test_two_trainees_sharing_an_employer_phone_are_not_flagged(client: Client) -> None:
    w = await integrity_world(client)
    for n in range(2):
        await _claim(w, n, phone="059112345678")
    await _claim(w, 2, phone="059187654321")
    assert "shared_phone" not in await _codes(w.klass)


async def test_a_job_that_started_before_the_class_ended_is_flagged(client: Client) -> None:
    w = await integrity_world(client)  # the class ends 2026-11-29
    await _claim(w, 0, start=date(2026, 11, 25))
    await _claim(w, 1, start=date(2026, 11, 29))  # the last day is not before the end
    flags = await class_flags(w.klass)
    assert [(f.code, f.trainee_ids) for f in flags] == [("start_before_end", [w.trainee_ids[0]])]


async def test_claims_entered_by_the_institution_for_most_of_the_class_are_flagged(
    client: Client,
) -> None:
    w = await integrity_world(client)
    for n in range(3):
        await _claim(w, n, by=w.admin.id)
    flags = await class_flags(w.klass)
    assert [f.code for f in flags] == ["staff_entered"]
    assert "3/4名学员的就业记录由本机构人员录入" in flags[0].reason


async def test_half_the_class_entered_by_the_institution_is_not_most(client: Client) -> None:
    w = await integrity_world(client)
    for n in range(2):
        await _claim(w, n, by=w.admin.id)
    for n in range(2, 4):
        await _claim(w, n, by=w.instructor.id)  # an instructor of the city registry
    assert "staff_entered" not in await _codes(w.klass)


async def test_an_employer_bearing_the_institutions_name_is_flagged(client: Client) -> None:
    w = await integrity_world(client)
    w.inst.name = "福州启航职业培训学校"
    await w.inst.save()
    await _claim(w, 0, employer="福州启航科技有限公司")
    await _claim(w, 1, employer="福州鑫源商贸有限公司")
    flags = await class_flags(w.klass)
    assert [(f.code, f.trainee_ids) for f in flags] == [("related_employer", [w.trainee_ids[0]])]
    assert "福州启航职业培训学校" in flags[0].reason


async def test_an_unrelated_employer_is_not_flagged(client: Client) -> None:
    w = await integrity_world(client)
    w.inst.name = "福州启航职业培训学校"
    await w.inst.save()
    await _claim(w, 0, employer="福建远航物流有限公司")
    assert await _codes(w.klass) == []


async def test_flags_never_block_the_last_tranche_by_themselves(client: Client, at: Any) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)
    at(SIX_MONTHS_DONE)
    for n in range(4):
        await _claim(w, n, start=date(2026, 11, 24))  # every one flagged
    assert await _codes(w.klass) == ["start_before_end"]
    await verify_claims_and_spot_check(w.klass.id, w.hr)
    plan = (await w.call("GET", f"/classes/{w.klass.id}/subsidy", w.hr)).json
    assert plan["tranches"][3]["holds"] is True


async def test_hr_lists_the_flagged_classes_of_its_district_only(client: Client) -> None:
    flagged = await integrity_world(client)
    await _claim(flagged, 0, start=date(2026, 11, 25))
    clean = await integrity_world(client)
    await _claim(clean, 0, start=date(2026, 12, 25))
    listed = await classes_flagged_for_review()
    assert [c.class_id for c in listed] == [flagged.klass.id]
    response = await flagged.call("GET", "/integrity-flags", flagged.hr)
    assert response.status == 200
    assert [c["class_id"] for c in response.json["items"]] == [flagged.klass.id]
    assert response.json["items"][0]["flags"][0]["code"] == "start_before_end"
    foreign = await flagged.call("GET", "/integrity-flags", flagged.foreign_hr)
    assert foreign.json["total"] == 0
    one = await flagged.call("GET", f"/classes/{flagged.klass.id}/integrity-flags", flagged.hr)
    assert one.json["flags"][0]["label"] == "入职日期早于结业日期"


async def test_claims_to_verify_and_flagged_classes_reach_hrs_work_queue(client: Client) -> None:
    w = await integrity_world(client)
    await _claim(w, 0, start=date(2026, 11, 25))  # flagged: started before the class ended
    await _claim(w, 1, start=date(2026, 12, 10))
    queue = (await w.call("GET", "/me/work-queue", w.hr)).json
    mine = {i["kind"]: i for i in queue["items"] if i["class_id"] == w.klass.id}
    assert mine["employment_verification"]["count"] == 2
    assert mine["employment_verification"]["link"].endswith("/employment-claims")
    assert "入职日期早于结业日期" in mine["integrity_review"]["title"]
    foreign = (await w.call("GET", "/me/work-queue", w.foreign_hr)).json
    assert [i for i in foreign["items"] if i["class_id"] == w.klass.id] == []
