"""Why a scan is refused: each reason has its own stable code and a Chinese message."""

from __future__ import annotations

from datetime import datetime

from backend import clock
from backend.attendance.qr import Purpose
from backend.errors import DomainError, Forbidden, InvalidInput, RuleViolation

_ACTION = {Purpose.IN: "签到", Purpose.OUT: "签退"}


def _hhmm(moment: datetime) -> str:
    return clock.local(moment).strftime("%H:%M")


def token_invalid() -> DomainError:
    """Forged, altered, malformed, or for a session that no longer exists."""
    return InvalidInput("签到码无效，请扫描教室屏幕上的签到码", code="CHECKIN_TOKEN_INVALID")


def token_expired() -> DomainError:
    """A genuine code whose time step is over."""
    return RuleViolation("签到码已过期，请重新扫码", code="CHECKIN_TOKEN_EXPIRED")


def wrong_session(expected: int, found: int) -> DomainError:
    """The code belongs to another session than the one the trainee is checking in to."""
    return RuleViolation(
        "该签到码不属于本节课，请扫描本节课的签到码",
        code="CHECKIN_WRONG_SESSION",
        details={"expected_session_id": expected, "code_session_id": found},
    )


def wrong_purpose(expected: Purpose, found: Purpose) -> DomainError:
    """A check-out code scanned to check in, or the other way round."""
    return RuleViolation(
        f"这是{_ACTION[found]}码，{_ACTION[expected]}请扫描{_ACTION[expected]}码",
        code="CHECKIN_WRONG_PURPOSE",
        details={"expected": expected.value, "code_purpose": found.value},
    )


def not_open(purpose: Purpose, opens_at: datetime) -> DomainError:
    """Too early for this code."""
    return RuleViolation(
        f"{_ACTION[purpose]}尚未开始，请于 {_hhmm(opens_at)} 后扫码",
        code="CHECKIN_NOT_OPEN",
        details={"purpose": purpose.value, "opens_at": clock.local(opens_at).isoformat()},
    )


def window_closed(purpose: Purpose, closed_at: datetime) -> DomainError:
    """Too late for this code."""
    return RuleViolation(
        f"本节课{_ACTION[purpose]}已于 {_hhmm(closed_at)} 结束",
        code="CHECKIN_WINDOW_CLOSED",
        details={"purpose": purpose.value, "closed_at": clock.local(closed_at).isoformat()},
    )


def not_enrolled() -> DomainError:
    """The trainee is not on the class's roster (or has withdrawn)."""
    return Forbidden("您不在本班学员名单中，不能签到", code="CHECKIN_NOT_ENROLLED")


def instructor_not_assigned() -> DomainError:
    """第十九条: only the instructor booked on the session signs in to it."""
    return Forbidden(
        "您不是本节课安排的授课讲师，不能签到（第十九条：不得私自找人代课）",
        code="CHECKIN_INSTRUCTOR_NOT_ASSIGNED",
    )


def class_not_active() -> DomainError:
    """The class is not approved or running."""
    return RuleViolation("该培训班不在培训期间，不能签到", code="CHECKIN_CLASS_NOT_ACTIVE")


def location_required() -> DomainError:
    """The class has a fence and the scan came without a position."""
    return RuleViolation(
        "本班签到需要位置信息，请允许小程序获取您的位置后重试", code="CHECKIN_LOCATION_REQUIRED"
    )


def outside_fence(distance_m: float, radius_m: float) -> DomainError:
    """The position is outside the venue's fence, even allowing for its accuracy."""
    return RuleViolation(
        f"您不在培训场地范围内（距场地约 {round(distance_m)} 米），请到场后再签到",
        code="CHECKIN_OUTSIDE_FENCE",
        details={"distance_m": round(distance_m), "radius_m": radius_m},
    )


def identity_not_bound() -> DomainError:
    """The WeChat user is neither a bound trainee nor a registered instructor."""
    return Forbidden(
        "请先绑定学员身份（姓名和身份证号）后再签到", code="CHECKIN_IDENTITY_NOT_BOUND"
    )
