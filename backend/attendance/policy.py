"""The attendance policy: code rotation, windows, fence tolerance, flag windows.

Defaults are the module constants below; the code step and grace and the check-in window come
from Settings (the names in `SETTINGS`, whose defaults equal these). A test replaces the whole
policy through the runtime: `use_runtime(derived={policy_from_settings: AttendancePolicy(...)})`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from backend.config import Settings
from backend.runtime import runtime

QR_STEP_SECONDS = 15  # a new code every 15 s (docs/attendance.md)
QR_GRACE_STEPS = 1  # the previous code is still accepted
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
LATE_AFTER = timedelta(minutes=10)  # a scan after start + 10 min counts as late
CHECKOUT_OPENS_BEFORE_END = timedelta(minutes=30)
CHECKOUT_CLOSES_AFTER_END = timedelta(minutes=60)
POOR_ACCURACY_M = 100.0  # a location fix less precise than this is flagged
ACCURACY_CREDIT_CAP_M = 500.0  # at most this much of the reported accuracy widens the fence
SAME_DEVICE_WINDOW = timedelta(minutes=10)
SAME_IP_WINDOW = timedelta(seconds=30)  # short: a classroom's Wi-Fi puts everyone behind one IP
DISPLAY_LINK_TTL = timedelta(hours=4)
# A projector link works a while around the check-in windows, never for codes outside them:
# from an hour before check-in opens (the page says when it will open, then shows the code by
# itself) to half an hour after check-out closes (the page says it is over).
DISPLAY_LEAD = timedelta(minutes=60)
DISPLAY_AFTER_CLOSE = timedelta(minutes=30)


@dataclass(frozen=True)
class AttendancePolicy:
    """Every tunable of attendance in one value."""

    qr_step_seconds: int = QR_STEP_SECONDS
    qr_grace_steps: int = QR_GRACE_STEPS
    checkin_opens_before: timedelta = CHECKIN_OPENS_BEFORE
    late_after: timedelta = LATE_AFTER
    checkout_opens_before_end: timedelta = CHECKOUT_OPENS_BEFORE_END
    checkout_closes_after_end: timedelta = CHECKOUT_CLOSES_AFTER_END
    poor_accuracy_m: float = POOR_ACCURACY_M
    accuracy_credit_cap_m: float = ACCURACY_CREDIT_CAP_M
    same_device_window: timedelta = SAME_DEVICE_WINDOW
    same_ip_window: timedelta = SAME_IP_WINDOW
    display_link_ttl: timedelta = DISPLAY_LINK_TTL

    def __post_init__(self) -> None:
        if self.qr_step_seconds < 1 or self.qr_grace_steps < 0:
            raise ValueError("qr_step_seconds must be ≥ 1 and qr_grace_steps ≥ 0")


# Settings that override the defaults (ATTENDANCE_QR_STEP_SECONDS, …): the Settings field, the
# policy field and how to convert the setting's value.
SETTINGS: tuple[tuple[str, str, Callable[[Any], Any]], ...] = (
    ("attendance_qr_step_seconds", "qr_step_seconds", int),
    ("attendance_qr_grace_steps", "qr_grace_steps", int),
    ("attendance_opens_before_minutes", "checkin_opens_before", lambda m: timedelta(minutes=m)),
    ("attendance_late_after_minutes", "late_after", lambda m: timedelta(minutes=m)),
)


def policy_from_settings(settings: Settings) -> AttendancePolicy:
    """The policy a Settings object names (its defaults give the module's defaults)."""
    return AttendancePolicy(
        **{name: convert(getattr(settings, key)) for key, name, convert in SETTINGS}
    )


def policy() -> AttendancePolicy:
    """The policy in force: the runtime's, computed once per runtime (read per scan)."""
    return runtime().derived(policy_from_settings)
