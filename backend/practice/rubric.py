"""The basic mode of mock-interview feedback: deterministic checks of one answer (no I/O).

Used when no language model is configured (LLM_API_BASE empty), when the model fails or a cap
is reached — and always for the measurable parts (length, filler words), which the model's
feedback keeps. Checks, each explained in docs/practice.md:

- length: Chinese characters and letters counted; each stage has a range that fits about
  one to two minutes of speech;
- filler words (口头禅): jieba words from a list (嗯, 那个, 就是说…), counted;
- STAR for behavioural and situational questions: marker words of the situation, the task,
  the actions taken and the result (a number counts as a result);
- relevance: share of the question's keywords and the target occupation's words present,
  after jieba segmentation;
- salary talk: a figure or range, a reason (market, ability), openness to talk.

Scores add up to 100; improvements name what to change, and a sample answer shows the shape.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from backend.employment.terms import tokenizer
from backend.practice.questions import STAGES, STAR_STAGES, Question
from backend.practice.schemas import AnswerFeedback, FillerWord, StarCheck

BASIC_NOTICE = (
    "当前为基础模式：系统按规则检查回答的结构、长度、口头禅和关键词，"
    "未使用大模型，建议结合讲师点评参考。"
)
FILLERS = (
    "嗯",
    "啊",
    "呃",
    "那个",
    "就是说",
    "然后呢",
    "反正",
    "怎么说呢",
    "其实吧",
    "对吧",
    "这个这个",
)
LENGTH_RANGE: dict[str, tuple[int, int]] = {
    "self_intro": (150, 500),
    "behavioural": (150, 600),
    "situational": (100, 500),
    "salary": (40, 300),
}
STAR_MARKERS: dict[str, tuple[str, ...]] = {
    "situation": ("当时", "那时", "有一次", "曾经", "期间", "背景", "那年", "之前在", "在一次"),
    "task": ("任务", "目标", "负责", "需要", "要求", "职责", "问题是", "难点"),
    "action": (
        "我先",
        "首先",
        "然后",
        "接着",
        "我就",
        "采取",
        "主动",
        "安排",
        "沟通",
        "制定",
        "我做了",
        "我决定",
        "我会",
        "第一",
        "第二",
    ),
    "result": (
        "结果",
        "最终",
        "最后",
        "成功",
        "完成",
        "提高",
        "提升",
        "减少",
        "获得",
        "得到",
        "表扬",
        "好评",
        "%",
        "百分之",
        "收获",
    ),
}
SALARY_MARKERS: dict[str, tuple[str, ...]] = {
    "figure": ("元", "千", "万", "k", "K"),
    "reason": ("市场", "行业", "能力", "经验", "了解", "水平", "岗位"),
    "open": ("商量", "沟通", "综合", "考虑", "协商", "接受", "发展"),
}
_COUNTED = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Checks:
    """What the rules found in one answer."""

    chars: int
    length_ok: bool
    length_comment: str
    fillers: list[FillerWord]
    star: StarCheck
    relevance: float
    matched: list[str]


def count_chars(text: str) -> int:
    """Characters that are spoken: Chinese, letters and digits."""
    return len(_COUNTED.findall(text))


def _length(stage: str, chars: int) -> tuple[bool, str]:
    low, high = LENGTH_RANGE[stage]
    if chars < low:
        return False, f"回答偏短（{chars}字），建议{low}-{high}字，补充具体经历和细节。"
    if chars > high:
        return False, f"回答偏长（{chars}字），建议{low}-{high}字，删去与问题无关的内容。"
    return True, f"长度合适（{chars}字）。"


def filler_words(text: str, words: list[str]) -> list[FillerWord]:
    """Filler words in the answer, most frequent first."""
    counts = Counter(w for w in words if w in FILLERS)
    for single in ("嗯", "啊", "呃"):  # jieba may glue them to the next word
        counts[single] = max(counts[single], text.count(single))
    return [FillerWord(word=w, count=n) for w, n in counts.most_common() if n]


def star_check(text: str) -> StarCheck:
    """Which STAR parts the answer shows by its marker words (a number counts as a result)."""
    has = {part: any(m in text for m in markers) for part, markers in STAR_MARKERS.items()}
    has["result"] = has["result"] or bool(_NUMBER.search(text))
    return StarCheck(**has)


def relevance(
    words: list[str], question: Question, occupation_name: str
) -> tuple[float, list[str]]:
    """Share of the question's keywords (and the occupation's words) the answer uses."""
    wanted = list(question.keywords)
    wanted += [w for w in tokenizer().lcut(occupation_name) if len(w) >= 2]
    present = set(words)
    text = "".join(words)
    matched = [w for w in dict.fromkeys(wanted) if w in present or w in text]
    return min(1.0, len(matched) / max(1, min(4, len(set(wanted))))), matched


def check(text: str, question: Question, occupation_name: str) -> Checks:
    """Run every rule on one answer."""
    words = tokenizer().lcut(text)
    chars = count_chars(text)
    ok, comment = _length(question.stage, chars)
    score, matched = relevance(words, question, occupation_name)
    return Checks(chars, ok, comment, filler_words(text, words), star_check(text), score, matched)


def _salary_improvements(text: str) -> list[str]:
    tips = {
        "figure": "给出一个具体的期望数字或范围，例如“税前每月5000到6000元”。",
        "reason": "说明依据：行业行情、岗位要求和自己的能力经验。",
        "open": "表达可以沟通的态度，例如“也会综合考虑发展机会和福利”。",
    }
    return [
        tip
        for part, tip in tips.items()
        if not any(m in text for m in SALARY_MARKERS[part])
        and not (part == "figure" and _NUMBER.search(text))
    ]


def sample_answer(question: Question, occupation_name: str) -> str:
    """A sample of a better answer's shape for this stage."""
    job = occupation_name or "这个岗位"
    if question.stage == "self_intro":
        return (
            f"面试官您好，我毕业于【学校】【专业】，做过两年与{job}相关的工作，主要负责……。"
            "我的优势一是……，二是……，例如有一次……，结果……。"
            f"我希望把这些经验用在{job}上，也愿意继续学习……。谢谢。"
        )
    if question.stage == "salary":
        return (
            f"我了解到本地{job}的月薪大多在……到……元之间，结合我的经验和能力，"
            "期望税前每月……元左右。当然我更看重岗位的发展和学习机会，具体可以再沟通。"
        )
    return (
        "当时（情境）……，我负责（任务）……。我首先……，然后……，同时和……沟通（行动）。"
        "最终（结果）……，比原来提高了……%。这件事让我学到……，也适用于"
        f"{job}的工作。"
    )


