"""The working-day calendar over HTTP: reading a year, HR data entry, 第十八条 deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import chinese_calendar
import pytest

from backend import clock
from backend.accounts.models import Role
from backend.calendar.models import CalendarYear
from backend.calendar.working_days import REVIEW_WORKING_DAYS, SUBMIT_WORKING_DAYS, load_calendar
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_staff, make_user
from tests.unit.test_calendar import (
    ILLUSTRATIVE_2027_HOLIDAYS,
    ILLUSTRATIVE_2027_WORKDAYS,
    MISSING_2027,
)

# Illustrative 2027 data (see tests/unit/test_calendar.py): not the official arrangement.
BODY_2027 = {
    "holidays": [{"date": d.isoformat(), "name": n} for d, n in ILLUSTRATIVE_2027_HOLIDAYS],
    "adjusted_workdays": [
        {"date": d.isoformat(), "name": n} for d, n in ILLUSTRATIVE_2027_WORKDAYS
    ],
    "note": "示例数据（非官方安排）",
}


@pytest.fixture(autouse=True)
def saturday_28_november_2026() -> Iterator[None]:
    """Today is Sat 2026-11-28 in Asia/Shanghai (12:00 there)."""
    clock.set_clock(lambda: datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    yield
    clock.set_clock(None)


async def _hr_headers() -> dict[str, str]:
    return auth(await make_staff(Role.HR_ADMIN))


async def _put(client: Client, year: int, body: Any, headers: dict[str, str]) -> Any:
    response = await client.put(f"/api/v1/calendar/{year}", json=body, headers=headers)
    return response


async def _deadlines(client: Client, start: str) -> Any:
    headers = auth(await make_user())
    response = await client.get(f"/api/v1/calendar/deadlines?start_date={start}", headers=headers)
    return response


async def test_any_logged_in_user_reads_2026_from_the_package(client: Client) -> None:
    response = await client.get("/api/v1/calendar/2026", headers=auth(await make_user()))
    assert response.status == 200, response.text
    body = response.json
    assert body["source"] == "chinesecalendar"
    assert {"date": "2026-10-01", "name": "国庆节"} in body["holidays"]
    assert {"date": "2026-09-20", "name": "国庆节"} in body["adjusted_workdays"]  # a Sunday
    workdays = chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
    assert body["working_days"] == len(workdays)


async def test_reading_the_calendar_needs_a_login(client: Client) -> None:
    response = await client.get("/api/v1/calendar/2026")
    assert response.status == 401


async def test_a_year_without_data_is_shown_as_missing(client: Client) -> None:
    response = await client.get("/api/v1/calendar/2027", headers=auth(await make_user()))
    assert response.status == 200
    assert (response.json["source"], response.json["working_days"]) == ("missing", None)


async def test_deadlines_for_a_2027_start_without_2027_data_answer_422(client: Client) -> None:
    # 第十八条 deadlines cannot be computed without the year's holidays: say so, never guess.
    response = await _deadlines(client, "2027-01-18")
    assert response.status == 422, response.text
    assert response.json["error"] == {
        "code": "CALENDAR_YEAR_MISSING",
        "message": MISSING_2027,
        "details": {"year": 2027},
    }


async def test_hr_enters_2027_and_a_january_plan_gets_deadlines_on_working_days(
    client: Client,
) -> None:
    response = await _put(client, 2027, BODY_2027, await _hr_headers())
    assert response.status == 200, response.text
    assert response.json["source"] == "hr"
    assert response.json["note"] == "示例数据（非官方安排）"
    assert response.json["entered_by_id"] is not None
    assert {"date": "2027-01-31", "name": "春节"} in response.json["adjusted_workdays"]

    # 第十八条: start Mon 2027-01-18. Back from 01-17: 01-15 (1), 01-14 (2), 01-13 (3) = review;
    # 01-12 (4), 01-11 (5), 01-08 (6), 01-07 (7), 01-06 (8), 01-05 (9), 01-04 (10) = submission
    # (Fri 01-01 is 元旦 in the illustrative data).
    response = await _deadlines(client, "2027-01-18")
    assert response.status == 200, response.text
    body = response.json
    assert (body["submission_deadline"], body["review_deadline"]) == ("2027-01-04", "2027-01-13")
    # From Sat 2026-11-28: 11-30, 23 weekdays of December, 01-04..08 and 01-11..15.
    assert body["working_days_until_start"] == 1 + 23 + 10
    assert body["submission_in_time"] and body["review_in_time"]
    calendar = await load_calendar(date(2027, 1, 1), date(2027, 1, 31))
    start = date(2027, 1, 18)
    for key, n in (
        ("submission_deadline", SUBMIT_WORKING_DAYS),
        ("review_deadline", REVIEW_WORKING_DAYS),
    ):
        deadline = date.fromisoformat(body[key])
        assert calendar.is_workday(deadline)
        assert calendar.working_days_between(deadline, start) == n - 1


async def test_a_2027_start_crossing_into_2026_works_only_after_2027_is_entered(
    client: Client,
) -> None:
    # 第十八条: start Tue 2027-01-05; its deadlines lie in 2026 but counting passes 01-04 and 01-01.
    assert (await _deadlines(client, "2027-01-05")).status == 422
    assert (await _put(client, 2027, BODY_2027, await _hr_headers())).status == 200
    body = (await _deadlines(client, "2027-01-05")).json
    assert (body["submission_deadline"], body["review_deadline"]) == ("2026-12-21", "2026-12-30")


async def test_december_2026_deadlines_and_working_days_from_today(client: Client) -> None:
    # 第十八条: start Mon 2026-12-21, no holidays in December 2026. Back from 12-20:
    # 12-18 (1), 12-17 (2), 12-16 (3) = review; 12-15 .. 12-07 (4..10) = submission.
    response = await _deadlines(client, "2026-12-21")
    assert response.status == 200, response.text
    assert response.json == {
        "start_date": "2026-12-21",
        "today": "2026-11-28",
        "submission_deadline": "2026-12-07",
        "review_deadline": "2026-12-16",
        "working_days_until_start": 15,  # 11-30, 12-01..04, 12-07..11, 12-14..18
        "submission_in_time": True,
        "review_in_time": True,
    }


async def test_a_start_whose_submission_deadline_has_passed_says_so(client: Client) -> None:
    # 第十八条: start Fri 2026-12-04 → submission deadline 2026-11-20, before today (11-28).
    body = (await _deadlines(client, "2026-12-04")).json
    assert body["submission_deadline"] == "2026-11-20"
    assert body["submission_in_time"] is False
    assert body["review_deadline"] == "2026-12-01"
    assert body["review_in_time"] is True


async def test_hr_override_of_a_2026_date_wins_over_the_package(client: Client) -> None:
    headers = await _hr_headers()
    response = await client.get("/api/v1/calendar/2026", headers=headers)
    body = {
        "holidays": [*response.json["holidays"], {"date": "2026-12-18", "name": "示例更正"}],
        "adjusted_workdays": response.json["adjusted_workdays"],
        "note": "更正示例",
    }
    response = await _put(client, 2026, body, headers)
    assert response.status == 200, response.text
    assert response.json["source"] == "hr"
    workdays = chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
    assert response.json["working_days"] == len(workdays) - 1
    # 第十八条: Fri 12-18 is now a day off, so both deadlines of a 12-21 start move back a day.
    deadlines = (await _deadlines(client, "2026-12-21")).json
    assert (deadlines["submission_deadline"], deadlines["review_deadline"]) == (
        "2026-12-04",
        "2026-12-15",
    )


@pytest.mark.parametrize("role", [None, Role.INSTITUTION_ADMIN, Role.CLASS_TEACHER])
async def test_only_hr_may_enter_a_year(client: Client, role: Role | None) -> None:
    user = await make_user() if role is None else await _staff(role)
    response = await _put(client, 2027, BODY_2027, auth(user))
    assert response.status == 403, response.text
    assert await CalendarYear.all().count() == 0


async def _staff(role: Role) -> Any:
    return await make_staff(role, institution=await make_institution())


async def test_a_weekday_entered_as_adjusted_workday_is_refused_in_chinese(client: Client) -> None:
    body = {**BODY_2027, "adjusted_workdays": [{"date": "2027-02-19", "name": "春节"}]}
    response = await _put(client, 2027, body, await _hr_headers())
    assert response.status == 400, response.text
    error = response.json["error"]
    assert error["code"] == "CALENDAR_DATA_INVALID"
    assert "2027-02-19是星期五，调休上班日只能是星期六或星期日" in error["message"]
    assert error["details"]["problems"][0]["code"] == "CALENDAR_WORKDAY_NOT_WEEKEND"


async def test_dates_of_another_year_and_an_empty_holiday_list_are_refused(client: Client) -> None:
    headers = await _hr_headers()
    body = {"holidays": [{"date": "2028-01-01", "name": "元旦"}]}
    response = await _put(client, 2027, body, headers)
    assert response.status == 400
    assert response.json["error"]["details"]["problems"][0]["code"] == "CALENDAR_DATE_OUTSIDE_YEAR"
    response = await _put(client, 2027, {"holidays": []}, headers)
    assert response.status == 400
    assert response.json["error"]["message"] == "工作日历数据有误：请至少录入2027年的一个法定节假日"


async def test_a_malformed_date_is_refused_by_field(client: Client) -> None:
    body = {"holidays": [{"date": "2027-13-01", "name": "元旦"}]}
    response = await _put(client, 2027, body, await _hr_headers())
    assert response.status == 400
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
    assert response.json["error"]["details"]["fields"][0]["field"] == "holidays.0.date"


async def test_a_year_outside_the_supported_range_is_refused(client: Client) -> None:
    response = await client.get("/api/v1/calendar/1999", headers=auth(await make_user()))
    assert response.status == 400
    assert response.json["error"]["code"] == "CALENDAR_YEAR_OUT_OF_RANGE"


async def test_deadlines_need_a_valid_start_date(client: Client) -> None:
    response = await _deadlines(client, "next-monday")
    assert response.status == 400
    assert response.json["error"]["details"]["fields"][0]["field"] == "start_date"


async def test_openapi_documents_the_calendar(client: Client) -> None:
    response = await client.get("/api/v1/openapi.json")
    paths = response.json["paths"]
    deadlines = paths["/api/v1/calendar/deadlines"]["get"]
    assert [p["name"] for p in deadlines["parameters"]] == ["start_date"]
    put = paths["/api/v1/calendar/{year}"]["put"]
    assert put["requestBody"]["required"] is True
    assert "200" in put["responses"]
