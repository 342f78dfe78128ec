"""Mock-interview question sets by occupation and stage (no I/O).

Four stages in the order of a real interview: self-introduction, behavioural, situational,
salary talk. Behavioural and situational questions come from the occupation's group when the
set has some (matched on the longest code prefix), otherwise from the general set. Each
question carries keywords a relevant answer tends to use (the basic mode's relevance check).
A session asks one question of each stage plus a second behavioural one; a later attempt
rotates to the next questions so practice does not repeat itself.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES: dict[str, str] = {
    "self_intro": "自我介绍",
    "behavioural": "行为面试",
    "situational": "情境模拟",
    "salary": "薪资沟通",
}
STAR_STAGES = frozenset({"behavioural", "situational"})


@dataclass(frozen=True)
class Question:
    """A question, its stage and the words a relevant answer tends to use."""

    stage: str
    text: str
    keywords: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """Stored with the session (a frozen copy)."""
        return {"stage": self.stage, "text": self.text, "keywords": list(self.keywords)}


def _q(stage: str, text: str, *keywords: str) -> Question:
    return Question(stage, text, keywords)


GENERAL: tuple[Question, ...] = (
    _q(
        "self_intro",
        "请用两分钟做一个自我介绍，重点说说你为什么适合这个岗位。",
        "经验",
        "技能",
        "岗位",
        "优势",
        "学习",
        "负责",
    ),
    _q(
        "self_intro",
        "请介绍一下你最近一段工作或学习经历，以及你从中收获了什么。",
        "经历",
        "收获",
        "负责",
        "学习",
        "提升",
    ),
    _q(
        "behavioural",
        "请讲一次你在工作或学习中遇到困难并最终解决的经历。",
        "困难",
        "解决",
        "方法",
        "结果",
        "沟通",
        "坚持",
    ),
    _q(
        "behavioural",
        "请举例说明你和同事或同学意见不一致时是怎么处理的。",
        "沟通",
        "意见",
        "团队",
        "理解",
        "协商",
        "结果",
    ),
    _q(
        "behavioural",
        "请讲一次你在规定时间内完成紧急任务的经历。",
        "时间",
        "计划",
        "优先",
        "完成",
        "压力",
        "结果",
    ),
    _q(
        "behavioural",
        "请说说你做过的一件让你最有成就感的事。",
        "成就",
        "目标",
        "努力",
        "结果",
        "收获",
    ),
    _q(
        "situational",
        "如果上级同时交给你两项都很紧急的任务，你会怎么安排？",
        "优先",
        "沟通",
        "计划",
        "时间",
        "汇报",
        "确认",
    ),
    _q(
        "situational",
        "如果你入职第一周发现自己不熟悉工作流程，你会怎么做？",
        "学习",
        "请教",
        "流程",
        "记录",
        "主动",
        "熟悉",
    ),
    _q(
        "salary",
        "你对这个岗位的薪资期望是多少？为什么？",
        "薪资",
        "市场",
        "行业",
        "能力",
        "期望",
        "范围",
    ),
    _q(
        "salary",
        "如果我们给出的薪资比你的期望低一些，你会怎么考虑？",
        "发展",
        "学习",
        "综合",
        "福利",
        "平台",
        "沟通",
    ),
)

# Occupation-group questions, keyed by catalogue code prefix.
BY_GROUP: dict[str, tuple[Question, ...]] = {
    "4-01": (
        _q(
            "behavioural",
            "请讲一次你成功说服顾客购买产品的经历。",
            "顾客",
            "需求",
            "介绍",
            "成交",
            "信任",
            "业绩",
        ),
        _q(
            "situational",
            "如果顾客在店里情绪激动地投诉产品质量，你会怎么处理？",
            "倾听",
            "道歉",
            "安抚",
            "解决",
            "退换",
            "记录",
        ),
    ),
    "4-04": (
        _q(
            "behavioural",
            "请讲一次你定位并修复一个棘手程序问题的经历。",
            "问题",
            "日志",
            "定位",
            "测试",
            "修复",
            "复盘",
        ),
        _q(
            "situational",
            "如果上线前一天发现一个严重缺陷，你会怎么做？",
            "评估",
            "影响",
            "汇报",
            "修复",
            "测试",
            "回滚",
        ),
    ),
    "2-02-10": (
        _q(
            "behavioural",
            "请介绍一个你参与过的软件项目以及你负责的部分。",
            "项目",
            "负责",
            "技术",
            "需求",
            "测试",
            "上线",
        ),
        _q(
            "situational",
            "如果需求在开发中途发生变化，你会怎么应对？",
            "沟通",
            "评估",
            "需求",
            "计划",
            "确认",
            "风险",
        ),
    ),
    "4-10": (
        _q(
            "behavioural",
            "请讲一次你耐心照顾老人或孩子的经历。",
            "照顾",
            "耐心",
            "沟通",
            "安全",
            "家属",
            "细心",
        ),
        _q(
            "situational",
            "如果照护对象突然身体不适，你会怎么处理？",
            "观察",
            "安全",
            "联系",
            "急救",
            "家属",
            "记录",
        ),
    ),
    "4-03": (
        _q(
            "behavioural",
            "请讲一次你在高峰时段保证服务质量的经历。",
            "顾客",
            "高峰",
            "效率",
            "配合",
            "服务",
            "满意",
        ),
        _q(
            "situational",
            "如果客人对菜品或房间不满意，你会怎么做？",
            "道歉",
            "倾听",
            "解决",
            "更换",
            "反馈",
            "满意",
        ),
    ),
    "4-02": (
        _q(
            "behavioural",
            "请讲一次你准确按时完成配送或出入库任务的经历。",
            "准时",
            "路线",
            "核对",
            "安全",
            "客户",
            "完成",
        ),
        _q(
            "situational",
            "如果货物在运输途中损坏，你会怎么处理？",
            "拍照",
            "上报",
            "客户",
            "记录",
            "责任",
            "处理",
        ),
    ),
    "3-01": (
        _q(
            "behavioural",
            "请讲一次你细致核对文件、发现并纠正错误的经历。",
            "核对",
            "细致",
            "错误",
            "纠正",
            "流程",
            "规范",
        ),
        _q(
            "situational",
            "如果领导临时要求你组织一次会议，你会怎么准备？",
            "通知",
            "会场",
            "材料",
            "议程",
            "记录",
            "确认",
        ),
    ),
    "6": (
        _q(
            "behavioural",
            "请讲一次你严格遵守安全操作规程的经历。",
            "安全",
            "规程",
            "设备",
            "检查",
            "质量",
            "防护",
        ),
        _q(
            "situational",
            "如果发现设备运转异常，你会怎么做？",
            "停机",
            "上报",
            "检查",
            "安全",
            "记录",
            "维修",
        ),
    ),
}


def group_questions(occupation_code: str) -> tuple[Question, ...]:
    """The occupation group's own questions (longest matching prefix), or none."""
    best = ""
    for prefix in BY_GROUP:
        if (occupation_code == prefix or occupation_code.startswith(prefix + "-")) and len(
            prefix
        ) > len(best):
            best = prefix
    return BY_GROUP.get(best, ())


def question_set(occupation_code: str) -> list[Question]:
    """Every question for an occupation, the group's first, in stage order."""
    pool = [*group_questions(occupation_code), *GENERAL]
    return sorted(pool, key=lambda q: list(STAGES).index(q.stage))


def _pick(pool: list[Question], stage: str, count: int, attempt: int) -> list[Question]:
    of_stage = [q for q in pool if q.stage == stage]
    start = (attempt * count) % len(of_stage)
    return [of_stage[(start + i) % len(of_stage)] for i in range(min(count, len(of_stage)))]


def session_questions(occupation_code: str, attempt: int) -> list[Question]:
    """The questions of one session: 1 self-introduction, 2 behavioural, 1 situational, 1 salary."""
    pool = question_set(occupation_code)
    counts = {"self_intro": 1, "behavioural": 2, "situational": 1, "salary": 1}
    return [q for stage, n in counts.items() for q in _pick(pool, stage, n, attempt)]
