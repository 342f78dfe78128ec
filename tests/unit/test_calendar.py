"""Working days and the 第十八条 deadlines: package, HR data, missing years."""

from __future__ import annotations

import asyncio
from datetime import date

import chinese_calendar
import pytest

from backend.accounts.models import Role
from backend.calendar.models import CalendarDay, CalendarYear
from backend.calendar.working_days import (
    REVIEW_WORKING_DAYS,
    SUBMIT_WORKING_DAYS,
    NamedDay,
    OutsideLoadedRange,
    WorkCalendar,
    load_calendar,
    load_year,
    plan_deadlines,
    resolve_calendar,
    review_deadline,
    submission_deadline,
    year_overview,
)
from backend.errors import ConfigurationMissing, InvalidInput
from tests.support.factories import make_staff

uses_db = pytest.mark.usefixtures("settings")  # the database, and the runtime factories need

MISSING_2027 = (
    "系统尚未录入2027年的法定节假日和调休安排，请人社部门在“工作日历”中录入该年度数据后再试"
)

# ILLUSTRATIVE 2027 data, invented for the tests (the State Council had not published 2027 when
# this was written): plausible dates following the usual pattern, not the official arrangement.
ILLUSTRATIVE_2027_HOLIDAYS: list[tuple[date, str]] = [
    (date(2027, 1, 1), "元旦"),
    (date(2027, 1, 2), "元旦"),
    (date(2027, 1, 3), "元旦"),
    *((date(2027, 2, d), "春节") for d in range(5, 14)),  # Fri 02-05 .. Sat 02-13
    (date(2027, 4, 3), "清明节"),
    (date(2027, 4, 4), "清明节"),
    (date(2027, 4, 5), "清明节"),
    *((date(2027, 5, d), "劳动节") for d in range(1, 6)),
    (date(2027, 6, 9), "端午节"),
    (date(2027, 9, 15), "中秋节"),
    *((date(2027, 10, d), "国庆节") for d in range(1, 8)),
]
ILLUSTRATIVE_2027_WORKDAYS: list[tuple[date, str]] = [
    (date(2027, 1, 31), "春节"),  # Sunday
    (date(2027, 2, 20), "春节"),  # Saturday
    (date(2027, 5, 8), "劳动节"),  # Saturday
    (date(2027, 9, 26), "国庆节"),  # Sunday
    (date(2027, 10, 9), "国庆节"),  # Saturday
]


async def load_illustrative_2027() -> None:
    hr = await make_staff(Role.HR_ADMIN)
    await load_year(
        year=2027,
        holidays=ILLUSTRATIVE_2027_HOLIDAYS,
        workdays=ILLUSTRATIVE_2027_WORKDAYS,
        entered_by_id=hr.id,
        note="示例数据",
    )


NEW_YEAR = [(date(2027, 1, 1), "元旦")]
# Every other statutory holiday of 2027 (《全国年节及纪念日放假办法》):
# a year's entry names them all.
REST_2027 = [(d, n) for d, n in ILLUSTRATIVE_2027_HOLIDAYS if n != "元旦"]


def full_year(*entries: tuple[date, str]) -> list[tuple[date, str]]:
    """These entries with the rest of 2027's statutory holidays (after them)."""
    return [*entries, *REST_2027] if entries else []


def package_calendar(start: date, end: date) -> WorkCalendar:
    return resolve_calendar(start, end, overrides={}, hr_years=[])


def test_regulation_numbers_are_ten_and_three_working_days() -> None:
    # 第十八条: 开班日前10个工作日申报；开班前3个工作日内完成审核。
    assert (SUBMIT_WORKING_DAYS, REVIEW_WORKING_DAYS) == (10, 3)


def test_2026_adjusted_working_days_count_as_working_days() -> None:
    calendar = package_calendar(date(2026, 9, 1), date(2026, 10, 31))
    assert date(2026, 9, 20).weekday() == 6  # Sunday, 调休上班 for 国庆节
    assert calendar.is_workday(date(2026, 9, 20))
    assert calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休上班
    assert not calendar.is_workday(date(2026, 10, 5))  # Monday inside 国庆节
    assert not calendar.is_workday(date(2026, 9, 19))  # an ordinary Saturday


