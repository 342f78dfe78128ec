"""The documented interest items match the code; the practice settings are validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import Settings, SettingsError
from backend.practice import interest

DOC = Path(__file__).resolve().parents[2] / "docs" / "practice.md"


def test_docs_list_every_interest_item_and_its_type() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"| {n} | {kind} | {statement} |"
        for n, (kind, statement) in enumerate(interest.ITEMS, start=1)
        if f"| {n} | {kind} | {statement} |" not in text
    ]
    assert missing == []


@pytest.mark.parametrize(
    "changes",
    [
        {"assessment_online_test_weight": 1.5},
        {"assessment_online_test_weight": float("nan")},
        {"llm_timeout": 0.1},
        {"llm_retries": 9},
        {"llm_max_concurrency": 0},
        {"llm_api_base": "ftp://model.local"},
        {"practice_material_max_bytes": 10},
    ],
)
def test_unworkable_practice_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        Settings(dev=True, **changes)  # type: ignore[arg-type]
