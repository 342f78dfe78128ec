"""Haversine distance and the venue's fence."""

from __future__ import annotations

import math

import pytest

from backend.attendance.geo import EARTH_RADIUS_M, check_fence, haversine_m

VENUE = (26.0745, 119.2965)


def _fence(position: tuple[float, float], accuracy: float | None) -> tuple[float, bool, bool]:
    result = check_fence(
        venue=VENUE,
        radius_m=200,
        position=position,
        accuracy_m=accuracy,
        poor_accuracy_m=100,
        credit_cap_m=500,
    )
    return result.distance_m, result.inside, result.poor_accuracy


def test_one_degree_of_latitude_is_about_111_kilometres() -> None:
    assert haversine_m(26.0, 119.0, 27.0, 119.0) == pytest.approx(111_195, rel=1e-3)


def test_equator_to_pole_is_a_quarter_of_a_great_circle() -> None:
    assert haversine_m(0.0, 119.0, 90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_M / 2)


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_latitude_for_small_steps() -> None:
    east = haversine_m(26.0745, 119.2965, 26.0745, 119.2975)
    assert east == pytest.approx(111_195 * 0.001 * math.cos(math.radians(26.0745)), rel=1e-4)


def test_a_point_is_at_zero_distance_from_itself() -> None:
    assert haversine_m(*VENUE, *VENUE) == 0


def test_a_precise_fix_inside_the_radius_is_inside() -> None:
    assert _fence((26.0755, 119.2965), 10) == (111.2, True, False)


def test_a_precise_fix_outside_the_radius_is_outside() -> None:
    distance, inside, poor = _fence((26.0775, 119.2965), 10)
    assert (round(distance), inside, poor) == (334, False, False)


def test_the_accuracy_circle_touching_the_fence_is_let_in_and_a_poor_fix_is_flagged() -> None:
    distance, inside, poor = _fence((26.0775, 119.2965), 150)
    assert (round(distance), inside, poor) == (334, True, True)


def test_a_huge_claimed_accuracy_only_widens_the_fence_by_the_cap() -> None:
    _, inside, poor = _fence((26.0845, 119.2965), 50_000)  # 1.1 km away
    assert (inside, poor) == (False, True)


def test_a_fix_without_accuracy_is_flagged_as_poor() -> None:
    assert _fence(VENUE, None)[2] is True