def test_working_days_between_excludes_both_ends() -> None:
    calendar = package_calendar(date(2026, 12, 1), date(2026, 12, 31))
    # Mon 12-07 .. Fri 12-11: strictly between are Tue, Wed, Thu.
    assert calendar.working_days_between(date(2026, 12, 7), date(2026, 12, 11)) == 3
    assert calendar.working_days_between(date(2026, 12, 11), date(2026, 12, 14)) == 0
    assert calendar.working_days_between(date(2026, 12, 14), date(2026, 12, 7)) == 0


def test_working_days_before_and_add_working_days_skip_holidays() -> None:
    calendar = package_calendar(date(2026, 9, 1), date(2026, 10, 31))
    # Thu 09-30 → next working day is Thu 10-08 (10-01..10-07 国庆节).
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert calendar.add_working_days(date(2026, 10, 8), 0) == date(2026, 10, 8)
    assert calendar.working_days_before(date(2026, 10, 12), 1) == date(2026, 10, 10)


def test_calendar_refuses_dates_it_did_not_load() -> None:
    calendar = package_calendar(date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(OutsideLoadedRange):
        calendar.is_workday(date(2026, 11, 30))


def test_a_year_nobody_has_data_for_is_reported_never_guessed() -> None:
    calendar = package_calendar(date(2026, 12, 1), date(2027, 1, 31))
    assert calendar.is_workday(date(2026, 12, 31))
    with pytest.raises(ConfigurationMissing) as raised:
        calendar.is_workday(date(2027, 1, 4))
    assert raised.value.code == "CALENDAR_YEAR_MISSING"
    assert raised.value.message == MISSING_2027
    assert raised.value.details == {"year": 2027}


@uses_db
async def test_national_day_2026_deadlines_follow_the_package() -> None:
    # 第十八条: 开班日前10个工作日申报；开班前3个工作日内完成审核。
    # Start Mon 2026-10-12. chinesecalendar 1.11 says: 10-01..10-07 国庆节 off, 10-08 Thu and
    # 10-09 Fri ordinary working days, Sat 10-10 调休上班, 09-25..09-27 中秋节 off, Sun 09-20
    # 调休上班. Counting back from 10-11: 10-10 (1), 10-09 (2), 10-08 (3) = review deadline;
    # 09-30 (4), 09-29 (5), 09-28 (6), [09-25..27 off], 09-24 (7), 09-23 (8), 09-22 (9),
    # 09-21 (10) = submission deadline.
    start = date(2026, 10, 12)
    assert await review_deadline(start) == date(2026, 10, 8)
    assert await submission_deadline(start) == date(2026, 9, 21)
    assert chinese_calendar.get_workdays(date(2026, 9, 21), date(2026, 10, 11))[:1] == [
        date(2026, 9, 21)
    ]
    assert len(chinese_calendar.get_workdays(date(2026, 9, 21), date(2026, 10, 11))) == 10


@uses_db
async def test_december_2026_deadlines_count_back_over_weekends() -> None:
    # 第十八条: start Mon 2026-12-21; December 2026 has no holidays, only weekends.
    # Back from 12-20: 12-18 (1), 12-17 (2), 12-16 (3) = review; 12-15 (4), 12-14 (5),
    # 12-11 (6), 12-10 (7), 12-09 (8), 12-08 (9), 12-07 (10) = submission.
    start = date(2026, 12, 21)
    assert await review_deadline(start) == date(2026, 12, 16)
    assert await submission_deadline(start) == date(2026, 12, 7)
    calendar = await load_calendar(date(2026, 12, 1), start)
    assert calendar.working_days_between(date(2026, 12, 7), start) == SUBMIT_WORKING_DAYS - 1


@uses_db
async def test_deadlines_of_a_2027_start_need_2027_data() -> None:
    # 第十八条: start Tue 2027-01-05. Its deadlines fall in 2026, but counting back passes
    # 2027-01-04 and 2027-01-01, which only 2027 data can classify.
    with pytest.raises(ConfigurationMissing) as raised:
        await submission_deadline(date(2027, 1, 5))
    assert (raised.value.code, raised.value.message) == ("CALENDAR_YEAR_MISSING", MISSING_2027)
    with pytest.raises(ConfigurationMissing):
        await review_deadline(date(2027, 1, 5))


@uses_db
async def test_deadlines_cross_the_year_boundary_once_2027_is_entered() -> None:
    # 第十八条: after HR enters 2027 (illustrative 元旦 Fri 01-01 .. Sun 01-03), counting back
    # from Tue 2027-01-05: 01-04 (1), 2026-12-31 (2), 12-30 (3) = review; 12-29 (4), 12-28 (5),
    # 12-25 (6), 12-24 (7), 12-23 (8), 12-22 (9), 12-21 (10) = submission (2026 from the package).
    await load_illustrative_2027()
    assert await review_deadline(date(2027, 1, 5)) == date(2026, 12, 30)
    assert await submission_deadline(date(2027, 1, 5)) == date(2026, 12, 21)


@uses_db
async def test_hr_adjusted_working_day_of_2027_counts_for_a_plan_after_spring_festival() -> None:
    # 第十八条: start Mon 2027-02-22; illustrative 春节 02-05..02-13 off, Sat 02-20 调休上班.
    # Back: 02-20 (1), 02-19 (2), 02-18 (3) = review; 02-17 (4), 02-16 (5), 02-15 (6),
    # [02-05..02-14 off], 02-04 (7), 02-03 (8), 02-02 (9), 02-01 (10) = submission.
    await load_illustrative_2027()
    assert await review_deadline(date(2027, 2, 22)) == date(2027, 2, 18)
    assert await submission_deadline(date(2027, 2, 22)) == date(2027, 2, 1)


@uses_db
async def test_january_2027_deadlines_fall_on_working_days_after_loading() -> None:
    # 第十八条: whatever the data, each deadline is itself a working day, with n-1 working days
    # strictly between it and the start date.
    await load_illustrative_2027()
    calendar = await load_calendar(date(2026, 12, 1), date(2027, 1, 31))
    for start in (date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)):
        for deadline, n in (
            (await submission_deadline(start), SUBMIT_WORKING_DAYS),
            (await review_deadline(start), REVIEW_WORKING_DAYS),
        ):
            assert calendar.is_workday(deadline), (start, deadline)
            assert calendar.working_days_between(deadline, start) == n - 1


