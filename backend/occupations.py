"""Occupations (GB/T 6565 style codes), education levels and salary wording.

Codes have four levels, written ``4-04-05-02``: major group (大类 ``4``), medium group (中类
``4-04``), minor group (小类 ``4-04-05``) and occupation (细类). Matching compares them level by
level, so any code of that shape works; the names below cover the occupations the recruitment
site of the simulator uses and the groups above them. The assignment of names to codes follows
the layout of the national catalogue (《中华人民共和国职业分类大典》) and must be checked against
the official edition before a bureau relies on it; a site may send codes we do not list, which
keep the name the site gave.
"""

from __future__ import annotations

import re
from enum import StrEnum

CODE_PATTERN = re.compile(r"^[1-8](?:-\d{2}){0,3}$")

MAJOR_GROUPS: dict[str, str] = {
    "1": "党的机关、国家机关、群众团体和社会组织、企事业单位负责人",
    "2": "专业技术人员",
    "3": "办事人员和有关人员",
    "4": "社会生产服务和生活服务人员",
    "5": "农、林、牧、渔业生产及辅助人员",
    "6": "生产制造及有关人员",
    "8": "不便分类的其他从业人员",
}

GROUPS: dict[str, str] = {
    "2-02": "工程技术人员",
    "2-02-07": "机械工程技术人员",
    "2-02-10": "信息和通信工程技术人员",
    "2-05": "卫生专业技术人员",
    "2-05-08": "护理人员",
    "2-06": "经济和金融专业人员",
    "2-06-03": "会计专业人员",
    "2-06-07": "人力资源专业人员",
    "2-08": "教学人员",
    "2-08-06": "幼儿教育教师",
    "2-09": "文学艺术、体育专业人员",
    "2-09-06": "工艺美术与创意设计专业人员",
    "3-01": "行政办事及辅助人员",
    "3-01-02": "行政业务办理人员",
    "3-02": "安全和消防及辅助人员",
    "3-02-03": "保卫人员",
    "4-01": "批发与零售服务人员",
    "4-01-01": "采购与营业人员",
    "4-01-02": "销售人员",
    "4-02": "交通运输、仓储和邮政业服务人员",
    "4-02-02": "道路运输服务人员",
    "4-02-06": "仓储人员",
    "4-02-07": "邮政和快递服务人员",
    "4-03": "住宿和餐饮服务人员",
    "4-03-01": "住宿服务人员",
    "4-03-02": "餐饮服务人员",
    "4-04": "信息传输、软件和信息技术服务人员",
    "4-04-04": "信息通信网络运行管理人员",
    "4-04-05": "软件和信息技术服务人员",
    "4-07": "租赁和商务服务人员",
    "4-07-02": "商务咨询服务人员",
    "4-07-03": "人力资源服务人员",
    "4-10": "居民服务人员",
    "4-10-01": "生活照料服务人员",
    "4-12": "修理及制作服务人员",
    "4-12-01": "汽车摩托车修理技术服务人员",
    "4-13": "文化、体育和娱乐服务人员",
    "4-13-04": "健身和娱乐场所服务人员",
    "6-02": "食品、饮料生产加工人员",
    "6-02-01": "焙烤和糖制品加工人员",
    "6-04": "纺织、针织、印染人员",
    "6-04-02": "纺纱人员",
    "6-05": "纺织品、服装和皮革、毛皮制品加工制作人员",
    "6-05-03": "服装缝纫人员",
    "6-18": "机械制造基础加工人员",
    "6-18-01": "机械冷加工人员",
    "6-18-02": "机械热加工人员",
    "6-25": "电子器件制造人员",
    "6-25-04": "电子设备装配调试人员",
    "6-31": "机械设备修理人员",
    "6-31-01": "机械设备修理人员",
}

OCCUPATIONS: dict[str, str] = {
    "2-02-07-01": "机械设计工程技术人员",
    "2-02-10-03": "计算机软件工程技术人员",
    "2-02-10-04": "计算机网络工程技术人员",
    "2-05-08-01": "内科护士",
    "2-06-03-01": "会计专业人员",
    "2-06-07-03": "人力资源管理专业人员",
    "2-08-06-01": "幼儿教育教师",
    "2-09-06-07": "视觉传达设计人员",
    "3-01-02-01": "行政办事员",
    "3-02-03-01": "保安员",
    "4-01-01-02": "营业员",
    "4-01-02-01": "营销员",
    "4-01-02-02": "电子商务师",
    "4-02-02-02": "道路货运汽车驾驶员",
    "4-02-06-01": "仓储管理员",
    "4-02-07-02": "快递员",
    "4-03-01-01": "前厅服务员",
    "4-03-02-01": "中式烹调师",
    "4-03-02-05": "餐厅服务员",
    "4-03-02-08": "咖啡师",
    "4-04-04-01": "信息通信网络运行管理员",
    "4-04-05-01": "计算机程序设计员",
    "4-04-05-02": "计算机软件测试员",
    "4-07-02-03": "客户服务管理员",
    "4-07-03-03": "职业指导员",
    "4-10-01-02": "育婴员",
    "4-10-01-05": "养老护理员",
    "4-10-01-06": "家政服务员",
    "4-12-01-01": "汽车维修工",
    "4-13-04-01": "健身教练",
    "6-02-01-01": "糕点面包烘焙工",
    "6-04-02-01": "纺纱工",
    "6-05-03-01": "缝纫工",
    "6-18-01-01": "车工",
    "6-18-02-04": "焊工",
    "6-25-04-02": "电子设备装接工",
    "6-31-01-02": "机修钳工",
}


def is_valid_code(code: str) -> bool:
    """True for a code of the catalogue's shape (a group or an occupation)."""
    return bool(CODE_PATTERN.match(code))


def code_levels(code: str) -> tuple[str, str, str, str]:
    """(major, medium, minor, occupation) prefixes of a code; missing levels are ""."""
    parts = code.split("-")
    prefixes = ["-".join(parts[: i + 1]) if len(parts) > i else "" for i in range(4)]
    return prefixes[0], prefixes[1], prefixes[2], prefixes[3]


def code_name(code: str, fallback: str = "") -> str:
    """The Chinese name of an occupation or a group (fallback when unknown)."""
    return OCCUPATIONS.get(code) or GROUPS.get(code) or MAJOR_GROUPS.get(code) or fallback or code


class Education(StrEnum):
    """Education levels, from the lowest requirement to the highest."""

    NONE = "none"  # 不限
    JUNIOR_MIDDLE = "junior_middle"  # 初中
    HIGH_SCHOOL = "high_school"  # 高中、中专、技校
    JUNIOR_COLLEGE = "junior_college"  # 大专
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士


EDUCATION_RANK: dict[Education, int] = {level: rank for rank, level in enumerate(Education)}
EDUCATION_LABELS: dict[Education, str] = {
    Education.NONE: "学历不限",
    Education.JUNIOR_MIDDLE: "初中",
    Education.HIGH_SCHOOL: "高中/中专/技校",
    Education.JUNIOR_COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}


def education_requirement(level: Education) -> str:
    """How a posting's requirement reads: 学历不限, 大专及以上…"""
    return (
        EDUCATION_LABELS[level] if level is Education.NONE else f"{EDUCATION_LABELS[level]}及以上"
    )


def salary_text(low: int, high: int) -> str:
    """A monthly salary range as people write it (0 means negotiable)."""
    if low <= 0 and high <= 0:
        return "薪资面议"
    if high <= low:
        return f"{low}元/月"
    return f"{low}-{high}元/月"
