"""The schedule feed (.ics) that phone calendars subscribe to: RFC 5545 text rules."""

from __future__ import annotations

from dataclasses import replace

from icalendar import Calendar

from backend.classes.schedule import ScheduleEntry, to_icalendar

ENTRY = ScheduleEntry(
    session_id=7,
    class_id=3,
    role="trainee",
    topic="面试技巧，简历写作；模拟面试",
    class_title="2026年第四期求职能力实训班（青年专场，含线上答疑与企业参观环节）",
    starts_at="2026-12-21T09:00:00+08:00",
    ends_at="2026-12-21T12:00:00+08:00",
    venue_address="某某区人力资源市场三楼",
    room="301",
    instructors=["张三", "李四"],
)


def test_long_chinese_lines_are_folded_and_read_back_whole() -> None:
    text = to_icalendar([ENTRY])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["summary"]) == ENTRY.topic + "（" + ENTRY.class_title + "）"
    assert event.decoded("dtstart").isoformat() == "2026-12-21T01:00:00+00:00"
    assert str(event["location"]) == "某某区人力资源市场三楼 301"


def test_commas_and_semicolons_in_text_are_escaped() -> None:
    entry = replace(ENTRY, topic="面试技巧,简历写作;模拟面试", class_title="第四期")
    text = to_icalendar([entry]).replace("\r\n ", "")  # unfolded
    assert "SUMMARY:面试技巧\\,简历写作\\;模拟面试（第四期）\r\n" in text
    assert "DESCRIPTION:授课讲师：张三、李四\r\n" in text
