"""Test questions: checking what a keeper enters, and scoring objective answers (no I/O).

Answers as stored and as sent by trainees:

- single choice: one option letter (``"B"``);
- multiple choice: the set of letters (``"ACD"`` or ``["A", "C", "D"]``); full points only for
  exactly the right set, none otherwise (no partial credit, as in most written exams);
- true/false: ``true``/``false`` (also 对/错, 正确/错误, √/×, T/F);
- short answer: free text, scored by an instructor against the question's rubric (the
  keeper's reference answer is stored as ``{"reference": text}``).

`score_objective` gives each objective item its points earned and leaves short answers as
None (pending). It is pure and linear in the items: 200 trainees × 50 items are scored in a
few milliseconds (tests.benchmarks.practice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.practice.models import QuestionKind

LETTERS = "ABCDEFGH"
_TRUE = {"true", "对", "正确", "√", "t", "1", "是", "yes"}
_FALSE = {"false", "错", "错误", "×", "f", "0", "否", "no"}


def letters(value: Any) -> list[str] | None:
    """Option letters of an answer (sorted, distinct, upper case), or None if it is not one."""
    if isinstance(value, str):
        items = [c for c in value.upper() if not c.isspace() and c not in ",，、"]
    elif isinstance(value, list | tuple):
        items = [str(v).strip().upper() for v in value]
    else:
        return None
    if not items or any(len(i) != 1 or i not in LETTERS for i in items):
        return None
    return sorted(set(items))


def truth(value: Any) -> bool | None:
    """A true/false answer, or None if it is neither."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def normalise_answer(kind: QuestionKind, answer: Any, options: Sequence[str]) -> Any:
    """The stored form of a keeper's correct answer, or ValueError with a Chinese reason."""
    if kind is QuestionKind.SHORT:  # a dict: a bare string in a JSONField reads back as JSON text
        if isinstance(answer, dict):
            answer = answer.get("reference", "")
        return {"reference": str(answer or "").strip()}
    if kind is QuestionKind.TRUE_FALSE:
        value = truth(answer)
        if value is None:
            raise ValueError("判断题答案应为“对”或“错”")
        return value
    if len(options) < 2:
        raise ValueError("选择题至少需要两个选项")
    chosen = letters(answer)
    if chosen is None or any(LETTERS.index(c) >= len(options) for c in chosen):
        raise ValueError(f"答案应为选项字母（A-{LETTERS[len(options) - 1]}）")
    if kind is QuestionKind.SINGLE and len(chosen) != 1:
        raise ValueError("单选题只能有一个正确答案")
    if kind is QuestionKind.MULTIPLE and len(chosen) < 2:
        raise ValueError("多选题至少有两个正确答案")
    return chosen


def item_score(question: Mapping[str, Any], given: Any) -> float | None:
    """Points earned by one answer; None for a short answer (the instructor scores it)."""
    kind = question["kind"]
    if kind == QuestionKind.SHORT:
        return None
    if given is None:
        return 0.0
    if kind == QuestionKind.TRUE_FALSE:
        right = truth(given) is not None and truth(given) == question["answer"]
    else:
        right = letters(given) == question["answer"]
    return float(question["points"]) if right else 0.0


def score_objective(
    questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> dict[str, float | None]:
    """Question id (str) → points earned, None for short answers."""
    return {str(q["id"]): item_score(q, answers.get(str(q["id"]))) for q in questions}


def percent(questions: Sequence[Mapping[str, Any]], item_scores: Mapping[str, Any]) -> Decimal:
    """Points earned over points possible, 0-100 with one decimal."""
    possible = sum(int(q["points"]) for q in questions)
    earned = sum(float(v or 0) for v in item_scores.values())
    if not possible:
        return Decimal("0.0")
    return (Decimal(str(earned)) * 100 / possible).quantize(Decimal("0.1"), ROUND_HALF_UP)