@uses_db
async def test_hr_year_uses_monday_to_friday_besides_the_entered_days() -> None:
    await load_illustrative_2027()
    calendar = await load_calendar(date(2027, 1, 1), date(2027, 12, 31))
    assert calendar.missing_years == frozenset()
    assert not calendar.is_workday(date(2027, 1, 1))  # 元旦 (Friday)
    assert calendar.is_workday(date(2027, 1, 31))  # Sunday, 调休上班
    assert calendar.is_workday(date(2027, 3, 3))  # an ordinary Wednesday
    assert not calendar.is_workday(date(2027, 3, 6))  # an ordinary Saturday


@uses_db
async def test_hr_day_row_overrides_the_package() -> None:
    await CalendarDay.create(day=date(2026, 9, 20), is_workday=False, name="更正")
    await CalendarDay.create(day=date(2026, 10, 7), is_workday=True, name="更正")
    calendar = await load_calendar(date(2026, 9, 1), date(2026, 10, 31))
    assert not calendar.is_workday(date(2026, 9, 20))
    assert calendar.is_workday(date(2026, 10, 7))
    assert not calendar.is_workday(date(2026, 10, 6))  # the package still answers the rest


@uses_db
async def test_hr_correcting_a_package_year_replaces_it_with_their_full_list() -> None:
    # HR takes the package's 2026 list, adds a day off (Fri 2026-12-18) and saves the year.
    overview = await year_overview(2026)
    holidays = [(h.date, h.name) for h in overview.holidays]
    workdays = [(w.date, w.name) for w in overview.adjusted_workdays]
    await load_year(
        year=2026,
        holidays=[*holidays, (date(2026, 12, 18), "示例更正")],
        workdays=workdays,
        entered_by_id=None,
    )
    # 第十八条: the start 2026-12-21's deadlines move one working day earlier.
    assert await review_deadline(date(2026, 12, 21)) == date(2026, 12, 15)
    assert await submission_deadline(date(2026, 12, 21)) == date(2026, 12, 4)
    # Everything else of 2026 is as the package says.
    calendar = await load_calendar(date(2026, 1, 1), date(2026, 12, 31))
    package = chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
    assert sorted(calendar.workdays) == [d for d in package if d != date(2026, 12, 18)]
    assert (await year_overview(2026)).source == "hr"


