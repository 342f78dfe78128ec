"""The supervision demo records load and read back through the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.accounts.models import Institution, InstitutionStatus
from backend.demo.supervision import seed_supervision_demo
from backend.registers.models import InstitutionNotice
from backend.supervision.models import SessionFeedback
from tests.supervision.support import World


async def test_demo_records_show_feedback_a_notice_an_inspection_and_a_disqualified_institution(
    world: World, at: Any
) -> None:
    at("2026-11-24 18:00")
    summary = await seed_supervision_demo(
        institution_id=world.inst.id,
        class_id=world.klass.id,
        hr_user_id=world.city_hr.id,
        today=date(2026, 11, 24),
    )
    # sessions start at 09:00 on the 23rd, 24th and 25th: two were held by noon on the 24th
    rated = await SessionFeedback.all().values_list("session_id", flat=True)
    assert set(rated) <= {world.sessions[0].id, world.sessions[1].id}
    assert summary["feedback"] == len(rated) > 0
    response = await world.call("GET", f"/classes/{world.klass.id}/feedback-summary", world.hr)
    assert response.json["ratings"] == summary["feedback"]
    response = await world.call("GET", f"/institutions/{world.inst.id}/notices", world.admin)
    assert response.json["count"] == 1 and response.json["notices_until_disqualification"] == 2
    response = await world.call("GET", f"/institutions/{world.inst.id}/inspections", world.admin)
    assert response.json["total"] == 1 and response.json["averages"]["overall"] == 87.6
    other = await Institution.get(id=summary["disqualified_institution_id"])
    assert other.status == InstitutionStatus.DISQUALIFIED
    # 第九条(一): disqualified by the rule, on the third notice
    disqualifying = InstitutionNotice.filter(institution_id=other.id).order_by("sequence")
    assert await disqualifying.values_list("disqualified", flat=True) == [False, False, True]
    path = f"/blacklist/check?kind=institution&subject_id={other.id}"
    assert (await world.call("GET", path, world.hr)).json["blacklisted"] is True
    instructor = world.instructors[0][0].id
    response = await world.call("GET", f"/instructors/{instructor}/actions", world.hr)
    assert [i["kind"] for i in response.json["items"]] == ["talk_reminder"]
