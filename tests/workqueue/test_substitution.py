"""第十九条 private substitution: a case opens by itself, HR decides it, the subsidy shows it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from backend.attendance.models import Checkin, InstructorSignIn, Purpose
from backend.classes.models import ClassStatus
from backend.substitution.models import CaseStatus, SubstitutionCase
from backend.substitution.service import open_substitution_cases
from tests.support.client import Client
from tests.support.factories import auth
from tests.workqueue.support import make_place, subjects

At = Callable[[str], Any]


async def _scan(place: Any, day: int, who: int = 0) -> None:
    session = place.sessions[day]
    await Checkin.create(
        session_id=session.id,
        trainee_id=place.trainees[who].id,
        purpose=Purpose.IN,
        scanned_at=session.starts_at,
    )


async def _sign_in(place: Any, day: int, instructor: Any) -> None:
    session = place.sessions[day]
    await InstructorSignIn.create(
        session_id=session.id,
        instructor_id=instructor.id,
        purpose=Purpose.IN,
        scanned_at=session.starts_at,
    )


async def test_trainees_checked_in_without_the_booked_instructor_open_one_case_for_hr(
    client: Client, at: At
) -> None:
    # 第十九条: 授课老师及培训机构不得私自找人代课
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    await _scan(place, 0)  # the lead was booked and never signed in
    await _scan(place, 1)
    await _sign_in(place, 1, place.other)  # the booked instructor came
    await _sign_in(place, 2, place.lead)  # no trainee scanned: nothing to check
    at("2026-12-21 11:00")
    assert await open_substitution_cases() == 0  # the session has not ended yet
    at("2026-12-23 13:00")
    assert await open_substitution_cases() == 1
    assert await open_substitution_cases() == 0  # once per session
    [case] = await SubstitutionCase.all()
    assert (case.session_id, case.missing_instructor_ids, case.trainees_checked_in) == (
        place.sessions[0].id,
        [place.lead.id],
        1,
    )
    assert await subjects(place.hr) == ["疑似私自代课待核实"]
    assert await subjects(place.other_hr) == []
    listed = (await client.get("/api/v1/substitution-cases", headers=auth(place.hr))).json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "open"
    foreign = (await client.get("/api/v1/substitution-cases", headers=auth(place.other_hr))).json
    assert foreign["total"] == 0


async def test_a_confirmed_case_costs_the_class_its_subsidy_and_tells_the_institution(
    client: Client, at: At
) -> None:
    # 第十九条: 一经发现，取消该班级补贴申请资格
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    await _scan(place, 0)
    at("2026-12-21 13:00")
    await open_substitution_cases()
    case = await SubstitutionCase.get()
    path = f"/api/v1/substitution-cases/{case.id}/decision"
    subsidy = f"/api/v1/classes/{place.klass.id}/subsidy"
    before = (await client.get(subsidy, headers=auth(place.hr))).json
    assert before["eligible"] is True and before["tranches"][0]["holds"] is True
    refused = await client.post(
        path, json={"decision": "confirm", "reason": ""}, headers=auth(place.hr)
    )
    assert refused.status == 400  # a reason is required
    denied = await client.post(
        path,
        json={"decision": "confirm", "reason": "经查另有他人代课"},
        headers=auth(place.other_hr),
    )
    assert denied.status == 404  # another district's HR
    decided = await client.post(
        path, json={"decision": "confirm", "reason": "经查另有他人代课"}, headers=auth(place.hr)
    )
    assert decided.status == 200 and decided.json["status"] == CaseStatus.CONFIRMED.value
    after = (await client.get(subsidy, headers=auth(place.admin))).json
    assert after["eligible"] is False and "第十九条" in after["ineligible_reason"]
    assert [t["holds"] for t in after["tranches"]] == [False] * 4
    paid = await client.post(
        f"{subsidy}/payments", json={"tranche": 1, "reference": "x"}, headers=auth(place.hr)
    )
    assert paid.status == 422 and paid.json["error"]["code"] == "TRANCHE_CONDITION_NOT_MET"
    assert await subjects(place.admin) == ["私自代课已认定"]
    again = await client.post(
        path, json={"decision": "dismiss", "reason": "重新核实"}, headers=auth(place.hr)
    )
    assert again.status == 409
    queue = (await client.get("/api/v1/me/work-queue", headers=auth(place.hr))).json
    assert "substitution_case" not in queue["counts"]


@pytest.mark.postgres_only
async def test_two_workers_detecting_at_once_open_one_case(client: Client, at: At) -> None:
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    await _scan(place, 0)
    at("2026-12-21 13:00")
    opened = await asyncio.gather(*(open_substitution_cases() for _ in range(4)))
    assert sum(opened) == 1
    assert await SubstitutionCase.all().count() == 1
    assert await subjects(place.hr) == ["疑似私自代课待核实"]