@uses_db
async def test_loading_a_year_again_replaces_its_days() -> None:
    await load_illustrative_2027()
    await load_year(year=2027, holidays=full_year(*NEW_YEAR), workdays=[], entered_by_id=None)
    assert await CalendarDay.all().count() == 1 + len(REST_2027)
    assert await CalendarYear.all().count() == 1
    overview = await year_overview(2027)
    assert overview.holidays[0] == NamedDay(date(2027, 1, 1), "元旦")
    assert overview.adjusted_workdays == []
    assert (overview.entered_by_id, overview.note) == (None, "")


@uses_db
async def test_loading_a_year_leaves_other_years_alone() -> None:
    await CalendarDay.create(day=date(2026, 12, 31), is_workday=False, name="其他年份")
    await load_illustrative_2027()
    assert await CalendarDay.filter(day=date(2026, 12, 31)).exists()


@pytest.mark.parametrize(
    ("holidays", "workdays", "code"),
    [
        ([(date(2026, 12, 31), "元旦")], [], "CALENDAR_DATE_OUTSIDE_YEAR"),
        (
            [(date(2027, 1, 1), "元旦")],
            [(date(2027, 1, 4), "元旦调休")],
            "CALENDAR_WORKDAY_NOT_WEEKEND",
        ),
        ([(date(2027, 1, 2), "元旦")], [(date(2027, 1, 2), "元旦调休")], "CALENDAR_DATE_BOTH"),
        ([(date(2027, 1, 1), "元旦"), (date(2027, 1, 1), "元旦")], [], "CALENDAR_DATE_REPEATED"),
        ([], [(date(2027, 1, 31), "调休")], "CALENDAR_NO_HOLIDAYS"),
        ([(date(2027, 1, 1), "元旦" + "节" * 49)], [], "CALENDAR_NAME_TOO_LONG"),
    ],
)
@uses_db
async def test_invalid_year_entries_are_refused_in_chinese(
    holidays: list[tuple[date, str]], workdays: list[tuple[date, str]], code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await load_year(
            year=2027, holidays=full_year(*holidays), workdays=workdays, entered_by_id=None
        )
    assert raised.value.code == "CALENDAR_DATA_INVALID"
    assert raised.value.message.startswith("工作日历数据有误：")
    assert [p["code"] for p in raised.value.details["problems"]] == [code]
    assert await CalendarYear.all().count() == 0


@uses_db
async def test_weekend_holidays_are_allowed() -> None:
    await load_year(
        year=2027, holidays=full_year((date(2027, 1, 2), "元旦")), workdays=[], entered_by_id=None
    )
    assert (await year_overview(2027)).source == "hr"


@uses_db
async def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(InvalidInput) as raised:
        await load_year(
            year=2027,
            holidays=full_year((date(2028, 1, 1), "元旦")),
            workdays=[(date(2027, 3, 3), "元旦调休")],
            entered_by_id=None,
        )
    problems = raised.value.details["problems"]
    assert [p["code"] for p in problems] == [
        "CALENDAR_DATE_OUTSIDE_YEAR",
        "CALENDAR_WORKDAY_NOT_WEEKEND",
    ]
    assert problems[1]["message"] == "2027-03-03是星期三，调休上班日只能是星期六或星期日"


@uses_db
async def test_overview_of_a_package_year_has_chinese_names_and_its_working_day_count() -> None:
    overview = await year_overview(2026)
    assert overview.source == "chinesecalendar"
    holidays = {h.date: h.name for h in overview.holidays}
    workdays = {w.date: w.name for w in overview.adjusted_workdays}
    assert holidays[date(2026, 10, 1)] == "国庆节"
    assert holidays[date(2026, 2, 17)] == "春节"
    assert holidays[date(2026, 1, 1)] == "元旦"
    assert holidays[date(2026, 4, 6)] == "清明节"
    assert holidays[date(2026, 6, 19)] == "端午节"
    assert holidays[date(2026, 9, 25)] == "中秋节"
    assert holidays[date(2026, 5, 1)] == "劳动节"
    assert workdays == {
        date(2026, 1, 4): "元旦",
        date(2026, 2, 14): "春节",
        date(2026, 2, 28): "春节",
        date(2026, 5, 9): "劳动节",
        date(2026, 9, 20): "国庆节",
        date(2026, 10, 10): "国庆节",
    }
    expected = len(chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31)))
    assert overview.working_days == expected


