"""Feedback on one mock-interview answer: from the language model, or the basic mode.

The model sees the stage, the question, the target occupation, the answer and a background
line built from the résumé — every text scrubbed of personal data first (`redact.scrub`, with
the trainee's name, schools and employers as known values). It answers one JSON object
(`ModelVerdict`); length and filler words are always counted by the rules, so both modes
measure them the same way. When the model is not configured, fails after its retries, answers
nonsense, or the trainee's daily cap (LLM_DAILY_CALLS_PER_TRAINEE) is used up, the basic mode
answers and its notice says why.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, Field, ValidationError

from backend.integrations.llm import ChatClient, LlmError
from backend.practice.questions import STAGES, Question
from backend.practice.redact import scrub
from backend.practice.rubric import BASIC_NOTICE, basic_feedback, check
from backend.practice.schemas import AnswerFeedback, StarCheck

log = logging.getLogger("jobready.practice.coach")

MODEL_NOTICE = "本点评由大模型生成，仅供参考；发送前已去除姓名、证件号、电话和单位等个人信息。"
FALLBACK_NOTICE = "大模型暂时不可用，已改用基础模式。" + BASIC_NOTICE
CAPPED_NOTICE = "今日大模型点评次数已用完，已改用基础模式。" + BASIC_NOTICE
SYSTEM_PROMPT = (
    "你是一名经验丰富的招聘面试官和就业指导老师，正在帮助求职者练习面试。"
    "请根据岗位、面试阶段和问题，点评求职者的回答：是否符合STAR结构（情境、任务、行动、结果）、"
    "是否切题并贴合目标岗位，指出优点，给出具体可操作的改进建议，并写一段更好的示范回答。"
    "文本中的【姓名】【电话】【单位】等是为保护隐私替换的占位符，示范回答中也请使用占位符。"
    "只输出一个JSON对象，键为：score（0-100整数）、star（对象，键situation、task、action、result，"
    "值为true或false）、relevance（0到1的小数）、relevance_comment（字符串）、"
    "strengths（字符串数组）、improvements（字符串数组）、sample_answer（字符串）。"
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class ModelVerdict(BaseModel):
    """What the model must answer."""

    score: int = Field(ge=0, le=100)
    star: StarCheck
    relevance: float = Field(ge=0, le=1)
    relevance_comment: str = Field(max_length=500)
    strengths: list[str] = Field(max_length=10)
    improvements: list[str] = Field(min_length=1, max_length=10)
    sample_answer: str = Field(min_length=1, max_length=3000)


@dataclass(frozen=True)
class Background:
    """What is known about the trainee: values to scrub, and a background line to send."""

    names: tuple[str, ...]
    organisations: tuple[str, ...]
    summary: str  # skills, education level, experience positions (scrubbed before sending)


def prompt(
    question: Question, answer: str, occupation_name: str, background: Background
) -> list[dict[str, str]]:
    """The chat messages for one answer, with personal data scrubbed from every text."""

    def clean(text: str) -> str:
        return scrub(text, names=background.names, organisations=background.organisations)

    payload = {
        "目标岗位": occupation_name,
        "面试阶段": STAGES[question.stage],
        "问题": question.text,
        "求职者背景": clean(background.summary),
        "回答": clean(answer),
    }
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
    ]


def parse_verdict(content: str) -> ModelVerdict:
    """The model's JSON (fenced or surrounded by prose is tolerated), validated."""
    found = _JSON_OBJECT.search(content)
    if found is None:
        raise ValueError("no JSON object in the reply")
    return ModelVerdict.model_validate(json.loads(found.group(0)))


def merge(
    verdict: ModelVerdict, answer: str, question: Question, occupation: str
) -> AnswerFeedback:
    """The model's judgement with the rules' measurements (length, filler words)."""
    measured = check(answer, question, occupation)
    return AnswerFeedback(
        mode="model",
        notice=MODEL_NOTICE,
        score=verdict.score,
        star=verdict.star,
        relevance=round(verdict.relevance, 2),
        relevance_comment=verdict.relevance_comment,
        length_chars=measured.chars,
        length_comment=measured.length_comment,
        filler_words=measured.fillers,
        strengths=verdict.strengths,
        improvements=verdict.improvements,
        sample_answer=verdict.sample_answer,
    )


def basic(answer: str, question: Question, occupation: str, notice: str) -> AnswerFeedback:
    """The basic mode's feedback with a notice saying why it answers."""
    return basic_feedback(answer, question, occupation).model_copy(update={"notice": notice})


async def feedback(
    *,
    client: ChatClient | None,
    allowed: bool,
    question: Question,
    answer: str,
    occupation_name: str,
    background: Background,
) -> AnswerFeedback:
    """Model feedback when a model is configured and the cap allows; the basic mode otherwise."""
    if client is None:
        return basic(answer, question, occupation_name, BASIC_NOTICE)
    if not allowed:
        return basic(answer, question, occupation_name, CAPPED_NOTICE)
    try:
        content = await client.complete(prompt(question, answer, occupation_name, background))
        verdict = parse_verdict(content)
    except LlmError as exc:
        log.warning("model feedback failed", extra={"reason": exc.reason})
        return basic(answer, question, occupation_name, FALLBACK_NOTICE)
    except (ValueError, ValidationError) as exc:
        log.warning("model feedback unusable", extra={"reason": str(exc)[:200]})
        return basic(answer, question, occupation_name, FALLBACK_NOTICE)
    return merge(verdict, answer, question, occupation_name)


def known_values(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty distinct values (names, organisations) to scrub."""
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
