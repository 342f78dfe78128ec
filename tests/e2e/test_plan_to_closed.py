"""One trainee class from plan to closed, its subsidy tranches released exactly on their conditions.

A class of 10 trainees runs 21–27 December 2026 (seven sessions, 09:00–12:00), under a
controlled clock, over real HTTP, with the worker's jobs run as services at each step:

draft → submitted → approved → in_progress → completed → following_up → closed.

After each step the subsidy (第二十四条) is read back: tranche 1 (30%) once the contract is in
force, tranche 2 (30%) once half the sessions are held, tranche 3 (30%) once training is
completed, tranche 4 (10%) only when follow-up is complete (第二十五条) **and** the class
employment rate is at least 80% — the rate of claims HR verified (第二十三条), never the claims
alone — **and** HR's random spot check of the claims found nothing wrong. One trainee never
attends, so the actual number (9) is below the roster (10) the advance was paid on; HR pays
every tranche and the payments add up to the total to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import Institution, Instructor, Role, User
from backend.certificates.models import Certificate
from backend.classes.models import Enrolment
from backend.classes.service import advance_due_classes
from backend.followups.closing import AUTO_REASON
from backend.followups.service import assign_home_visits, queue_due_invitations, start_due_followups
from backend.notifications.models import HumanTask, TaskKind, TaskStatus
from backend.security.idcard import make_id_number
from backend.subsidies.closing import close_and_freeze_completed
from tests.support.client import Client, Response
from tests.support.factories import auth, make_institution, make_instructor, make_staff

START = date(2026, 12, 21)  # a Monday; the class ends on Sunday 27 December
TRAINEES = 10
NO_SHOW = 9  # the tenth trainee never comes: 实际人数 is 9


@dataclass
class Journey:
    """The people of one class and helpers to act as them over HTTP."""

    client: Client
    inst: Institution
    admin: User
    teacher: User
    staff: User
    hr: User
    lead: Instructor
    lead_user: User
    other: Instructor
    class_id: int = 0
    trainee_ids: list[int] = field(default_factory=list)
    records: dict[int, int] = field(default_factory=dict)  # trainee → latest employment record
    session_ids: list[int] = field(default_factory=list)

    async def call(self, method: str, path: str, user: User, body: Any = None) -> Response:
        response = await self.client.request(
            method, f"/api/v1{path}", json=body, headers=auth(user)
        )
        assert response.status < 300, (path, response.status, response.json)
        return response

    async def refused(self, method: str, path: str, user: User, body: Any = None) -> Any:
        response = await self.client.request(
            method, f"/api/v1{path}", json=body, headers=auth(user)
        )
        assert response.status >= 400, (path, response.json)
        return response.status, response.json["error"]["code"]

    async def status(self) -> str:
        return str((await self.call("GET", f"/classes/{self.class_id}", self.admin)).json["status"])

    async def subsidy(self) -> dict[str, Any]:
        plan = (await self.call("GET", f"/classes/{self.class_id}/subsidy", self.hr)).json
        amounts = [Decimal(t["amount"]) for t in plan["tranches"]]
        assert sum(amounts) == Decimal(plan["total"]) + Decimal(plan["overpaid"])  # to the fen
        return dict(plan)

    async def holds(self) -> list[bool]:
        return [t["holds"] for t in (await self.subsidy())["tranches"]]

    async def pay(self, tranche: int) -> str:
        body = {"tranche": tranche, "reference": f"闽财拨〔2026〕{tranche}号"}
        paid = await self.call("POST", f"/classes/{self.class_id}/subsidy/payments", self.hr, body)
        return str(paid.json["amount"])

    async def serve(self, kind: str, served_at: str, trainee_ids: list[int] | None = None) -> None:
        for trainee_id in trainee_ids if trainee_ids is not None else self.trainee_ids:
            body = {"kind": kind, "served_at": served_at, "notes": "后续跟踪服务"}
            await self.call(
                "POST", f"/trainees/{trainee_id}/followup-services", self.lead_user, body
            )

    async def employment(self, trainee_id: int, employed: bool) -> None:
        body = (
            {
                "status": "employed",
                "employer": "福州某科技有限公司",
                "position": "客服专员",
                "insurance_record_no": f"FZSB{trainee_id:08d}",
                "insurance_month": "2027-03",
                "employer_contact": "人事部王女士",
                "employer_phone": f"0591-8765{trainee_id % 10000:04d}",
            }
            if employed
            else {"status": "unemployed"}
        )
        path = f"/trainees/{trainee_id}/employment"
        self.records[trainee_id] = (await self.call("POST", path, self.lead_user, body)).json["id"]


@pytest.fixture
def at() -> Any:
    """Set the clock to a Shanghai-local moment: at("2026-12-01 10:00")."""

    def move(moment: str) -> None:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))

    yield move
    clock.set_clock(None)


async def worker() -> dict[str, int]:
    """One pass of the worker's class and follow-up jobs, in the scheduler's order."""
    return {
        "advanced": await advance_due_classes(),
        "followups": await start_due_followups(),
        "invited": await queue_due_invitations(),
        "home_visits": await assign_home_visits(),
        "closed": await close_and_freeze_completed(),
    }


async def _people(client: Client) -> Journey:
    inst = await make_institution("350102")
    lead, lead_user = await make_instructor()
    other, _ = await make_instructor()
    assert lead_user is not None
    return Journey(
        client=client,
        inst=inst,
        admin=await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
        teacher=await make_staff(Role.CLASS_TEACHER, institution=inst),
        staff=await make_staff(Role.STAFF, institution=inst),
        hr=await make_staff(Role.HR_ADMIN, district_code="350102"),
        lead=lead,
        lead_user=lead_user,
        other=other,
    )


async def _draft(j: Journey) -> None:
    """The institution drafts the plan: class, instructors, staff, sessions, roster (第十八条)."""
    body = {
        "institution_id": j.inst.id,
        "title": "2026年第12期求职能力实训学员班（鼓楼）",
        "district_code": "350102",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=6)).isoformat(),
        "contract_amount": "14999.99",
    }
    j.class_id = int((await j.call("POST", "/classes", j.admin, body)).json["id"])
    path = f"/classes/{j.class_id}"
    ids = [j.lead.id, j.other.id]
    await j.call("PUT", f"{path}/instructors", j.admin, {"instructor_ids": ids, "lead_id": ids[0]})
    staff = {"team_lead": j.admin.id, "class_teacher": j.teacher.id, "staff": j.staff.id}
    await j.call("PUT", f"{path}/staff", j.admin, staff)
    sessions = [
        {
            "date": (START + timedelta(days=d)).isoformat(),
            "start": "09:00",
            "end": "12:00",
            "topic": f"第{d + 1}天课程",
            "instructor_ids": [ids[d % 2]],
        }
        for d in range(7)
    ]
    detail = await j.call("POST", f"{path}/sessions", j.admin, {"sessions": sessions})
    j.session_ids = [s["id"] for s in detail.json["sessions"]]
    rows = [
        {
            "name": f"学员{chr(0x4E00 + n)}",
            "id_number": make_id_number("350102", date(2001, 1 + n, 3), 400 + n),
            "phone": f"139100000{n:02d}",
            "category": "unemployed_graduate",
        }
        for n in range(TRAINEES)
    ]
    await j.call("POST", f"{path}/roster", j.admin, {"rows": rows})
    enrolled = Enrolment.filter(training_class_id=j.class_id).order_by("id")
    j.trainee_ids = [int(t) for t in await enrolled.values_list("trainee_id", flat=True)]


async def _attend_day(j: Journey, day: int) -> None:
    """The class teacher marks the day's session: everyone present but the no-show."""
    session_id = j.session_ids[day]
    for n, trainee_id in enumerate(j.trainee_ids):
        body = {"status": "absent", "reason": "未到"} if n == NO_SHOW else {"status": "present"}
        await j.call("PUT", f"/sessions/{session_id}/attendance/{trainee_id}", j.teacher, body)


