"""The career-interest self-assessment (职业兴趣测评, RIASEC style): items, scoring, report.

Pure (no I/O). The items are the project's own (docs/practice.md): six interest types, five
statements each, answered on a 1-5 scale (1 很不符合 … 5 非常符合). A type's score is its five
answers' sum mapped from 5-25 onto 0-100; the code is the three highest types, ties broken in
the order R, I, A, S, E, C. Each type links to occupations of the reference catalogue
(`backend.occupations.OCCUPATIONS`); the report suggests the first two of each of the
three types of the code, at most `MAX_SUGGESTED`.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.occupations import code_name

SCALE = (1, 5)
MAX_SUGGESTED = 5  # the job-seeking profile takes at most five wanted occupations

TYPES: dict[str, tuple[str, str]] = {
    "R": ("现实型", "喜欢动手操作工具和机器，重视实际、具体的成果，适合技术操作类工作。"),
    "I": ("研究型", "喜欢观察、分析和解决问题，愿意钻研原理，适合技术研发和分析类工作。"),
    "A": ("艺术型", "富有想象力和创造力，喜欢表达自我，适合设计、创作类工作。"),
    "S": ("社会型", "乐于帮助、照顾和指导他人，善于沟通，适合教育、护理和服务类工作。"),
    "E": ("企业型", "喜欢影响和带领他人，敢于承担责任，适合销售、管理和商务类工作。"),
    "C": ("常规型", "做事细致、有条理，喜欢按规则办事，适合行政、财务和数据类工作。"),
}

ITEMS: tuple[tuple[str, str], ...] = (
    ("R", "我喜欢动手操作机器或工具"),
    ("I", "我喜欢弄清楚事情背后的原因"),
    ("A", "我喜欢设计海报、服装或布置房间"),
    ("S", "我愿意照顾老人、孩子或病人"),
    ("E", "我善于说服别人接受我的意见"),
    ("C", "我喜欢整理文件、表格和数据"),
    ("R", "我愿意修理电器、自行车或汽车"),
    ("I", "我喜欢分析数据或解决逻辑难题"),
    ("A", "我喜欢写作、拍照或剪辑视频"),
    ("S", "我喜欢给别人讲解、培训或辅导"),
    ("E", "我喜欢推销产品或谈成一笔生意"),
    ("C", "我习惯按照明确的流程和规定办事"),
    ("R", "我愿意在户外或车间里工作"),
    ("I", "我喜欢阅读科学或技术类的文章"),
    ("A", "我常常想出与众不同的新点子"),
    ("S", "我愿意倾听别人的烦恼并帮忙出主意"),
    ("E", "我愿意带领一个小组完成任务"),
    ("C", "我能耐心地核对账目或清点库存"),
    ("R", "我喜欢按图纸组装或制作东西"),
    ("I", "我喜欢查找设备或程序出故障的原因"),
    ("A", "我喜欢画画、做手工或创意装饰"),
    ("S", "我乐意参加志愿服务或社区活动"),
    ("E", "我愿意组织活动并对结果负责"),
    ("C", "我熟练使用电脑办公软件录入信息"),
    ("R", "我想学一门手艺，如烹饪、焊接或驾驶"),
    ("I", "我喜欢做实验来验证自己的想法"),
    ("A", "我喜欢在没有固定规则的环境里发挥"),
    ("S", "我在团队中常常协调大家的关系"),
    ("E", "我喜欢结识新朋友、拓展人脉"),
    ("C", "我喜欢把物品和资料摆放得井井有条"),
)

# Occupations of the catalogue that fit each type, most typical first.
TYPE_OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "R": ("4-12-01-01", "6-18-02-04", "6-31-01-02", "4-03-02-01", "4-02-02-02", "6-18-01-01"),
    "I": ("2-02-10-03", "4-04-05-02", "4-04-05-01", "2-02-10-04", "4-04-04-01", "2-02-07-01"),
    "A": ("2-09-06-07", "4-03-02-08", "6-02-01-01", "4-01-02-02"),
    "S": ("4-10-01-05", "2-08-06-01", "4-10-01-02", "4-07-03-03", "2-05-08-01", "4-13-04-01"),
    "E": ("4-01-02-01", "4-01-02-02", "4-07-02-03", "2-06-07-03", "4-03-01-01"),
    "C": ("3-01-02-01", "2-06-03-01", "4-02-06-01", "4-01-01-02", "4-04-05-02"),
}


class AnswerError(ValueError):
    """The answers do not cover every item with a value on the scale."""


@dataclass(frozen=True)
class InterestReport:
    """Scores per type (0-100), the three-letter code and the suggested occupations."""

    scores: dict[str, int]
    code: str
    suggested: tuple[str, ...]

    def summary(self) -> str:
        """One sentence for people: 您的职业兴趣类型为…"""
        names = "、".join(TYPES[t][0] for t in self.code)
        jobs = "、".join(code_name(c) for c in self.suggested[:3])
        return f"您的职业兴趣代码为{self.code}（{names}），可以优先了解：{jobs}等职业。"


def check_answers(answers: list[int]) -> list[int]:
    """The answers, one per item in order, each on the scale; or AnswerError saying why not."""
    if len(answers) != len(ITEMS):
        raise AnswerError(f"请回答全部{len(ITEMS)}道题（收到{len(answers)}道）")
    low, high = SCALE
    bad = [i + 1 for i, a in enumerate(answers) if not low <= a <= high]
    if bad:
        raise AnswerError(f"第{'、'.join(map(str, bad[:5]))}题的答案应为{low}到{high}之间的整数")
    return answers


def score_answers(answers: list[int]) -> InterestReport:
    """Score checked answers: per-type 0-100, the code, the suggested occupations."""
    sums = dict.fromkeys(TYPES, 0)
    for (kind, _), answer in zip(ITEMS, check_answers(answers), strict=True):
        sums[kind] += answer
    per_type = len(ITEMS) // len(TYPES)
    low, high = SCALE
    span = per_type * (high - low)
    scores = {t: round((s - per_type * low) * 100 / span) for t, s in sums.items()}
    order = list(TYPES)
    code = "".join(sorted(order, key=lambda t: (-scores[t], order.index(t)))[:3])
    suggested: list[str] = []
    for rank in range(2):
        for kind in code:
            occupation = TYPE_OCCUPATIONS[kind][rank]
            if occupation not in suggested:
                suggested.append(occupation)
    return InterestReport(scores, code, tuple(suggested[:MAX_SUGGESTED]))
