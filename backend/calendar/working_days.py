"""Working days for the 第十八条 deadlines: HR-entered holiday data first, then `chinesecalendar`.

For each date the first source that knows wins:
1. a `CalendarDay` row HR entered (a holiday, or a weekend working day): it overrides everything;
2. a year with a `CalendarYear` row: HR entered every holiday and adjusted working day (调休)
   of that year, so any other day is a working day iff it is Monday–Friday;
3. the `chinesecalendar` package, for the years it covers (2004–2026 in version 1.11);
4. otherwise the year has no data: `ConfigurationMissing` (CALENDAR_YEAR_MISSING), never a guess.

`load_calendar` reads a range's data once (two queries); `WorkCalendar` then answers without
touching the database.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import chinese_calendar
from chinese_calendar.constants import Holiday
from tortoise.transactions import in_transaction

from backend.calendar.models import CalendarDay, CalendarYear, CalendarYearVersion
from backend.errors import ConfigurationMissing, InvalidInput

# 第十八条: 培训机构应在开班日前10个工作日向人社部门申报培训方案
SUBMIT_WORKING_DAYS = 10
# 第十八条: 人社部门应在计划开班前3个工作日内完成审核
REVIEW_WORKING_DAYS = 3

FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = 50  # CalendarDay.name
ONE_DAY = timedelta(days=1)
WEEKDAYS = "一二三四五六日"

# The package names its holidays in English; people read them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}

# 《全国年节及纪念日放假办法》(2024 revision, in force 2025): the statutory holidays every year's
# entry must name, with the least number of days off each gives (a break with bridged weekend
# days is longer). A name in an entry counts when it contains the holiday's name
# ("中秋节、国庆节" names both).
STATUTORY_HOLIDAYS: dict[str, int] = {
    "元旦": 1,
    "春节": 4,
    "清明节": 1,
    "劳动节": 2,
    "端午节": 1,
    "中秋节": 1,
    "国庆节": 3,
}

T = TypeVar("T")
DayEntry = tuple[date, str]


class OutsideLoadedRange(LookupError):
    """A WorkCalendar was asked about a date it did not load (the caller loaded too little)."""


def missing_year(year: int) -> ConfigurationMissing:
    """The error for a year neither HR nor the package has data for."""
    return ConfigurationMissing(
        f"系统尚未录入{year}年的法定节假日和调休安排，请人社部门在“工作日历”中录入该年度数据后再试",
        code="CALENDAR_YEAR_MISSING",
        details={"year": year},
    )


@functools.cache
def package_covers(year: int) -> bool:
    """True if the installed `chinesecalendar` has this year's holidays."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def days(first: date, last: date) -> Iterator[date]:
    """Every date from first to last, both included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days of [start, end] are working days; pure, built once from the loaded data."""

    start: date
    end: date
    workdays: frozenset[date]
    missing_years: frozenset[int]

    def is_workday(self, d: date) -> bool:
        """True if d is a working day; CALENDAR_YEAR_MISSING if its year has no data."""
        if not self.start <= d <= self.end:
            raise OutsideLoadedRange(f"{d} is outside the loaded {self.start}..{self.end}")
        if d.year in self.missing_years:
            raise missing_year(d.year)
        return d in self.workdays

    def working_days_before(self, d: date, n: int) -> date:
        """The date that is the n-th working day strictly before d (n ≥ 1)."""
        return self._walk(d, n, -ONE_DAY)

    def working_days_after(self, d: date, n: int) -> date:
        """The date that is the n-th working day strictly after d (n ≥ 1)."""
        return self._walk(d, n, ONE_DAY)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before it if n < 0); d itself for n = 0."""
        if n == 0:
            return d
        return self.working_days_after(d, n) if n > 0 else self.working_days_before(d, -n)

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie strictly after a and strictly before b (0 if none)."""
        return sum(self.is_workday(d) for d in days(a + ONE_DAY, b - ONE_DAY))

    def _walk(self, d: date, n: int, step: timedelta) -> date:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        found = 0
        while found < n:
            d += step
            found += self.is_workday(d)
        return d


def _is_workday(d: date, overrides: Mapping[date, bool], hr_years: set[int]) -> bool:
    if d in overrides:
        return overrides[d]
    if d.year in hr_years:
        return d.weekday() < 5
    return bool(chinese_calendar.is_workday(d))


