"""A year's calendar entry names every statutory holidays, shows its effect, keeps versions.

《全国年节及纪念日放假办法》 lists 元旦、春节、清明节、劳动节、端午节、中秋节、国庆节; loading only
元旦 once made 春节 a working week and moved every 第十八条 deadline.
"""

from __future__ import annotations

import copy

from backend.accounts.models import Role
from tests.api.test_calendar_api import BODY_2027
from tests.support.client import Client
from tests.support.factories import auth, make_staff


async def test_an_entry_missing_a_statutory_holiday_is_refused_naming_it(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    body = {"holidays": [{"date": "2027-01-01", "name": "元旦"}], "adjusted_workdays": []}
    response = await client.put("/api/v1/calendar/2027", json=body, headers=auth(hr))
    assert response.status == 400, response.text
    problems = response.json["error"]["details"]["problems"]
    missing = [p["message"] for p in problems if p["code"] == "CALENDAR_HOLIDAY_MISSING"]
    assert len(missing) == 6 and "春节（至少4天）" in missing[0]
    assert (await client.get("/api/v1/calendar/2027", headers=auth(hr))).json["source"] == "missing"


async def test_an_adjusted_working_day_names_its_holiday(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    body = copy.deepcopy(BODY_2027)
    body["adjusted_workdays"][0]["name"] = "调休"
    response = await client.put("/api/v1/calendar/2027", json=body, headers=auth(hr))
    assert response.status == 400, response.text
    assert response.json["error"]["details"]["problems"][0]["code"] == "CALENDAR_WORKDAY_UNNAMED"


async def test_a_replacement_shows_its_changes_and_keeps_the_earlier_version(
    client: Client,
) -> None:
    first_hr, second_hr = await make_staff(Role.HR_ADMIN), await make_staff(Role.HR_ADMIN)
    response = await client.put("/api/v1/calendar/2027", json=BODY_2027, headers=auth(first_hr))
    assert response.status == 200, response.text
    first = response.json
    assert first["changes"]["version"] == 1
    assert first["changes"]["working_days_before"] is None  # 2027 had no data
    assert first["changes"]["working_days_after"] == first["working_days"]
    assert len(first["changes"]["added"]) == len(BODY_2027["holidays"]) + len(
        BODY_2027["adjusted_workdays"]
    )
    body = copy.deepcopy(BODY_2027)
    body["holidays"].append({"date": "2027-12-31", "name": "元旦"})  # a Friday off
    body["adjusted_workdays"] = body["adjusted_workdays"][:-1]  # 2027-10-09 no longer worked
    body["note"] = "更正"
    response = await client.put("/api/v1/calendar/2027", json=body, headers=auth(second_hr))
    assert response.status == 200, response.text
    changes = response.json["changes"]
    assert changes["version"] == 2
    assert changes["working_days_before"] == first["working_days"]
    assert changes["working_days_after"] == first["working_days"] - 2
    assert [d["date"] for d in changes["added"]] == ["2027-12-31"]
    assert [d["date"] for d in changes["removed"]] == ["2027-10-09"]
    versions = (await client.get("/api/v1/calendar/2027", headers=auth(first_hr))).json["versions"]
    assert [(v["version"], v["entered_by_id"], v["note"]) for v in versions] == [
        (2, second_hr.id, "更正"),
        (1, first_hr.id, BODY_2027["note"]),
    ]
    assert versions[1]["working_days"] == first["working_days"]
