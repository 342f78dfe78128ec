"""Distance on the Earth and the venue's fence. Pure: no I/O.

The fence refuses a scan only when even the most favourable point of the reported accuracy
circle lies outside it. The accuracy credited is capped (a phone claiming ±50 km is not let in
from across the city), and a fix less precise than the policy's threshold is flagged for the
class teacher, not refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class FenceCheck:
    """Where a scan stands relative to the venue."""

    distance_m: float
    inside: bool
    poor_accuracy: bool


def check_fence(
    *,
    venue: tuple[float, float],
    radius_m: float,
    position: tuple[float, float],
    accuracy_m: float | None,
    poor_accuracy_m: float,
    credit_cap_m: float,
) -> FenceCheck:
    """Measure a reported position against a venue's fence."""
    distance = haversine_m(*venue, *position)
    accuracy = max(0.0, accuracy_m or 0.0)
    credit = min(accuracy, credit_cap_m)
    return FenceCheck(
        distance_m=round(distance, 1),
        inside=distance - credit <= radius_m,
        poor_accuracy=accuracy_m is None or accuracy > poor_accuracy_m,
    )
