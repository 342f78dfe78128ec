"""Check-in windows and the effective attendance of a trainee in a session. Pure: no I/O.

Windows (times relative to the session, the defaults of `policy.py`):

- check-in opens 30 min before the start; a scan up to start + 10 min is on time, a later one
  until the session ends is late; after the end the check-in code is refused;
- check-out opens 30 min before the end and closes 60 min after it.

Effective status: the class teacher's mark wins; else the check-in scan (present or late,
pending until confirmed; a rejected scan counts as absent); else nothing was scanned: not yet
started, not checked in (while it runs), absent (once it is over). Attendance counts only
when present or late and confirmed (a teacher's mark is confirmed by nature).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from backend.attendance.models import Mark, Review
from backend.attendance.policy import AttendancePolicy


class Phase(StrEnum):
    """Where a moment falls in a session's check-in window."""

    NOT_OPEN = "not_open"
    ON_TIME = "on_time"
    LATE = "late"
    CLOSED = "closed"


class Status(StrEnum):
    """Effective attendance of a trainee in a session."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"
    NOT_CHECKED_IN = "not_checked_in"
    UPCOMING = "upcoming"


STATUS_LABELS = {
    Status.PRESENT: "出勤",
    Status.LATE: "迟到",
    Status.ABSENT: "缺勤",
    Status.EXCUSED: "请假",
    Status.NOT_CHECKED_IN: "未签到",
    Status.UPCOMING: "未开始",
}
REVIEW_LABELS = {
    "pending": "待确认",
    "confirmed": "已确认",
    "rejected": "已驳回",
    "manual": "班主任标记",
}
ATTENDED = (Status.PRESENT, Status.LATE)


def checkin_phase(
    now: datetime, *, starts_at: datetime, ends_at: datetime, p: AttendancePolicy
) -> Phase:
    """The check-in phase of a session at `now`."""
    if now < starts_at - p.checkin_opens_before:
        return Phase.NOT_OPEN
    if now <= starts_at + p.late_after:
        return Phase.ON_TIME
    if now <= ends_at:
        return Phase.LATE
    return Phase.CLOSED


def checkout_window(*, ends_at: datetime, p: AttendancePolicy) -> tuple[datetime, datetime]:
    """When check-out opens and closes."""
    return ends_at - p.checkout_opens_before_end, ends_at + p.checkout_closes_after_end


def minutes_late(now: datetime, starts_at: datetime) -> int:
    """Whole minutes late: completed minutes after the start, rounded down (0 if not after it).

    A scan 10 min 59 s after the start is 10 minutes late, not 11.
    """
    return max(0, (now - starts_at) // timedelta(minutes=1))


@dataclass(frozen=True)
class Scan:
    """What the cell of a session needs to know of a trainee's check-in scan."""

    checkin_id: int
    late: bool
    review: Review
    scanned_at: datetime


@dataclass(frozen=True)
class Cell:
    """A trainee in a session: status, the review behind it and whether it counts."""

    status: Status
    review: str  # pending, confirmed, rejected, manual, none
    counted: bool

    @property
    def label(self) -> str:
        """The status in Chinese, with 待确认 while a scan awaits the class teacher."""
        text = STATUS_LABELS[self.status]
        return f"{text}（待确认）" if self.review == Review.PENDING else text


def effective_cell(
    *, mark: Mark | None, scan: Scan | None, now: datetime, starts_at: datetime, ends_at: datetime
) -> Cell:
    """The effective attendance of one trainee in one session."""
    if mark is not None:
        status = Status(mark.value)
        return Cell(status, "manual", status in ATTENDED)
    if scan is not None:
        if scan.review is Review.REJECTED:
            return Cell(Status.ABSENT, Review.REJECTED.value, False)
        status = Status.LATE if scan.late else Status.PRESENT
        return Cell(status, scan.review.value, scan.review is Review.CONFIRMED)
    if now >= ends_at:
        return Cell(Status.ABSENT, "none", False)
    if now >= starts_at:
        return Cell(Status.NOT_CHECKED_IN, "none", False)
    return Cell(Status.UPCOMING, "none", False)


def rate(attended: int, total: int) -> float | None:
    """A share rounded to 4 places (None when there is nothing to divide by)."""
    return round(attended / total, 4) if total else None


@dataclass(frozen=True)
class Signal:
    """The parts of a scan that reveal a shared phone or network."""

    trainee_id: int
    scanned_at: datetime
    ip: str
    device_id: str


def shared_signal_flags(
    signals: list[Signal], *, device_window: timedelta, ip_window: timedelta
) -> dict[int, set[str]]:
    """Trainees who scanned from the same device or IP as another trainee within a window.

    Sorted by time within each device (or IP), two different trainees close in time are
    always next to two different trainees at most that far apart, so neighbours suffice.
    """
    flags: dict[int, set[str]] = defaultdict(set)
    for flag, window, key in (
        ("same_device", device_window, lambda s: s.device_id),
        ("same_ip", ip_window, lambda s: s.ip),
    ):
        groups: dict[str, list[Signal]] = defaultdict(list)
        for signal in signals:
            if key(signal):
                groups[key(signal)].append(signal)
        for items in groups.values():
            items.sort(key=lambda s: s.scanned_at)
            for a, b in itertools.pairwise(items):
                if a.trainee_id != b.trainee_id and b.scanned_at - a.scanned_at <= window:
                    flags[a.trainee_id].add(flag)
                    flags[b.trainee_id].add(flag)
    return flags
