"""结案 fixes the figures: a later change is an adjustment, never a silent recomputation."""

from __future__ import annotations

from typing import Any

from backend.subsidies.models import ClosingSnapshot
from tests.integrity.support import (
    SIX_MONTHS_DONE,
    follow_up_complete,
    integrity_world,
    verify_claims_and_spot_check,
)
from tests.support.client import Client


async def test_a_change_after_closing_becomes_an_adjustment_against_the_snapshot(
    client: Client, at: Any
) -> None:
    w = await integrity_world(client)
    await follow_up_complete(w)
    at(SIX_MONTHS_DONE)
    for trainee_id in w.trainee_ids:
        await w.claim(
            trainee_id,
            {
                "status": "employed",
                "employer": "福州鑫源商贸有限公司",
                "position": "销售代表",
                "insurance_record_no": "SB1",
                "insurance_month": "2027-01",
            },
        )
    await verify_claims_and_spot_check(w.klass.id, w.hr)
    path = f"/classes/{w.klass.id}"
    closed = await w.call("POST", f"{path}/close", w.hr, json={"reason": "后续服务完成，结案"})
    assert closed.status == 200, closed.text
    snapshot = await ClosingSnapshot.get(training_class_id=w.klass.id)
    assert snapshot.taken_by_id == w.hr.id and snapshot.reason == "后续服务完成，结案"
    frozen = (await w.call("GET", f"{path}/subsidy", w.hr)).json
    assert frozen["closing"]["frozen_by"] == w.hr.id and frozen["closing"]["adjustments"] == []
    assert frozen["tranches"][3]["holds"] is True

    # after 结案: HR refuses one verified claim, the instructor reports another trainee jobless
    first, second = w.trainee_ids[0], w.trainee_ids[1]
    refused = await w.verify(
        w.records[first], w.second_hr, decision="refused", reason="单位查无此人"
    )
    assert refused.status == 200
    lost = await w.call(
        "POST", f"/trainees/{second}/employment", w.instructor, json={"status": "unemployed"}
    )
    assert lost.status == 201

    plan = (await w.call("GET", f"{path}/subsidy", w.hr)).json
    # the money was fixed at 结案: 4/4 verified, the last tranche holds, amounts unchanged
    assert plan["employment"]["verified"] == {"employed": 4, "rate": 1.0}
    assert plan["tranches"] == frozen["tranches"]
    adjustments = plan["closing"]["adjustments"]
    assert [(a["trainee_id"], a["change"]) for a in adjustments] == [
        (first, "refused"),
        (second, "reported"),
    ]
    now = plan["closing"]["now"]
    assert now["employment"]["verified"]["employed"] == 2  # what it would be today
    assert now["last_tranche_would_hold"] is False
    paid = await w.call("POST", f"{path}/subsidy/payments", w.hr, json={"tranche": 4})
    assert paid.status == 201 and paid.json["amount"] == frozen["tranches"][3]["amount"]
