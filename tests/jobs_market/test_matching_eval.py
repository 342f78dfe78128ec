"""Precision@10 of matching on the labelled evaluation set (tests/jobs_market/data/match_eval.json).

The figure is printed and reported in docs/matching.md; the test fails if it drops below the
floor, so a change to the model that hurts relevance is noticed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from backend.employment.matching import top_matches
from backend.employment.models import JobProfile
from backend.employment.service import match_profile
from backend.occupations import Education
from miniprogram_api.standins.recruitment_data import external_id
from tests.jobs_market.market import EPOCH, market_index

EVAL_SET = Path(__file__).parent / "data" / "match_eval.json"
PRECISION_FLOOR = 0.85


def load_eval_set() -> dict[str, Any]:
    return json.loads(EVAL_SET.read_text(encoding="utf-8"))


def profile_of(data: dict[str, Any]) -> JobProfile:
    education = data.get("education")
    return JobProfile(
        desired_occupations=data["desired_occupations"],
        districts=data["districts"],
        salary_floor=data["salary_floor"],
        education=Education(education) if education else None,
        major=data["major"],
        skills=data["skills"],
        intention=data["intention"],
    )


def precision_at_10(*, baseline: bool = False) -> tuple[float, dict[str, float]]:
    """Mean precision@10 over the profiles, and each profile's.

    `baseline`: the hard filters alone, then pay and recency (no occupation, no words), to show
    what the occupation and text parts of the score add.
    """
    data = load_eval_set()
    pool = data["pool"]
    assert pool["epoch"] == EPOCH.isoformat()
    index = market_index(pool["size"], pool["seed"])
    per_profile: dict[str, float] = {}
    for case in data["profiles"]:
        relevant = set(case["relevant"])
        query = match_profile(profile_of(case["profile"]))
        if baseline:
            query = replace(query, occupations=(), terms=())
        found = top_matches(index, query, now=EPOCH.timestamp(), k=10)
        hits = sum(1 for m in found if external_id(m.posting_id - 1) in relevant)
        per_profile[case["name"]] = hits / 10
    return sum(per_profile.values()) / len(per_profile), per_profile


def test_every_profile_of_the_eval_set_has_at_least_ten_relevant_postings() -> None:
    for case in load_eval_set()["profiles"]:
        assert len(case["relevant"]) >= 10, case["name"]


def test_precision_at_10_on_the_labelled_set_stays_above_its_floor() -> None:
    mean, per_profile = precision_at_10()
    base, _ = precision_at_10(baseline=True)
    shown = "  ".join(f"{k} {v:.1f}" for k, v in per_profile.items())
    print(f"\nprecision@10 = {mean:.3f} (hard filters + pay + recency alone: {base:.3f})  {shown}")
    assert mean >= PRECISION_FLOOR
    assert mean > base