async def test_a_class_goes_from_plan_to_closed_with_each_tranche_released_on_its_condition(
    client: Client, at: Any
) -> None:
    j = await _people(client)

    # -- draft and submitted: no contract yet, nothing holds (第二十四条: 合同签订生效…预付款)
    at("2026-12-01 10:00")
    await _draft(j)
    assert await j.status() == "draft"
    plan = await j.subsidy()
    # the roster stands in for 实际人数 before any session: min(14,999.99, 1,500 × 10), split
    # 30 : 30 : 30 : 10 in fen, the last absorbing the rounding
    assert (plan["basis"], plan["counted_trainees"], plan["total"]) == ("roster", 10, "14999.99")
    assert [t["amount"] for t in plan["tranches"]] == ["4500.00", "4500.00", "4500.00", "1499.99"]
    assert await j.holds() == [False, False, False, False]
    path = f"/classes/{j.class_id}"
    assert (await j.call("POST", f"{path}/submit", j.admin)).json["status"] == "submitted"
    assert await j.holds() == [False, False, False, False]
    refused = await j.refused("POST", f"{path}/subsidy/payments", j.hr, {"tranche": 1})
    assert refused == (422, "TRANCHE_CONDITION_NOT_MET")

    # -- approved: the contract is in force, the advance is due within 5 working days (第二十四条)
    at("2026-12-10 15:00")
    review = await j.call("POST", f"{path}/review", j.hr, {"decision": "approve"})
    assert review.json["status"] == "approved"
    plan = await j.subsidy()
    assert [t["holds"] for t in plan["tranches"]] == [True, False, False, False]
    assert plan["tranches"][0]["due_by"] == "2026-12-17"
    assert await j.pay(1) == "4500.00"

    # -- in progress: the worker starts the class on its first day
    at("2026-12-21 08:00")
    assert (await worker())["advanced"] == 1
    assert await j.status() == "in_progress"
    assert await j.holds() == [True, False, False, False]

    # -- 第二十四条 培训任务完成50%: three of seven sessions held is not half, four is
    for day in range(3):
        at(f"2026-12-{21 + day} 12:30")
        await _attend_day(j, day)
    plan = await j.subsidy()
    assert [t["holds"] for t in plan["tranches"]] == [True, False, False, False]
    assert "3/7" in plan["tranches"][1]["why"]
    # 学员班按每班次实际人数: 9 attended, so the total is 13,500; the advance paid stays 4,500,
    # tranches 2 and 3 are 30% of 13,500 and the last (剩下的) settles the 450 paid in advance
    assert (plan["basis"], plan["actual_trainees"], plan["total"]) == ("attendance", 9, "13500.00")
    assert [t["amount"] for t in plan["tranches"]] == ["4500.00", "4050.00", "4050.00", "900.00"]
    at("2026-12-24 12:30")
    await _attend_day(j, 3)
    assert await j.holds() == [True, True, False, False]
    assert await j.pay(2) == "4050.00"
    refused = await j.refused("POST", f"{path}/subsidy/payments", j.hr, {"tranche": 3})
    assert refused == (422, "TRANCHE_CONDITION_NOT_MET")

    # -- completed after the last session: 第二十四条 培训任务全部完成
    for day in range(4, 7):
        at(f"2026-12-{21 + day} 12:30")
        await _attend_day(j, day)
    assert await advance_due_classes() == 1
    assert await j.status() == "completed"
    assert await j.holds() == [True, True, True, False]
    assert await j.pay(3) == "4050.00"

    # 第二十二条: the trainees who passed and attended at least 80% get a certificate
    for trainee_id in j.trainee_ids:
        body = {"trainee_id": trainee_id, "score": "85"}
        await j.call("POST", f"{path}/assessments", j.teacher, body)
    issued = await j.call("POST", f"{path}/certificates", j.hr)
    assert issued.json["issued"] == TRAINEES - 1  # not the no-show
    number = (await Certificate.all().order_by("id").first()).number
    verified = await client.get(f"/api/v1/certificates/{number}/verify")  # public, no login
    assert verified.status == 200 and verified.json["status"] == "valid"

    # -- following_up: the worker gives each trainee milestones at +1 week, +3 and +6 months
    assert (await worker())["followups"] == 1
    assert await j.status() == "following_up"
    plan = await j.subsidy()
    assert [t["holds"] for t in plan["tranches"]] == [True, True, True, False]
    assert "2027-06-27" in plan["tranches"][3]["why"]  # 第二十五条: the 6-month stage is ahead
    # 第二十五条: HR cannot close before the six months are over
    refused = await j.refused("POST", f"{path}/close", j.hr, {"reason": "提前结案"})
    assert refused == (422, "CLOSE_BEFORE_SIX_MONTHS")

    # 第二十五条: services at +1 week and +3 months; by then everyone has found work
    at("2027-01-03 10:00")
    await worker()
    await j.serve("phone_call", "2027-01-03T09:00:00")
    at("2027-03-27 10:00")
    await worker()
    await j.serve("job_push", "2027-03-27T09:00:00")
    for trainee_id in j.trainee_ids:
        await j.employment(trainee_id, employed=True)

    # -- the 6-month day: 10/10 employed, but two services each is not follow-up complete
    # (第二十五条 3次及以上), so 第二十四条's last 10% does not hold and nothing closes
    at("2027-06-27 10:00")
    assert (await worker())["closed"] == 0
    last = (await j.subsidy())["tranches"][3]
    assert last["holds"] is False
    assert "10名学员后续服务少于3次" in last["why"] and "10/10 = 100.00%" in last["why"]

    # the third service; three trainees have lost their jobs: 7/10, and home visits are owed
    at("2027-06-27 15:00")
    await j.serve("individual_guidance", "2027-06-27T14:00:00")
    lost = j.trainee_ids[:3]
    for trainee_id in lost:
        await j.employment(trainee_id, employed=False)
    last = (await j.subsidy())["tranches"][3]
    assert last["holds"] is False and "3项家访未完成" in last["why"]

    # 第二十五条: a week on, the worker sends an instructor to the three; the visits are logged
    at("2027-07-04 09:30")
    assert (await worker()) == {
        "advanced": 0,
        "followups": 0,
        "invited": 0,
        "home_visits": 3,
        "closed": 0,
    }
    await j.serve("home_visit", "2027-07-04T09:00:00", trainee_ids=lost)
    tasks = await HumanTask.filter(kind=TaskKind.HOME_VISIT).values_list("status", flat=True)
    assert list(tasks) == [TaskStatus.DONE] * 3

    # -- follow-up complete, employment 7/10 = 70%: below the line, the last 10% waits (第二十四条)
    last = (await j.subsidy())["tranches"][3]
    assert last["holds"] is False
    assert "后续服务已完成" in last["why"] and "7/10 = 70.00%" in last["why"]
    refused = await j.refused("POST", f"{path}/subsidy/payments", j.hr, {"tranche": 4})
    assert refused == (422, "TRANCHE_CONDITION_NOT_MET")

    # -- one of them finds work: 8/10 = 80% claimed, on the line — but claims alone never pay
    at("2027-07-04 11:00")
    await j.employment(lost[0], employed=True)
    plan = await j.subsidy()
    assert [t["holds"] for t in plan["tranches"]] == [True, True, True, False]
    assert "已申报 8/10 = 80.00%" in plan["tranches"][3]["why"]
    assert "按已核实计）0/10" in plan["tranches"][3]["why"]
    employed = [t for t in j.trainee_ids if t not in lost[1:]]

    # 第二十三条: HR calls the employers back and checks the insurance records; the instructor
    # who reported cannot verify, HR does — and the gate reads the verified rate
    first = j.records[employed[0]]
    refused = await j.refused(
        "POST", f"/employment-outcomes/{first}/verification", j.lead_user, {"decision": "verified"}
    )
    assert refused == (403, "ROLE_FORBIDDEN")
    check = {"decision": "verified", "methods": ["call_back", "insurance_record"]}
    for trainee_id in employed:
        verify = f"/employment-outcomes/{j.records[trainee_id]}/verification"
        assert (await j.call("POST", verify, j.hr, check)).json["verification"] == "verified"
    plan = await j.subsidy()
    assert plan["employment"]["verified"] == {"employed": 8, "rate": 0.8}
    assert plan["tranches"][3]["holds"] is False  # the spot check is still to come
    assert "尚未抽查就业情况" in plan["tranches"][3]["why"]

    # the spot check: a reproducible random sample of max(5, 20% × 8) = 5 claims, re-checked
    drawn = (await j.call("POST", f"{path}/spot-check", j.hr)).json
    assert (drawn["population"], drawn["sample_size"]) == (sorted(employed), 5)
    for item in drawn["items"]:
        body = {"result": "confirmed", "methods": ["call_back"]}
        await j.call("POST", f"/spot-check-items/{item['id']}/result", j.hr, body)
    plan = await j.subsidy()
    assert [t["holds"] for t in plan["tranches"]] == [True, True, True, True]
    assert "按已核实计）8/10 = 80.00%" in plan["tranches"][3]["why"]
    assert await j.pay(4) == "900.00"

    # every tranche paid: the payments add up to the total exactly, to the fen
    plan = await j.subsidy()
    paid = [Decimal(t["paid"]["amount"]) for t in plan["tranches"]]
    assert sum(paid) == Decimal(plan["total"]) == Decimal(plan["paid"]) == Decimal("13500.00")
    assert (plan["due_unpaid"], plan["overpaid"]) == ("0.00", "0.00")

    # -- closed: the evening run closes the class whose follow-up is complete (第二十五条)
    at("2027-07-04 21:15")
    assert (await worker())["closed"] == 1
    detail = (await j.call("GET", path, j.hr)).json
    assert detail["status"] == "closed"
    steps = [(h["from"], h["to"]) for h in detail["history"]]
    assert steps == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "following_up"),
        ("following_up", "closed"),
    ]
    assert (detail["history"][-1]["reason"], detail["history"][-1]["actor_id"]) == (
        AUTO_REASON,
        None,
    )
    assert await j.holds() == [True, True, True, True]
    refused = await j.refused("POST", f"{path}/close", j.hr, {"reason": "再次结案"})
    assert refused == (409, "CLASS_NOT_FOLLOWING_UP")

    # 结案 froze the figures (by the worker, with its reason); a report arriving later is an
    # adjustment against them, shown with what the rate would be now — the paid money stays
    plan = await j.subsidy()
    assert (plan["closing"]["frozen_by"], plan["closing"]["reason"]) == (None, AUTO_REASON)
    assert plan["closing"]["adjustments"] == []
    at("2027-07-10 10:00")
    await j.employment(employed[0], employed=False)
    after = await j.subsidy()
    assert after["tranches"] == plan["tranches"] and after["paid"] == "13500.00"
    assert [a["change"] for a in after["closing"]["adjustments"]] == ["reported"]
    assert after["closing"]["now"]["employment"]["verified"]["employed"] == 7
    assert after["closing"]["now"]["last_tranche_would_hold"] is False
