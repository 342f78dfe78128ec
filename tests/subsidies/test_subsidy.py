"""第二十四条: a class's subsidy, its tranches released exactly when their conditions hold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from backend import clock
from backend.accounts.models import Role
from backend.classes.models import ClassKind, ClassStatus, StaffDuty, TrainingClass
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage
from backend.subsidies.service import allot, split
from tests.integrity.support import verify_claims_and_spot_check
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    auth,
    enrol,
    make_class,
    make_institution,
    make_session,
    make_staff,
    make_trainee,
)

START = date(2026, 12, 21)
FIRST = datetime(2026, 12, 21, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def at() -> Iterator[Any]:
    def move(moment: datetime) -> None:
        clock.set_clock(lambda: moment)

    yield move
    clock.set_clock(None)


def test_tranches_are_rounded_to_the_fen_and_sum_exactly_to_the_total() -> None:
    # 第二十四条: 30% / 30% / 30% / 10% of the amount, in fen, adding up to the amount exactly
    shares = [Decimal("0.30"), Decimal("0.30"), Decimal("0.30"), Decimal("0.10")]
    for total in (Decimal("6000.00"), Decimal("4499.99"), Decimal("0.01"), Decimal("13333.33")):
        amounts = split(total, shares)
        assert sum(amounts) == total
        assert all(a == a.quantize(Decimal("0.01")) for a in amounts)


async def _class(
    client: Client, trainees: int, attended: int, kind: ClassKind = ClassKind.TRAINEE_CLASS
) -> dict[str, Any]:
    inst = await make_institution()
    klass = await make_class(
        inst,
        start=START,
        status=ClassStatus.APPROVED,
        kind=kind,
        decided_at=datetime(2026, 12, 10, 2, 0, tzinfo=UTC),
    )
    klass.contract_amount = Decimal("10000.00")
    await klass.save()
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    sessions = [await make_session(klass, starts_at=FIRST + timedelta(days=d)) for d in range(2)]
    people = [await make_trainee(f"学员{chr(0x4E00 + n)}") for n in range(trainees)]
    for p in people:
        await enrol(klass, p)
    return {
        "inst": inst,
        "klass": klass,
        "teacher": teacher,
        "sessions": sessions,
        "people": people,
        "attended": attended,
        "hr": await make_staff(Role.HR_ADMIN),
        "admin": await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
    }


async def _attend(client: Client, w: dict[str, Any]) -> None:
    session = w["sessions"][0]
    for n, p in enumerate(w["people"]):
        body = (
            {"status": "present"} if n < w["attended"] else {"status": "absent", "reason": "未到"}
        )
        response = await client.put(
            f"/api/v1/sessions/{session.id}/attendance/{p.id}",
            json=body,
            headers=auth(w["teacher"]),
        )
        assert response.status == 200, response.json


async def _plan(client: Client, w: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/api/v1/classes/{w['klass'].id}/subsidy", headers=auth(w["hr"]))
    assert response.status == 200, response.json
    return response.json


def _holds(plan: dict[str, Any]) -> list[bool]:
    return [t["holds"] for t in plan["tranches"]]


async def _follow_up_everyone(w: dict[str, Any], employed: int, visits: bool = True) -> None:
    """Three services each; the unemployed also get the home visit owed at 6 months (第二十五条)."""
    klass: TrainingClass = w["klass"]
    for n, p in enumerate(w["people"]):
        await FollowupMilestone.create(
            training_class=klass, trainee=p, stage=Stage.MONTH_6, due_date=date(2027, 6, 27)
        )
        for k in range(3):
            await FollowupService.create(
                training_class=klass,
                trainee=p,
                kind=ServiceKind.PHONE_CALL,
                stage=Stage.WEEK_1.value,
                served_at=FIRST + timedelta(days=10 + k),
            )
        status = EmploymentStatus.EMPLOYED if n < employed else EmploymentStatus.UNEMPLOYED
        if visits and status is EmploymentStatus.UNEMPLOYED:
            await FollowupService.create(
                training_class=klass,
                trainee=p,
                kind=ServiceKind.HOME_VISIT,
                stage="after_6_months",
                served_at=datetime(2027, 6, 28, 1, 0, tzinfo=UTC),
            )
        await record_employment(
            trainee_id=p.id,
            class_id=klass.id,
            recorded_by_id=None,
            outcome=Outcome(
                status=status,
                source=OutcomeSource.SURVEY,
                employer="某公司" if n < employed else "",
                insurance_record_no=f"SB{n}" if n < employed else "",
                insurance_month="2027-01" if n < employed else "",
            ),
        )


@pytest.mark.parametrize(("employed", "released"), [(4, True), (3, False)])
async def test_tranches_are_released_exactly_when_their_conditions_hold(
    client: Client, at: Any, employed: int, released: bool
) -> None:
    # 第二十四条: 30% 预付, 30% 完成50%, 30% 全部完成, 10% 后续服务完成且就业率达到80%以上
    w = await _class(client, trainees=5, attended=4)
    at(datetime(2026, 12, 11, 2, 0, tzinfo=UTC))
    plan = await _plan(client, w)
    # Before any session has ended the roster stands in for 实际人数: min(10,000, 1,500 × 5)
    assert plan["actual_trainees"] == 0 and plan["basis"] == "roster"
    assert plan["counted_trainees"] == 5 and plan["total"] == "7500.00"
    assert _holds(plan) == [True, False, False, False]
    at(FIRST + timedelta(hours=4))  # the first of two sessions is over
    await _attend(client, w)
    plan = await _plan(client, w)
    assert plan["actual_trainees"] == 4 and plan["basis"] == "attendance"  # 实际人数
    assert plan["total"] == "6000.00"  # min(10,000, 1,500 × 4)
    assert [t["amount"] for t in plan["tranches"]] == ["1800.00", "1800.00", "1800.00", "600.00"]
    assert _holds(plan) == [True, True, False, False]
    assert plan["tranches"][0]["due_by"] == "2026-12-17"  # 5 working days after approval
    paid = await client.post(
        f"/api/v1/classes/{w['klass'].id}/subsidy/payments",
        json={"tranche": 3},
        headers=auth(w["hr"]),
    )
    assert paid.status == 422 and paid.json["error"]["code"] == "TRANCHE_CONDITION_NOT_MET"
    paid = await client.post(
        f"/api/v1/classes/{w['klass'].id}/subsidy/payments",
        json={"tranche": 1, "reference": "付款凭证001"},
        headers=auth(w["hr"]),
    )
    assert paid.status == 201
    again = await client.post(
        f"/api/v1/classes/{w['klass'].id}/subsidy/payments",
        json={"tranche": 1},
        headers=auth(w["hr"]),
    )
    assert again.status == 409
    await TrainingClass.filter(id=w["klass"].id).update(status=ClassStatus.FOLLOWING_UP)
    plan = await _plan(client, w)
    assert _holds(plan) == [True, True, True, False]
    assert "尚未生成后续跟踪节点" in plan["tranches"][3]["why"]
    await _follow_up_everyone(w, employed)
    at(datetime(2027, 6, 28, 2, 0, tzinfo=UTC))  # the 6-month stage is over
    plan = await _plan(client, w)
    assert plan["tranches"][3]["holds"] is False  # claims alone: not verified, not spot-checked
    await verify_claims_and_spot_check(w["klass"].id, w["hr"])
    plan = await _plan(client, w)
    assert plan["tranches"][3]["holds"] is released
    assert f"{employed}/5" in plan["tranches"][3]["why"]
    assert plan["paid"] == "1800.00"


async def test_the_last_tranche_waits_for_the_home_visit_owed_at_six_months(
    client: Client, at: Any
) -> None:
    # 第二十四条 后续服务完成 includes 第二十五条: 培训后6个月未就业的学员…进行家访
    w = await _class(client, trainees=5, attended=5)
    at(FIRST + timedelta(hours=4))
    await _attend(client, w)
    await TrainingClass.filter(id=w["klass"].id).update(status=ClassStatus.FOLLOWING_UP)
    await _follow_up_everyone(w, employed=4, visits=False)
    at(datetime(2027, 6, 28, 2, 0, tzinfo=UTC))
    await verify_claims_and_spot_check(w["klass"].id, w["hr"])
    last = (await _plan(client, w))["tranches"][3]
    assert last["holds"] is False and "1项家访未完成" in last["why"] and "4/5" in last["why"]
    await FollowupService.create(
        training_class=w["klass"],
        trainee=w["people"][4],
        kind=ServiceKind.HOME_VISIT,
        stage="after_6_months",
        served_at=datetime(2027, 6, 28, 1, 0, tzinfo=UTC),
    )
    assert (await _plan(client, w))["tranches"][3]["holds"] is True


async def _pay(client: Client, w: dict[str, Any], tranche: int) -> Any:
    return await client.post(
        f"/api/v1/classes/{w['klass'].id}/subsidy/payments",
        json={"tranche": tranche, "reference": f"凭证{tranche}"},
        headers=auth(w["hr"]),
    )


async def test_a_paid_advance_keeps_its_amount_and_the_last_tranche_settles_the_rest(
    client: Client, at: Any
) -> None:
    # 第二十四条: 预付款 on the contract (roster of 5), then 学员班按每班次实际人数 (4 attended);
    # the last tranche is 剩下的 — what remains once the others are paid
    w = await _class(client, trainees=5, attended=4)
    at(datetime(2026, 12, 11, 2, 0, tzinfo=UTC))
    paid = await _pay(client, w, 1)
    assert paid.status == 201 and paid.json["amount"] == "2250.00"  # 30% of 7,500
    at(FIRST + timedelta(hours=4))
    await _attend(client, w)
    plan = await _plan(client, w)
    assert plan["total"] == "6000.00"
    amounts = [Decimal(t["amount"]) for t in plan["tranches"]]
    assert amounts == [
        Decimal("2250.00"),
        Decimal("1800.00"),
        Decimal("1800.00"),
        Decimal("150.00"),
    ]
    assert sum(amounts) == Decimal(plan["total"])
    assert plan["tranches"][0]["paid"]["amount"] == "2250.00" and plan["paid"] == "2250.00"
    assert plan["due_unpaid"] == "1800.00" and plan["overpaid"] == "0.00"


def test_paying_the_scheduled_amount_leaves_the_other_tranches_unchanged() -> None:
    # 第二十四条 in fen: 13,333.33 splits 4,000.00 × 3 + 1,333.33, whatever is paid first
    shares = [Decimal("0.30"), Decimal("0.30"), Decimal("0.30"), Decimal("0.10")]
    total = Decimal("13333.33")
    schedule, overpaid = allot(total, shares, {})
    assert schedule == split(total, shares) and overpaid == 0
    for n in range(1, 5):
        paid = {k: schedule[k - 1] for k in range(1, n + 1)}
        assert allot(total, shares, paid) == (schedule, Decimal(0))
    amounts, overpaid = allot(Decimal("100.00"), shares, {1: Decimal("90.00"), 2: Decimal("30.00")})
    assert amounts == [Decimal("90.00"), Decimal("30.00"), Decimal("0"), Decimal("0")]
    assert overpaid == Decimal("20.00")


async def test_an_advance_beyond_the_actual_total_shows_as_overpaid(
    client: Client, at: Any
) -> None:
    # 第二十四条: 按不超过1500元/人 — one trainee of five attended, so the total is 1,500
    w = await _class(client, trainees=5, attended=1)
    at(datetime(2026, 12, 11, 2, 0, tzinfo=UTC))
    assert (await _pay(client, w, 1)).status == 201
    at(FIRST + timedelta(hours=4))
    await _attend(client, w)
    plan = await _plan(client, w)
    assert (plan["total"], plan["paid"], plan["overpaid"]) == ("1500.00", "2250.00", "750.00")
    assert [t["amount"] for t in plan["tranches"][1:]] == ["0.00", "0.00", "0.00"]
    refused = await _pay(client, w, 2)
    assert refused.status == 422 and refused.json["error"]["code"] == "TRANCHE_NOTHING_DUE"


async def test_instructor_class_pays_50_50_up_to_5000_per_person(client: Client, at: Any) -> None:
    # 第二十四条: 师资班由第三方机构组织实施的，按不超过5000元/人…支付50%…剩下的50%
    w = await _class(client, trainees=2, attended=2, kind=ClassKind.INSTRUCTOR_CLASS)
    at(FIRST + timedelta(hours=4))
    await _attend(client, w)
    plan = await _plan(client, w)
    assert plan["total"] == "10000.00"  # min(10,000, 5,000 × 2)
    assert [t["amount"] for t in plan["tranches"]] == ["5000.00", "5000.00"]
    assert _holds(plan) == [True, False]
    # the number of tranches is the class's: an instructor class has two, a trainee class four
    for tranche in (3, 5):
        refused = await _pay(client, w, tranche)
        assert refused.status == 404 and refused.json["error"]["code"] == "TRANCHE_NOT_FOUND"


async def test_materials_export_with_chinese_headers_and_masked_ids(
    client: Client, at: Any
) -> None:
    # 第二十四条: 1.求职能力实训补贴申请表 2.求职能力实训补贴人员花名册
    w = await _class(client, trainees=3, attended=3)
    at(FIRST + timedelta(hours=4))
    await _attend(client, w)
    response = await client.get(
        f"/api/v1/classes/{w['klass'].id}/subsidy/application.xlsx", headers=auth(w["admin"])
    )
    assert response.status == 200
    sheet = load_workbook(BytesIO(response.body)).worksheets[0]
    assert sheet["A1"].value == "求职能力实训补贴申请表"
    response = await client.get(
        f"/api/v1/classes/{w['klass'].id}/subsidy/roster.xlsx", headers=auth(w["admin"])
    )
    sheet = load_workbook(BytesIO(response.body)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["序号", "姓名", "身份证号码"]
    assert "********" in sheet.cell(row=2, column=3).value
