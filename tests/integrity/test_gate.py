"""第二十四条 the last 10%: on the rate EMPLOYMENT_GATE_BASIS names, after HR's spot check."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.subsidies.models import SpotCheck, SpotCheckItem
from backend.subsidies.spotcheck import sample_of, sample_size
from tests.integrity.support import (
    HIRED,
    SIX_MONTHS_DONE,
    IntegrityWorld,
    follow_up_complete,
    integrity_world,
)
from tests.support.client import Client

EVIDENCED = {**HIRED, "insurance_record_no": "SB-2027", "insurance_month": "2027-01"}


async def _plan(w: IntegrityWorld) -> dict[str, Any]:
    response = await w.call("GET", f"/classes/{w.klass.id}/subsidy", w.hr)
    assert response.status == 200, response.text
    return dict(response.json)


async def _pay_last(w: IntegrityWorld) -> Any:
    body = {"tranche": 4, "reference": "闽财拨〔2027〕4号"}
    return await w.call("POST", f"/classes/{w.klass.id}/subsidy/payments", w.hr, json=body)


async def _claimed_world(client: Client, at: Any, trainees: int = 5) -> IntegrityWorld:
    w = await integrity_world(client, trainees=trainees)
    await follow_up_complete(w)
    at(SIX_MONTHS_DONE)
    for trainee_id in w.trainee_ids:
        await w.claim(trainee_id, EVIDENCED)
    return w


async def _draw(w: IntegrityWorld) -> dict[str, Any]:
    response = await w.call("POST", f"/classes/{w.klass.id}/spot-check", w.hr)
    assert response.status == 201, response.text
    return dict(response.json)


async def _result(w: IntegrityWorld, item_id: int, **body: Any) -> Any:
    return await w.call("POST", f"/spot-check-items/{item_id}/result", w.second_hr, json=body)


async def test_unverified_claims_do_not_release_the_last_tranche(client: Client, at: Any) -> None:
    # 第二十四条 学员就业率达到80%以上: five of five claimed employed, none verified by HR
    w = await _claimed_world(client, at)
    plan = await _plan(w)
    assert plan["employment"]["claimed"] == {"employed": 5, "rate": 1.0}
    assert plan["employment"]["verified"] == {"employed": 0, "rate": 0.0}
    assert plan["employment"]["gate_basis"] == "verified"
    last = plan["tranches"][3]
    assert last["holds"] is False and "按已核实计）0/5" in last["why"]
    refused = await _pay_last(w)
    assert (refused.status, refused.json["error"]["code"]) == (422, "TRANCHE_CONDITION_NOT_MET")


async def test_claims_alone_never_pay_even_when_the_basis_is_claimed(
    client: Client, at: Any, use_settings: Any
) -> None:
    # EMPLOYMENT_GATE_BASIS=claimed reads the claimed rate, but the spot check still stands
    use_settings(employment_gate_basis="claimed")
    w = await _claimed_world(client, at)
    last = (await _plan(w))["tranches"][3]
    assert last["holds"] is False and "尚未抽查就业情况" in last["why"]
    drawn = await _draw(w)
    for item in drawn["items"]:
        assert (
            await _result(w, item["id"], result="confirmed", methods=["call_back"])
        ).status == 200
    assert (await _plan(w))["tranches"][3]["holds"] is True


async def test_verified_claims_and_a_clean_spot_check_release_the_last_tranche(
    client: Client, at: Any
) -> None:
    w = await _claimed_world(client, at)
    for record_id in w.records.values():
        assert (await w.verify(record_id)).status == 200
    assert (await _plan(w))["tranches"][3]["holds"] is False  # no spot check yet
    drawn = await _draw(w)
    assert drawn["sample_size"] == 5  # max(5, ⌈20% × 5⌉), all five
    for item in drawn["items"]:
        await _result(w, item["id"], result="confirmed", methods=["insurance_record"])
    plan = await _plan(w)
    assert plan["tranches"][3]["holds"] is True and plan["employment"]["spot_check"]["passed"]
    assert (await _pay_last(w)).status == 201


async def test_a_refused_sample_item_blocks_payment_until_resolved(client: Client, at: Any) -> None:
    w = await _claimed_world(client, at)
    for record_id in w.records.values():
        await w.verify(record_id)
    items = (await _draw(w))["items"]
    for item in items[:4]:
        await _result(w, item["id"], result="confirmed", methods=["call_back"])
    no_reason = await _result(w, items[4]["id"], result="refused")
    assert no_reason.status == 400
    refused = await _result(w, items[4]["id"], result="refused", reason="单位称无此员工")
    assert refused.status == 200 and refused.json["result"] == "refused"
    plan = await _plan(w)
    # 4 of 5 still verified (80%), but the refusal stands unresolved: no payment
    assert plan["employment"]["verified"]["employed"] == 4
    assert plan["tranches"][3]["holds"] is False
    assert "1人核实未通过尚未处理" in plan["tranches"][3]["why"]
    assert (await _pay_last(w)).json["error"]["code"] == "TRANCHE_CONDITION_NOT_MET"
    resolved = await w.call(
        "POST",
        f"/spot-check-items/{items[4]['id']}/resolution",
        w.hr,
        json={"resolution": "该学员不计入就业，已约谈机构"},
    )
    assert resolved.status == 200 and resolved.json["resolved_by"] == w.hr.id
    assert (await _plan(w))["tranches"][3]["holds"] is True
    assert (await _pay_last(w)).status == 201


async def test_the_sample_is_drawn_once_and_reproducible_from_its_seed(
    client: Client, at: Any
) -> None:
    w = await _claimed_world(client, at, trainees=12)
    drawn = await _draw(w)
    assert drawn["population"] == sorted(w.trainee_ids) and drawn["sample_size"] == 5
    sampled = sorted(i["trainee_id"] for i in drawn["items"])
    assert sample_of(drawn["seed"], drawn["population"], drawn["sample_size"]) == sampled
    again = await w.call("POST", f"/classes/{w.klass.id}/spot-check", w.hr)
    assert (again.status, again.json["error"]["code"]) == (409, "SPOT_CHECK_ALREADY_DRAWN")
    read = await w.call("GET", f"/classes/{w.klass.id}/spot-check", w.hr)
    assert read.json["seed"] == drawn["seed"]


def test_the_sample_size_is_the_larger_of_the_minimum_and_the_share() -> None:
    assert sample_size(3, min_items=5, share=0.2) == 3  # all of them when fewer
    assert sample_size(12, min_items=5, share=0.2) == 5
    assert sample_size(30, min_items=5, share=0.2) == 6
    assert sample_size(26, min_items=5, share=0.2) == 6  # rounded up


async def test_no_spot_check_before_the_six_month_day(client: Client, at: Any) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)
    at("2027-05-01 10:00")
    early = await w.call("POST", f"/classes/{w.klass.id}/spot-check", w.hr)
    assert (early.status, early.json["error"]["code"]) == (422, "SPOT_CHECK_TOO_EARLY")


@pytest.mark.postgres_only
async def test_two_hr_drawing_at_once_get_one_sample(client: Client, at: Any) -> None:
    # drawn once per class (a unique row): a second, simultaneous draw is refused, not a 2nd sample
    w = await _claimed_world(client, at, trainees=8)
    path = f"/classes/{w.klass.id}/spot-check"
    first, second = await asyncio.gather(
        w.call("POST", path, w.hr), w.call("POST", path, w.second_hr)
    )
    assert sorted([first.status, second.status]) == [201, 409]
    assert await SpotCheck.filter(training_class_id=w.klass.id).count() == 1
    assert await SpotCheckItem.all().count() == 5