def resolve_calendar(
    start: date, end: date, *, overrides: Mapping[date, bool], hr_years: Iterable[int]
) -> WorkCalendar:
    """Build a WorkCalendar from HR's day rows and HR-entered years (no database access)."""
    if end < start:
        raise ValueError(f"empty range {start}..{end}")
    hr = set(hr_years)
    years = range(start.year, end.year + 1)
    missing = frozenset(y for y in years if y not in hr and not package_covers(y))
    workdays = frozenset(
        d for d in days(start, end) if d.year not in missing and _is_workday(d, overrides, hr)
    )
    return WorkCalendar(start, end, workdays, missing)


async def load_calendar(start: date, end: date) -> WorkCalendar:
    """The working days of [start, end], read from the database in two queries."""
    rows = await CalendarDay.filter(day__gte=start, day__lte=end).values_list("day", "is_workday")
    years = list(range(start.year, end.year + 1))
    entered = await CalendarYear.filter(year__in=years).values_list("year")
    overrides = {day: bool(is_workday) for day, is_workday in rows}
    hr_years = {int(year) for (year,) in entered}
    return resolve_calendar(start, end, overrides=overrides, hr_years=hr_years)


async def _answer_before(day: date, ask: Callable[[WorkCalendar], T], *, since: date) -> T:
    """Answer from a calendar of the days before `day` (and from `since`), widening as needed."""
    span = 64  # covers 10 working days around the longest holiday (春节, 9 days) with room
    for _ in range(3):
        calendar = await load_calendar(min(day - timedelta(days=span), since), day - ONE_DAY)
        try:
            return ask(calendar)
        except OutsideLoadedRange:
            span *= 8
    raise ConfigurationMissing(
        "工作日历中找不到足够的工作日，请人社部门检查“工作日历”中的数据",
        code="CALENDAR_NO_WORKING_DAYS",
        details={"date": day.isoformat()},
    )


async def submission_deadline(start_date: date) -> date:
    """The last day to submit a plan: the 10th working day before the start date (第十八条)."""
    # A plan submitted on or before this date is in time; the start date itself never counts.
    return await _answer_before(
        start_date,
        lambda c: c.working_days_before(start_date, SUBMIT_WORKING_DAYS),
        since=start_date,
    )


async def review_deadline(start_date: date) -> date:
    """The last day HR may decide on a plan: the 3rd working day before the start (第十八条)."""
    # HR must approve or reject on or before this date.
    return await _answer_before(
        start_date,
        lambda c: c.working_days_before(start_date, REVIEW_WORKING_DAYS),
        since=start_date,
    )


@dataclass(frozen=True)
class PlanDeadlines:
    """A start date's 第十八条 deadlines, seen from today."""

    start_date: date
    today: date
    submission_deadline: date
    review_deadline: date
    working_days_until_start: int  # strictly after today, strictly before the start date
    submission_in_time: bool  # a plan submitted today would be in time
    review_in_time: bool  # HR deciding today would be in time


async def plan_deadlines(*, start_date: date, today: date) -> PlanDeadlines:
    """Both deadlines of a start date and how many working days remain from today."""

    def ask(c: WorkCalendar) -> PlanDeadlines:
        submit = c.working_days_before(start_date, SUBMIT_WORKING_DAYS)
        review = c.working_days_before(start_date, REVIEW_WORKING_DAYS)
        return PlanDeadlines(
            start_date=start_date,
            today=today,
            submission_deadline=submit,
            review_deadline=review,
            working_days_until_start=c.working_days_between(today, start_date),
            submission_in_time=today <= submit,
            review_in_time=today <= review,
        )

    return await _answer_before(start_date, ask, since=min(today + ONE_DAY, start_date))