def basic_feedback(text: str, question: Question, occupation_name: str) -> AnswerFeedback:
    """Feedback on one answer by the rules alone (the basic mode)."""
    c = check(text, question, occupation_name)
    star_parts = [c.star.situation, c.star.task, c.star.action, c.star.result]
    uses_star = question.stage in STAR_STAGES
    fillers = sum(f.count for f in c.fillers)
    improvements: list[str] = []
    strengths: list[str] = []
    if not c.length_ok:
        improvements.append(c.length_comment)
    else:
        strengths.append(c.length_comment)
    if uses_star:
        names = {
            "situation": "情境（当时的背景）",
            "task": "任务（你要解决什么）",
            "action": "行动（你具体做了什么）",
            "result": "结果（最好有数字）",
        }
        missing = [names[p] for p, ok in c.star.model_dump().items() if not ok]
        if missing:
            improvements.append("按STAR结构补充：" + "、".join(missing) + "。")
        else:
            strengths.append("回答包含情境、任务、行动和结果，结构完整。")
    if question.stage == "salary":
        improvements += _salary_improvements(text)
    if fillers >= 2:
        words = "、".join(f"“{f.word}”" for f in c.fillers[:3])
        improvements.append(f"口头禅较多（{words}共{fillers}次），说话前先停顿一下再开口。")
    if c.relevance < 0.5:
        improvements.append(
            f"与问题和{occupation_name or '目标岗位'}的联系不够紧密，"
            f"可以围绕“{'、'.join(question.keywords[:3])}”展开。"
        )
    else:
        strengths.append(f"紧扣问题（提到了{'、'.join(c.matched[:4])}）。")
    score = 25 * c.length_ok + round(35 * c.relevance) + max(0, 15 - 5 * fillers)
    score += round(25 * sum(star_parts) / 4) if uses_star else 25 * (len(improvements) == 0)
    return AnswerFeedback(
        mode="basic",
        notice=BASIC_NOTICE,
        score=max(0, min(100, score)),
        star=c.star,
        relevance=round(c.relevance, 2),
        relevance_comment=(
            f"提到了{'、'.join(c.matched)}" if c.matched else "没有提到与问题相关的关键词"
        ),
        length_chars=c.chars,
        length_comment=c.length_comment,
        filler_words=c.fillers,
        strengths=strengths,
        improvements=improvements or ["回答已比较完整，可以多练习几遍，让表达更自然。"],
        sample_answer=sample_answer(question, occupation_name),
    )


def stage_name(stage: str) -> str:
    """The Chinese name of a stage."""
    return STAGES[stage]