@uses_db
async def test_overview_of_a_missing_year_says_so() -> None:
    overview = await year_overview(2027)
    assert overview.source == "missing"
    assert overview.working_days is None
    assert overview.holidays == []


@uses_db
async def test_plan_deadlines_count_working_days_from_today() -> None:
    # 第十八条: seen from Sat 2026-11-28, a start on Mon 2026-12-21 is still open for submission.
    result = await plan_deadlines(start_date=date(2026, 12, 21), today=date(2026, 11, 28))
    assert result.submission_deadline == date(2026, 12, 7)
    assert result.review_deadline == date(2026, 12, 16)
    # 11-30, 12-01..04, 12-07..11, 12-14..18
    assert result.working_days_until_start == 15
    assert result.submission_in_time and result.review_in_time


@uses_db
async def test_plan_deadlines_after_the_submission_deadline_are_out_of_time() -> None:
    result = await plan_deadlines(start_date=date(2026, 12, 21), today=date(2026, 12, 8))
    assert not result.submission_in_time
    assert result.review_in_time
    assert result.working_days_until_start == 8


@uses_db
async def test_saving_a_year_again_updates_who_and_when() -> None:
    await load_illustrative_2027()
    first = await CalendarYear.get(year=2027)
    await load_year(
        year=2027, holidays=full_year(*NEW_YEAR), workdays=[], entered_by_id=None, note="改"
    )
    again = await CalendarYear.get(year=2027)
    assert again.id == first.id
    assert (again.note, again.entered_by_id) == ("改", None)
    assert again.updated_at > first.updated_at


@pytest.mark.postgres_only
@uses_db
async def test_two_hr_saves_of_one_year_at_once_take_turns() -> None:
    # The year row's upsert locks it, so the second save waits and then replaces the first.
    other = full_year((date(2027, 1, 1), "元旦"), (date(2027, 3, 3), "示例"))
    await asyncio.gather(
        load_year(year=2027, holidays=full_year(*NEW_YEAR), workdays=[], entered_by_id=None),
        load_year(year=2027, holidays=other, workdays=[], entered_by_id=None),
    )
    rest = {d for d, _ in REST_2027}
    days = sorted(d for d in await CalendarDay.all().values_list("day", flat=True) if d not in rest)
    assert days in ([date(2027, 1, 1)], [date(2027, 1, 1), date(2027, 3, 3)])
    assert await CalendarYear.all().count() == 1
