"""Windows, lateness, the effective status of a trainee in a session, shared-device flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.attendance.models import Mark, Review
from backend.attendance.policy import AttendancePolicy
from backend.attendance.rules import (
    Phase,
    Scan,
    Signal,
    Status,
    checkin_phase,
    checkout_window,
    effective_cell,
    minutes_late,
    rate,
    shared_signal_flags,
)

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
END = START + timedelta(hours=3)
P = AttendancePolicy()


@pytest.mark.parametrize(
    ("offset_minutes", "phase"),
    [
        (-31, Phase.NOT_OPEN),
        (-30, Phase.ON_TIME),
        (0, Phase.ON_TIME),
        (10, Phase.ON_TIME),
        (11, Phase.LATE),
        (180, Phase.LATE),
        (181, Phase.CLOSED),
    ],
)
def test_the_check_in_window_opens_early_turns_late_and_closes_at_the_end(
    offset_minutes: int, phase: Phase
) -> None:
    now = START + timedelta(minutes=offset_minutes)
    assert checkin_phase(now, starts_at=START, ends_at=END, p=P) is phase


def test_check_out_opens_half_an_hour_before_the_end_and_closes_an_hour_after() -> None:
    assert checkout_window(ends_at=END, p=P) == (
        END - timedelta(minutes=30),
        END + timedelta(minutes=60),
    )


def test_lateness_is_counted_in_whole_minutes() -> None:
    assert minutes_late(START + timedelta(minutes=10, seconds=1), START) == 10
    assert minutes_late(START + timedelta(minutes=10, seconds=59), START) == 10
    assert minutes_late(START + timedelta(minutes=11), START) == 11
    assert minutes_late(START + timedelta(seconds=30), START) == 0
    assert minutes_late(START - timedelta(minutes=5), START) == 0


def _cell(
    mark: Mark | None = None, scan: Scan | None = None, now: datetime = END
) -> tuple[str, str, bool]:
    cell = effective_cell(mark=mark, scan=scan, now=now, starts_at=START, ends_at=END)
    return cell.status.value, cell.review, cell.counted


def _scan(review: Review, late: bool = False) -> Scan:
    return Scan(1, late, review, START)


def test_a_pending_scan_shows_present_but_does_not_count_until_confirmed() -> None:
    assert _cell(scan=_scan(Review.PENDING)) == ("present", "pending", False)
    assert _cell(scan=_scan(Review.CONFIRMED, late=True)) == ("late", "confirmed", True)


def test_a_rejected_scan_counts_as_absent() -> None:
    assert _cell(scan=_scan(Review.REJECTED)) == ("absent", "rejected", False)


def test_the_teachers_mark_wins_over_any_scan() -> None:
    assert _cell(Mark.EXCUSED, _scan(Review.CONFIRMED)) == ("excused", "manual", False)
    assert _cell(Mark.LATE, None) == ("late", "manual", True)


def test_without_a_scan_the_status_follows_the_clock() -> None:
    assert _cell(now=START - timedelta(hours=1))[0] == Status.UPCOMING
    assert _cell(now=START + timedelta(hours=1))[0] == Status.NOT_CHECKED_IN
    assert _cell(now=END)[0] == Status.ABSENT


def test_the_label_says_when_a_scan_awaits_confirmation() -> None:
    cell = effective_cell(
        mark=None, scan=_scan(Review.PENDING, late=True), now=END, starts_at=START, ends_at=END
    )
    assert cell.label == "迟到（待确认）"


def test_a_rate_is_none_when_nothing_was_held() -> None:
    assert (rate(0, 0), rate(2, 3)) == (None, 0.6667)


def _signal(trainee: int, seconds: int, ip: str = "", device: str = "") -> Signal:
    return Signal(trainee, START + timedelta(seconds=seconds), ip, device)


def test_trainees_sharing_a_device_within_the_window_are_all_flagged() -> None:
    signals = [
        _signal(1, 0, device="d"),
        _signal(1, 30, device="d"),  # the same trainee twice is not suspicious
        _signal(2, 500, device="d"),
        _signal(3, 2000, device="d"),  # long after: not flagged
    ]
    flags = shared_signal_flags(
        signals, device_window=P.same_device_window, ip_window=P.same_ip_window
    )
    assert dict(flags) == {1: {"same_device"}, 2: {"same_device"}}


def test_one_trainee_scanning_twice_from_one_device_is_not_flagged() -> None:
    signals = [_signal(1, 0, "1.2.3.4", "d"), _signal(1, 5, "1.2.3.4", "d")]
    assert (
        shared_signal_flags(signals, device_window=P.same_device_window, ip_window=P.same_ip_window)
        == {}
    )


def test_a_shared_address_is_flagged_only_within_seconds() -> None:
    signals = [
        _signal(1, 0, ip="10.0.0.1"),
        _signal(2, 20, ip="10.0.0.1"),
        _signal(3, 120, ip="10.0.0.1"),
    ]
    flags = shared_signal_flags(
        signals, device_window=P.same_device_window, ip_window=P.same_ip_window
    )
    assert dict(flags) == {1: {"same_ip"}, 2: {"same_ip"}}