def check_year(year: int) -> None:
    """Refuse a year outside the range the calendar handles."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            f"年份应在{FIRST_YEAR}至{LAST_YEAR}之间",
            code="CALENDAR_YEAR_OUT_OF_RANGE",
            details={"year": year},
        )


def _entry_problems(year: int, holidays: list[DayEntry], workdays: list[DayEntry]) -> list[dict]:
    """Every problem of HR's entries for a year, each with a code, the date and a message."""
    problems: list[dict] = []

    def add(code: str, d: date | None, message: str) -> None:
        problems.append({"code": code, "date": d.isoformat() if d else None, "message": message})

    if not holidays:
        add("CALENDAR_NO_HOLIDAYS", None, f"请至少录入{year}年的一个法定节假日")
    for d, name in [*holidays, *workdays]:
        if d.year != year:
            add("CALENDAR_DATE_OUTSIDE_YEAR", d, f"{d.isoformat()}不在{year}年内")
        if len(name) > NAME_MAX:
            add("CALENDAR_NAME_TOO_LONG", d, f"{d.isoformat()}的名称不能超过{NAME_MAX}个字")
    for entries in (holidays, workdays):
        for d, count in Counter(d for d, _ in entries).items():
            if count > 1:
                add("CALENDAR_DATE_REPEATED", d, f"{d.isoformat()}重复录入了{count}次")
    holiday_days = {d for d, _ in holidays}
    for d in sorted({d for d, _ in workdays}):
        if d in holiday_days:
            add("CALENDAR_DATE_BOTH", d, f"{d.isoformat()}不能既是节假日又是调休上班日")
        if d.weekday() < 5:
            weekday = WEEKDAYS[d.weekday()]
            message = f"{d.isoformat()}是星期{weekday}，调休上班日只能是星期六或星期日"
            add("CALENDAR_WORKDAY_NOT_WEEKEND", d, message)
    if holidays:
        for holiday, least in STATUTORY_HOLIDAYS.items():
            given = sum(holiday in name for _, name in holidays)
            if given < least:
                add(
                    "CALENDAR_HOLIDAY_MISSING",
                    None,
                    f"{year}年须录入《全国年节及纪念日放假办法》规定的{holiday}（至少{least}天），"
                    f"当前为{given}天",
                )
        for d, name in workdays:
            if not any(holiday in name for holiday in STATUTORY_HOLIDAYS):
                add(
                    "CALENDAR_WORKDAY_UNNAMED",
                    d,
                    f"调休上班日{d.isoformat()}须注明对应的法定节日（如“春节调休”）",
                )
    return problems


def validate_year_entries(year: int, holidays: list[DayEntry], workdays: list[DayEntry]) -> None:
    """Raise InvalidInput listing every problem of HR's holiday and workday entries."""
    check_year(year)
    problems = _entry_problems(year, holidays, workdays)
    if problems:
        summary = "；".join(p["message"] for p in problems[:3])
        more = f"等{len(problems)}处问题" if len(problems) > 3 else ""
        raise InvalidInput(
            f"工作日历数据有误：{summary}{more}",
            code="CALENDAR_DATA_INVALID",
            details={"year": year, "problems": problems},
        )


@dataclass(frozen=True, slots=True)
class NamedDay:
    """A day that differs from the Monday–Friday rule, with its name."""

    date: date
    name: str


@dataclass(frozen=True, slots=True)
class DayKind:
    """A day as it was or is: its name and whether it is a working day."""

    name: str
    is_workday: bool


@dataclass(frozen=True, slots=True)
class DayDiff:
    """A day a replacement added or removed."""

    date: date
    name: str
    is_workday: bool


@dataclass(frozen=True, slots=True)
class DayChanged:
    """A day whose name or kind a replacement changed."""

    date: date
    before: DayKind
    after: DayKind


@dataclass(frozen=True, slots=True)
class YearChanges:
    """What a replacement changed against the year as the system used it before."""

    working_days_before: int | None
    working_days_after: int | None
    added: list[DayDiff]
    removed: list[DayDiff]
    changed: list[DayChanged]
    version: int


@dataclass(frozen=True, slots=True)
class YearOverview:
    """A year as the system uses it: where its data comes from, its special days, its count."""

    year: int
    source: str  # hr, chinesecalendar, missing
    note: str
    entered_by_id: int | None
    updated_at: datetime | None
    holidays: list[NamedDay]
    adjusted_workdays: list[NamedDay]
    working_days: int | None  # None when the year's data is missing


@dataclass(frozen=True, slots=True)
class YearVersion:
    """One complete entry HR saved for a year: who, when, the working-day count."""

    version: int
    entered_by_id: int | None
    entered_at: datetime
    note: str
    working_days: int | None
    holidays: list[NamedDay]
    adjusted_workdays: list[NamedDay]


def _special_map(overview: YearOverview) -> dict[date, tuple[bool, str]]:
    special = {d.date: (False, d.name) for d in overview.holidays}
    special.update({d.date: (True, d.name) for d in overview.adjusted_workdays})
    return special


def year_changes(before: YearOverview, after: YearOverview, version: int) -> YearChanges:
    """The days added, removed and changed between two overviews of a year (pure)."""
    old, new = _special_map(before), _special_map(after)

    def day(d: date, entry: tuple[bool, str]) -> DayDiff:
        return DayDiff(date=d, name=entry[1], is_workday=entry[0])

    return YearChanges(
        working_days_before=before.working_days,
        working_days_after=after.working_days,
        added=[day(d, new[d]) for d in sorted(new.keys() - old.keys())],
        removed=[day(d, old[d]) for d in sorted(old.keys() - new.keys())],
        changed=[
            DayChanged(
                date=d,
                before=DayKind(name=old[d][1], is_workday=old[d][0]),
                after=DayKind(name=new[d][1], is_workday=new[d][0]),
            )
            for d in sorted(old.keys() & new.keys())
            if old[d] != new[d]
        ],
        version=version,
    )


async def load_year(
    *,
    year: int,
    holidays: list[DayEntry],
    workdays: list[DayEntry],
    entered_by_id: int | None,
    note: str = "",
) -> YearChanges:
    """Replace a year's holidays and adjusted working days with HR's complete list.

    Every statutory holiday must be named (《全国年节及纪念日放假办法》); the entry is kept as a
    new version (who, when), earlier versions stay; the answer says what changed.
    """
    # Also for a year the package covers: the year then follows HR's list, not the package.
    validate_year_entries(year, holidays, workdays)
    rows = [CalendarDay(day=d, is_workday=False, name=n) for d, n in holidays]
    rows += [CalendarDay(day=d, is_workday=True, name=n) for d, n in workdays]
    async with in_transaction():
        # The year row first: its upsert locks the row, so two HR saves of a year take turns.
        before = await year_overview(year)
        await CalendarYear.bulk_create(
            [CalendarYear(year=year, note=note[:200], entered_by_id=entered_by_id)],
            on_conflict=["year"],
            update_fields=["note", "entered_by_id", "updated_at"],
        )
        await CalendarDay.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)).delete()
        await CalendarDay.bulk_create(rows)
        after = await year_overview(year)
        version = await CalendarYearVersion.filter(year=year).count() + 1
        await CalendarYearVersion.create(
            year=year,
            version=version,
            holidays=[[d.isoformat(), n] for d, n in holidays],
            workdays=[[d.isoformat(), n] for d, n in workdays],
            working_days=after.working_days,
            note=note[:200],
            entered_by_id=entered_by_id,
        )
    return year_changes(before, after, version)


async def year_versions(year: int) -> list[YearVersion]:
    """Every entry HR saved for a year, newest first: who, when, the working-day count."""
    rows = await CalendarYearVersion.filter(year=year).order_by("-version")
    return [
        YearVersion(
            version=r.version,
            entered_by_id=r.entered_by_id,
            entered_at=r.created_at,
            note=r.note,
            working_days=r.working_days,
            holidays=[NamedDay(date.fromisoformat(d), n) for d, n in r.holidays],
            adjusted_workdays=[NamedDay(date.fromisoformat(d), n) for d, n in r.workdays],
        )
        for r in rows
    ]


def package_special_days(year: int) -> dict[date, tuple[bool, str]]:
    """The package's named days of a year: date → (is working day, Chinese name)."""
    special: dict[date, tuple[bool, str]] = {}
    for d in days(date(year, 1, 1), date(year, 12, 31)):
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        if name:
            special[d] = (not on_holiday, chinese_name(name))
    return special


def chinese_name(name: str) -> str:
    """A package holiday name in Chinese (unchanged if it is not one of the package's)."""
    if name in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[name]
    try:
        return str(Holiday(name).chinese)
    except ValueError:
        return name


def _day_list(special: dict[date, tuple[bool, str]], workday: bool) -> list[NamedDay]:
    return [NamedDay(d, n) for d, (w, n) in sorted(special.items()) if w is workday]


async def year_overview(year: int) -> YearOverview:
    """A year's source, holidays, adjusted working days and number of working days."""
    check_year(year)
    entered = await CalendarYear.get_or_none(year=year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = await CalendarDay.filter(day__gte=first, day__lte=last).order_by("day")
    source = "hr" if entered else "chinesecalendar" if package_covers(year) else "missing"
    special = package_special_days(year) if source == "chinesecalendar" else {}
    special.update({r.day: (r.is_workday, r.name) for r in rows})
    hr_years = [year] if entered else []
    overrides = {d: w for d, (w, _) in special.items()}
    calendar = resolve_calendar(first, last, overrides=overrides, hr_years=hr_years)
    return YearOverview(
        year=year,
        source=source,
        note=entered.note if entered else "",
        entered_by_id=entered.entered_by_id if entered else None,
        updated_at=entered.updated_at if entered else None,
        holidays=_day_list(special, workday=False),
        adjusted_workdays=_day_list(special, workday=True),
        working_days=None if calendar.missing_years else len(calendar.workdays),
    )
