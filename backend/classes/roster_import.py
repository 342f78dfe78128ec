"""Roster import (学员名册导入): the Excel template, reading and checking rows, enrolling them.

Both entry points, `parse_xlsx` and `parse_rows`, go through one checking path and report every bad
cell at once; that half needs no database. The database half (a person already enrolled in another
active class or on the blacklist, the class's capacity) appends its own findings to the same
`RosterParseResult`, building them with `RosterRow.problem(...)` so ID and phone numbers are masked
the same way everywhere; `import_roster` then enrols every row atomically, or none.
"""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import TRAINEE_CATEGORY_LABELS, Trainee, TraineeCategory
from backend.accounts.service import TraineeInput, id_number_hash, register_trainee
from backend.classes.models import OCCUPYING, Enrolment, EnrolmentStatus, TrainingClass
from backend.classes.service import editable_plan
from backend.errors import InvalidInput, RuleViolation
from backend.registers.blacklist import blacklisted_ids
from backend.registers.models import BlacklistKind
from backend.security import xlsx
from backend.security.idcard import (
    InvalidIdNumber,
    InvalidPhoneNumber,
    validate_id_number,
    validate_mobile,
)
from backend.security.pii import mask_id_number, mask_phone

__all__ = [
    "EDUCATION_LEVELS",
    "EXAMPLE_MARK",
    "GENDER_LABELS",
    "MAX_ROWS",
    "ROSTER_COLUMNS",
    "Gender",
    "ProgressCallback",
    "RosterColumn",
    "RosterFileError",
    "RosterImport",
    "RosterParseResult",
    "RosterProblem",
    "RosterRow",
    "build_template",
    "check_capacity",
    "check_database",
    "import_roster",
    "mask_cell",
    "normalize_name",
    "parse_rows",
    "parse_xlsx",
    "read_roster",
]

Gender = Literal["male", "female"]
ProgressCallback = Callable[[int, int], None]

MAX_ROWS = 2000
PROGRESS_EVERY = 100
EXAMPLE_MARK = "示例"
MIN_GRADUATION_YEAR = 1950
MAX_GRADUATION_YEAR = 2030
MAX_NAME_CHARS = 50  # Trainee.name
MAX_TEXT_CHARS = 100  # Trainee.school, Trainee.major

EDUCATION_LEVELS: tuple[str, ...] = ("初中及以下", "高中", "中专", "大专", "本科", "硕士", "博士")
GENDER_LABELS: dict[Gender, str] = {"male": "男", "female": "女"}

NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件"
_OLE_HINT = "（可能是旧版 .xls 文件或设置了打开密码），请在 Excel 中另存为 .xlsx 后重新上传"
_NUMERIC_ID = "身份证号码被存成了数字，末几位可能已丢失：请将该列设置为“文本”格式后重新填写"

_TEMPLATE_SHEET = "学员名册"
_GUIDE_SHEET = "填写说明"
_HEADER_SCAN_ROWS = 10
_MAX_COLUMNS = 50
_MAX_SHOWN_CHARS = 40
_MAX_UNZIPPED_BYTES = 10 * 1024 * 1024  # a full 2,000-row roster unpacks to about 2 MB
PARSE_TIME_BUDGET = 20.0  # seconds a workbook may take to read and check
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class RosterColumn:
    """One column of the roster template."""

    key: str
    header: str
    required: bool
    hint: str
    width: int

    @property
    def title(self) -> str:
        """The header as written in the template: required columns end with '*'."""
        return f"{self.header}*" if self.required else self.header


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("seq", "序号", False, f"可不填；序号为“{EXAMPLE_MARK}”的行不会导入", 8),
    RosterColumn("name", "姓名", True, "与身份证一致，学员绑定小程序时需输入相同姓名", 12),
    RosterColumn("id_number", "身份证号码", True, "18位居民身份证号码，末位X大小写均可", 24),
    RosterColumn("phone", "手机号码", True, "11位手机号码", 16),
    RosterColumn(
        "category",
        "人员类别",
        True,
        "从下拉列表选择：" + "、".join(TRAINEE_CATEGORY_LABELS.values()),
        24,
    ),
    RosterColumn("gender", "性别", False, "男或女；可不填，按身份证号码自动识别", 8),
    RosterColumn("education", "学历", False, "从下拉列表选择：" + "、".join(EDUCATION_LEVELS), 12),
    RosterColumn("school", "毕业院校", False, "学校全称，如：福州大学", 24),
    RosterColumn("major", "所学专业", False, "如：计算机科学与技术", 20),
    RosterColumn(
        "graduation_year",
        "毕业年份",
        False,
        f"4位年份（{MIN_GRADUATION_YEAR}至{MAX_GRADUATION_YEAR}），如2024",
        10,
    ),
)
_COLUMNS_BY_KEY: dict[str, RosterColumn] = {column.key: column for column in ROSTER_COLUMNS}
_COLUMN_ORDER: dict[str, int] = {column.header: i for i, column in enumerate(ROSTER_COLUMNS)}
_REQUIRED_KEYS: tuple[str, ...] = tuple(c.key for c in ROSTER_COLUMNS if c.required)

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "seq": ("编号",),
    "name": ("学员姓名",),
    "id_number": ("身份证号", "身份证", "公民身份号码", "身份证件号码"),
    "phone": ("手机号", "手机", "联系电话"),
    "category": ("人员类型",),
    "education": ("文化程度",),
    "school": ("毕业学校",),
    "major": ("专业",),
    "graduation_year": ("毕业时间", "毕业年度"),
}

_EDUCATION_ALIASES: dict[str, str] = {
    "初中": "初中及以下",
    "小学": "初中及以下",
    "普通高中": "高中",
    "中职": "中专",
    "专科": "大专",
    "大学专科": "大专",
    "大学本科": "本科",
    "硕士研究生": "硕士",
    "博士研究生": "博士",
    # the education codes of /api/v1/reference/education-levels
    "junior_middle": "初中及以下",
    "high_school": "高中",
    "junior_college": "大专",
    "bachelor": "本科",
    "master": "硕士",
    "doctor": "博士",
}

_GENDER_WORDS: dict[str, Gender] = {
    "男": "male",
    "男性": "male",
    "male": "male",
    "m": "male",
    "女": "female",
    "女性": "female",
    "female": "female",
    "f": "female",
}

# Zero-width characters, and control characters (a cell's \x01 would otherwise be stored and
# break every later export of the person): dropped from cell text.
_INVISIBLE = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *range(0, 9), 11, 12, *range(14, 32), 127]
)
_LEADING_QUOTES = "'‘’`"
_PARENTHESIZED = re.compile(r"\(.*?\)|【.*?】|\[.*?\]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_WHITESPACE = re.compile(r"\s+")
_LONG_DIGITS = re.compile(r"[0-9]{7,}[0-9Xx]*")
_YEAR = re.compile(r"[0-9]{4}")


class RosterFileError(ValueError):
    """Raised when an upload is not a readable .xlsx workbook; `.reason` is a Chinese message."""

    def __init__(self, reason: str = NOT_XLSX) -> None:
        super().__init__(reason)
        self.reason = reason


class _CellProblem(Exception):
    """Raised by a cell check; `.reason` is the Chinese message for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# Masking and cleaning
# ---------------------------------------------------------------------------------------------


def _numeric_text(value: int | float) -> str:
    """Digits of a number as Excel shows them (15 significant digits, no exponent)."""
    if isinstance(value, float):
        return format(Decimal(f"{value:.15g}"), "f")
    return str(value)


def _is_number(value: Any) -> bool:
    """Whether a cell holds a number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _clean_text(value: Any) -> str:
    """Cell value as trimmed text: no surrounding or invisible spaces, no leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.translate(_INVISIBLE).strip().lstrip(_LEADING_QUOTES).strip()


def _mask_digit_run(match: re.Match[str]) -> str:
    """Mask one long run of digits found inside free text."""
    run = match.group(0)
    return mask_id_number(run) if len(run) >= 15 else mask_phone(run)


def mask_cell(key: str, value: Any) -> str:
    """Cell value safe for a report: IDs and phones masked, long digit runs hidden, truncated."""
    if key == "id_number":
        return mask_id_number(_numeric_text(value) if _is_number(value) else _clean_text(value))
    if key == "phone":
        return mask_phone(_clean_text(value))
    text = _LONG_DIGITS.sub(_mask_digit_run, _clean_text(value))
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 1] + "…"


def normalize_name(value: str) -> str:
    """Trim a name; Chinese names lose inner spaces ('张  三' -> '张三'), others keep one."""
    text = _clean_text(value)
    if _CJK.search(text):
        return _WHITESPACE.sub("", text)
    return _WHITESPACE.sub(" ", text)


def _fold(text: str) -> str:
    """Fold full-width forms and drop spaces, '*' and parenthesized notes for lookups."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _PARENTHESIZED.sub("", folded)
    return _WHITESPACE.sub("", folded).strip("*").lower()


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterProblem:
    """One problem in an import: a row as a person counts it, a column header, a masked value."""

    row: int
    column: str
    value: str
    reason: str

    @classmethod
    def for_cell(cls, row: int, key: str, raw: Any, reason: str) -> RosterProblem:
        """A problem with the cell of column `key`, its value masked for the report."""
        return cls(
            row=row, column=_COLUMNS_BY_KEY[key].header, value=mask_cell(key, raw), reason=reason
        )

    def sort_key(self) -> tuple[int, int]:
        """Order by row, then by template column (whole-row problems first)."""
        return (self.row, _COLUMN_ORDER.get(self.column, -1))

    def to_dict(self) -> dict[str, Any]:
        """JSON form for API responses."""
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class RosterRow:
    """A clean, normalized roster row; `row` is where it came from (Excel row or 1-based index)."""

    row: int
    name: str
    id_number: str
    phone: str
    category: TraineeCategory
    gender: Gender
    education: str = ""
    school: str = ""
    major: str = ""
    graduation_year: int | None = None

    def problem(self, key: str, reason: str) -> RosterProblem:
        """A problem about this row's cell `key` (e.g. found in the database), value masked."""
        value = getattr(self, key, "")
        if key == "category":
            value = TRAINEE_CATEGORY_LABELS[self.category]
        elif key == "gender":
            value = GENDER_LABELS[self.gender]
        return RosterProblem.for_cell(self.row, key, value, reason)

    def to_dict(self, *, masked: bool = True) -> dict[str, Any]:
        """JSON form for API responses; ID and phone numbers masked unless asked otherwise."""
        return {
            "row": self.row,
            "name": self.name,
            "id_number": mask_id_number(self.id_number) if masked else self.id_number,
            "phone": mask_phone(self.phone) if masked else self.phone,
            "category": self.category.value,
            "category_label": TRAINEE_CATEGORY_LABELS[self.category],
            "gender": self.gender,
            "gender_label": GENDER_LABELS[self.gender],
            "education": self.education,
            "school": self.school,
            "major": self.major,
            "graduation_year": self.graduation_year,
        }


@dataclass
class RosterParseResult:
    """Valid rows and every problem found; importable only when `problems` is empty."""

    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong."""
        return not self.problems

    def add_problems(self, problems: Iterable[RosterProblem]) -> None:
        """Add problems (e.g. from database checks) and keep the report ordered."""
        self.problems.extend(problems)
        self.problems.sort(key=RosterProblem.sort_key)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for API responses (ID and phone numbers masked)."""
        return {
            "ok": self.ok,
            "row_count": len(self.rows),
            "problem_count": len(self.problems),
            "rows": [row.to_dict() for row in self.rows],
            "problems": [problem.to_dict() for problem in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Cell checks
# ---------------------------------------------------------------------------------------------


def _check_name(raw: Any) -> str:
    """Required name, inner spaces of Chinese names removed."""
    name = normalize_name(_clean_text(raw))
    if not name:
        raise _CellProblem("姓名不能为空")
    if len(name) > MAX_NAME_CHARS:
        raise _CellProblem(f"姓名不能超过{MAX_NAME_CHARS}个字")
    if any(ch.isdigit() for ch in name):
        raise _CellProblem("姓名不能包含数字，请检查是否填错了列")
    return name


def _check_id_number(raw: Any) -> str:
    """Required resident ID number, normalized; numbers from Excel are refused with advice."""
    if _is_number(raw):
        raise _CellProblem(_NUMERIC_ID)
    try:
        return validate_id_number(_clean_text(raw))
    except InvalidIdNumber as exc:
        raise _CellProblem(exc.reason) from None


def _check_phone(raw: Any) -> str:
    """Required mainland mobile number, normalized to 11 digits."""
    try:
        return validate_mobile(_clean_text(raw))
    except InvalidPhoneNumber as exc:
        raise _CellProblem(exc.reason) from None


_CATEGORY_LOOKUP: dict[str, TraineeCategory] = {
    **{_fold(label): category for category, label in TRAINEE_CATEGORY_LABELS.items()},
    **{_fold(category.value): category for category in TraineeCategory},
    _fold("其他青年群体"): TraineeCategory.OTHER_YOUTH,
}


def _check_category(raw: Any) -> TraineeCategory:
    """Required category of 第三条, by Chinese label or enum value."""
    text = _clean_text(raw)
    if not text:
        raise _CellProblem("人员类别不能为空")
    category = _CATEGORY_LOOKUP.get(_fold(text))
    if category is None:
        labels = "、".join(TRAINEE_CATEGORY_LABELS.values())
        raise _CellProblem(f"人员类别无效，应为以下之一：{labels}")
    return category


def _check_gender(raw: Any) -> Gender | None:
    """Optional gender written as 男/女 (or male/female)."""
    text = _clean_text(raw)
    if not text:
        return None
    gender = _GENDER_WORDS.get(_fold(text))
    if gender is None:
        raise _CellProblem("性别应填写“男”或“女”，也可不填")
    return gender


_EDUCATION_LOOKUP: dict[str, str] = {
    **{_fold(level): level for level in EDUCATION_LEVELS},
    **{_fold(alias): level for alias, level in _EDUCATION_ALIASES.items()},
}


def _check_education(raw: Any) -> str:
    """Optional education level from the fixed list."""
    text = _clean_text(raw)
    if not text:
        return ""
    level = _EDUCATION_LOOKUP.get(_fold(text))
    if level is None:
        raise _CellProblem("学历应为以下之一：" + "、".join(EDUCATION_LEVELS))
    return level


def _check_text(raw: Any, header: str) -> str:
    """Optional free text of bounded length."""
    text = _clean_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise _CellProblem(f"{header}不能超过{MAX_TEXT_CHARS}个字")
    return text


def _check_school(raw: Any) -> str:
    """Optional school name."""
    return _check_text(raw, "毕业院校")


def _check_major(raw: Any) -> str:
    """Optional major."""
    return _check_text(raw, "所学专业")


def _check_graduation_year(raw: Any) -> int | None:
    """Optional 4-digit graduation year within the accepted range."""
    if isinstance(raw, date):
        year = raw.year
    else:
        text = unicodedata.normalize("NFKC", _clean_text(raw)).removesuffix("年")
        if not text:
            return None
        if not _YEAR.fullmatch(text):
            raise _CellProblem("毕业年份应为4位数字年份，如2024")
        year = int(text)
    if not MIN_GRADUATION_YEAR <= year <= MAX_GRADUATION_YEAR:
        raise _CellProblem(f"毕业年份应在{MIN_GRADUATION_YEAR}年至{MAX_GRADUATION_YEAR}年之间")
    return year


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _check_name,
    "id_number": _check_id_number,
    "phone": _check_phone,
    "category": _check_category,
    "gender": _check_gender,
    "education": _check_education,
    "school": _check_school,
    "major": _check_major,
    "graduation_year": _check_graduation_year,
}


def _id_gender(id_number: str) -> Gender:
    """Gender encoded in a validated ID number (odd 17th digit means male)."""
    return "male" if int(id_number[16]) % 2 == 1 else "female"


# ---------------------------------------------------------------------------------------------
# The one checking path
# ---------------------------------------------------------------------------------------------


@dataclass
class _Progress:
    """Reports progress every PROGRESS_EVERY rows and once at the end, never twice the same."""

    callback: ProgressCallback | None
    total: int
    last: tuple[int, int] | None = None

    def step(self, done: int) -> None:
        """Report on every hundredth row."""
        if done % PROGRESS_EVERY == 0:
            self._emit(done, max(self.total, done))

    def finish(self, done: int) -> None:
        """Report completion."""
        self._emit(done, done)

    def _emit(self, done: int, total: int) -> None:
        """Call the callback unless this exact report was just made."""
        if self.callback is not None and self.last != (done, total):
            self.last = (done, total)
            self.callback(done, total)


@dataclass
class _Checker:
    """Checks records one by one, remembering where each ID number was first seen."""

    result: RosterParseResult = field(default_factory=RosterParseResult)
    first_row_of_id: dict[str, int] = field(default_factory=dict)

    def check(self, row: int, record: Mapping[str, Any]) -> None:
        """Check one record; keep it if clean, otherwise report each bad cell."""
        values: dict[str, Any] = {}
        problems: list[RosterProblem] = []
        for key, check in _CHECKS.items():
            try:
                values[key] = check(record.get(key))
            except _CellProblem as exc:
                problems.append(RosterProblem.for_cell(row, key, record.get(key), exc.reason))
        id_number = values.get("id_number")
        if id_number is not None:
            problems.extend(self._cross_checks(row, record, id_number, values.get("gender")))
        self.result.problems.extend(problems)
        if not problems:
            self.result.rows.append(_make_row(row, values))

    def _cross_checks(
        self, row: int, record: Mapping[str, Any], id_number: str, gender: Gender | None
    ) -> list[RosterProblem]:
        """Problems needing a valid ID number: gender agreement and duplicates in the file."""
        found: list[RosterProblem] = []
        expected = _id_gender(id_number)
        if gender is not None and gender != expected:
            reason = f"性别与身份证号码不符（按身份证号码应为{GENDER_LABELS[expected]}）"
            found.append(RosterProblem.for_cell(row, "gender", record.get("gender"), reason))
        first = self.first_row_of_id.setdefault(id_number, row)
        if first != row:
            reason = f"与第{first}行身份证号码重复"
            found.append(RosterProblem.for_cell(row, "id_number", id_number, reason))
        return found

    def malformed(self, row: int) -> None:
        """Report a JSON item that is not an object."""
        reason = "数据格式无效：每一行应为一个对象"
        self.result.problems.append(RosterProblem(row=row, column="", value="", reason=reason))


def _make_row(row: int, values: Mapping[str, Any]) -> RosterRow:
    """Build a clean row from checked values."""
    id_number: str = values["id_number"]
    return RosterRow(
        row=row,
        name=values["name"],
        id_number=id_number,
        phone=values["phone"],
        category=values["category"],
        gender=values["gender"] or _id_gender(id_number),
        education=values["education"],
        school=values["school"],
        major=values["major"],
        graduation_year=values["graduation_year"],
    )


def _is_skipped(record: Mapping[str, Any]) -> bool:
    """Whether a record is blank (a 序号 alone counts as blank) or the template's example."""
    if _clean_text(record.get("seq")).startswith(EXAMPLE_MARK):
        return True
    return all(not _clean_text(value) for key, value in record.items() if key != "seq")


def _too_many(row: int) -> RosterParseResult:
    """The single problem reported when a file has more than MAX_ROWS data rows."""
    reason = f"每次最多导入{MAX_ROWS}人，本文件超过{MAX_ROWS}行数据，请拆分为多个文件分批导入"
    return RosterParseResult(problems=[RosterProblem(row=row, column="", value="", reason=reason)])


def _is_example(record: Any) -> bool:
    return isinstance(record, Mapping) and _clean_text(record.get("seq")).startswith(EXAMPLE_MARK)


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise RosterFileError(NOT_XLSX + "：文件处理超时，请确认文件只包含学员名册后重新上传")


def _check_records(
    records: Iterable[tuple[int, Any]],
    total: int,
    progress: ProgressCallback | None,
    deadline: float | None = None,
) -> RosterParseResult:
    """Check numbered records: skip blanks and the example, enforce the limit, report progress.

    Every row under the header counts toward MAX_ROWS, blank ones too: a workbook of a
    million empty rows is refused at row MAX_ROWS + 1, not read to its end.
    """
    checker = _Checker()
    ticker = _Progress(progress, total)
    done = counted = 0
    for done, (row, record) in enumerate(records, start=1):
        ticker.step(done)
        if done % PROGRESS_EVERY == 0:
            _check_deadline(deadline)
        if _is_example(record):
            continue
        counted += 1
        if counted > MAX_ROWS:
            ticker.finish(done)
            return _too_many(row)
        if not isinstance(record, Mapping):
            checker.malformed(row)
            continue
        if _is_skipped(record):
            continue
        checker.check(row, record)
    ticker.finish(done)
    checker.result.problems.sort(key=RosterProblem.sort_key)
    return checker.result


def parse_rows(rows: list[dict[str, Any]]) -> RosterParseResult:
    """Check JSON rows keyed by column key; `row` in problems is the 1-based index."""
    return _check_records(enumerate(rows, start=1), len(rows), None)


# ---------------------------------------------------------------------------------------------
# Reading a workbook
# ---------------------------------------------------------------------------------------------


def _header_lookup() -> dict[str, str]:
    """Folded header text -> column key, including common alternative headers."""
    lookup = {_fold(column.header): column.key for column in ROSTER_COLUMNS}
    for key, aliases in _HEADER_ALIASES.items():
        lookup.update({_fold(alias): key for alias in aliases})
    return lookup


_HEADER_LOOKUP = _header_lookup()


@dataclass(frozen=True)
class _Header:
    """Where the header row is and which column holds which key."""

    row: int
    positions: dict[str, int]
    repeated: tuple[str, ...]

    def record(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """Cell values of one data row keyed by column key."""
        return {key: values[i] for key, i in self.positions.items() if i < len(values)}

    def problems(self) -> list[RosterProblem]:
        """Missing required columns and repeated headers, or nothing."""
        found: list[RosterProblem] = []
        missing = [_COLUMNS_BY_KEY[k].header for k in _REQUIRED_KEYS if k not in self.positions]
        if missing:
            reason = f"缺少必填列：{'、'.join(missing)}。请使用导入模板，不要修改或删除表头"
            found.append(RosterProblem(row=self.row, column="", value="", reason=reason))
        for header in self.repeated:
            reason = f"表头“{header}”出现了多次，请只保留一列"
            found.append(RosterProblem(row=self.row, column=header, value="", reason=reason))
        return found


def _read_header(row: int, values: tuple[Any, ...]) -> _Header | None:
    """Recognize a header row: at least two known headers in it."""
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for i, value in enumerate(values):
        key = _HEADER_LOOKUP.get(_fold(_clean_text(value)))
        if key is None:
            continue
        if key in positions:
            repeated.append(_COLUMNS_BY_KEY[key].header)
        else:
            positions[key] = i
    if len(positions) < 2:
        return None
    return _Header(row=row, positions=positions, repeated=tuple(dict.fromkeys(repeated)))


def _no_header() -> RosterParseResult:
    """The single problem reported when no sheet has a recognizable header row."""
    required = "、".join(_COLUMNS_BY_KEY[k].header for k in _REQUIRED_KEYS)
    reason = f"未找到表头，缺少必填列：{required}。请使用导入模板填写，表头应位于第1行"
    return RosterParseResult(problems=[RosterProblem(row=1, column="", value="", reason=reason)])


def _sheet_rows(sheet: Any) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    """Numbered rows of a read-only sheet; read errors become RosterFileError."""
    rows = sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True)
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl raises many kinds of errors on damaged XML
            raise RosterFileError() from exc
        number += 1
        yield number, values


def _find_header(
    rows: Iterator[tuple[int, tuple[Any, ...]]],
) -> _Header | None:
    """Consume rows up to and including the header, scanning the first few rows only."""
    for number, values in rows:
        header = _read_header(number, values)
        if header is not None or number >= _HEADER_SCAN_ROWS:
            return header
    return None


def _check_zip(data: bytes) -> None:
    """Refuse non-zip data and archives that would unpack to something huge."""
    if data.startswith(_OLE_MAGIC):
        raise RosterFileError(NOT_XLSX + _OLE_HINT)
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            # zipfile never inflates a member past its declared size: the sum is a real cap.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise RosterFileError() from exc
    if unpacked > _MAX_UNZIPPED_BYTES:
        raise RosterFileError(NOT_XLSX + "：文件内容过大")


def _open_workbook(data: bytes) -> Any:
    """Open a workbook for streaming or raise RosterFileError."""
    _check_zip(data)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a bad file
        raise RosterFileError() from exc


def _check_under_header(
    header: _Header,
    rows: Iterator[tuple[int, tuple[Any, ...]]],
    last_row: int,
    progress: ProgressCallback | None,
    deadline: float | None,
) -> RosterParseResult:
    """Report header problems, or check the rows below the header."""
    if problems := header.problems():
        _Progress(progress, 0).finish(0)
        return RosterParseResult(problems=problems)
    records = ((number, header.record(values)) for number, values in rows)
    return _check_records(records, max(last_row - header.row, 0), progress, deadline)


def _parse_workbook(
    workbook: Any, progress: ProgressCallback | None, deadline: float | None
) -> RosterParseResult:
    """Find the first sheet with a header row and check the rows under it."""
    for sheet in workbook.worksheets:
        last_row = sheet.max_row or 0  # from the sheet's declared dimension, for progress only
        sheet.reset_dimensions()  # stream only rows really present, not a padded dimension
        rows = _sheet_rows(sheet)
        try:
            header = _find_header(rows)
            if header is not None:
                return _check_under_header(header, rows, last_row, progress, deadline)
        finally:
            rows.close()
    _Progress(progress, 0).finish(0)
    return _no_header()


def parse_xlsx(
    data: bytes,
    *,
    progress: ProgressCallback | None = None,
    time_budget: float | None = PARSE_TIME_BUDGET,
) -> RosterParseResult:
    """Check a roster workbook; raise RosterFileError when it is not a readable .xlsx file.

    CPU-bound: callers on an event loop run it in a worker thread (`read_roster`).
    """
    deadline = time.monotonic() + time_budget if time_budget is not None else None
    workbook = _open_workbook(data)
    try:
        return _parse_workbook(workbook, progress, deadline)
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_TEXT_FORMAT = "@"
_LAST_TEMPLATE_ROW = MAX_ROWS + 2  # the header, the example row and MAX_ROWS people

# The GB 11643-1999 worked example (not a real person's number) and the customary sample phone.
_EXAMPLE_ROW: dict[str, Any] = {
    "seq": EXAMPLE_MARK,
    "name": "林晓雯",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "category": TRAINEE_CATEGORY_LABELS[TraineeCategory.UNEMPLOYED_GRADUATE],
    "gender": "女",
    "education": "本科",
    "school": "福州大学",
    "major": "计算机科学与技术",
    "graduation_year": 2024,
}

_GUIDE_NOTES: tuple[str, ...] = (
    f"1. 请在“{_TEMPLATE_SHEET}”工作表中填写，第1行为表头，请勿修改、删除或调换表头。",
    f"2. 第2行（序号为“{EXAMPLE_MARK}”）是填写示例，导入时会自动跳过，可保留也可删除。",
    "3. 表头带 * 的列为必填项；序号可不填。",
    "4. 身份证号码、手机号码两列已设置为“文本”格式。从其他表格复制时请使用“选择性粘贴→数值”，"
    "不要把身份证号码存成数字，否则末几位会变成0。",
    f"5. 同一文件中身份证号码不能重复；每次最多导入{MAX_ROWS}人，人数更多时请分批导入。",
    "6. 上传后系统会一次性列出所有有问题的行和单元格（身份证号码、手机号码会部分隐藏），"
    "按提示修改后重新上传即可。",
)


def _column_letter(key: str) -> str:
    """Spreadsheet letter of a template column."""
    return get_column_letter([c.key for c in ROSTER_COLUMNS].index(key) + 1)


def _column_range(key: str) -> str:
    """Data cells of a template column, below the header."""
    letter = _column_letter(key)
    return f"{letter}2:{letter}{_LAST_TEMPLATE_ROW}"


def _write_header(sheet: Any) -> None:
    """Bold, frozen header row; sensible widths; ID and phone columns formatted as text."""
    for index, column in enumerate(ROSTER_COLUMNS, start=1):
        cell = xlsx.cell(sheet, 1, index, column.title)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.key in ("id_number", "phone"):
            dimension.number_format = _TEXT_FORMAT
    sheet.row_dimensions[1].height = 22
    sheet.freeze_panes = "A2"


def _write_example(sheet: Any) -> None:
    """Row 2: a grey, italic example the parser skips."""
    for index, column in enumerate(ROSTER_COLUMNS, start=1):
        cell = xlsx.cell(sheet, 2, index, _EXAMPLE_ROW[column.key])
        cell.font = _EXAMPLE_FONT
        if column.key in ("id_number", "phone"):
            cell.number_format = _TEXT_FORMAT


def _list_validation(key: str, options: Iterable[str], error: str) -> DataValidation:
    """A drop-down of fixed options for one column."""
    column = _COLUMNS_BY_KEY[key]
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=not column.required,
        showDropDown=False,  # counter-intuitively, False shows the arrow
        showErrorMessage=True,
        errorTitle=f"{column.header}无效",
        error=error,
        showInputMessage=True,
        promptTitle=column.header,
        prompt=column.hint,
    )
    validation.add(_column_range(key))
    return validation


def _length_validation(key: str, length: int) -> DataValidation:
    """A warning when a text cell does not have the expected length."""
    column = _COLUMNS_BY_KEY[key]
    validation = DataValidation(
        type="textLength",
        operator="equal",
        formula1=str(length),
        errorStyle="warning",
        showErrorMessage=True,
        errorTitle=f"{column.header}位数不对",
        error=f"{column.header}应为{length}位，请核对",
        showInputMessage=True,
        promptTitle=column.header,
        prompt=column.hint,
    )
    validation.add(_column_range(key))
    return validation


def _year_validation() -> DataValidation:
    """A warning when the graduation year is out of range."""
    column = _COLUMNS_BY_KEY["graduation_year"]
    validation = DataValidation(
        type="whole",
        operator="between",
        formula1=str(MIN_GRADUATION_YEAR),
        formula2=str(MAX_GRADUATION_YEAR),
        errorStyle="warning",
        showErrorMessage=True,
        errorTitle="毕业年份无效",
        error=column.hint,
        showInputMessage=True,
        promptTitle=column.header,
        prompt=column.hint,
    )
    validation.add(_column_range("graduation_year"))
    return validation


def _add_validations(sheet: Any) -> None:
    """Drop-downs for category, education and gender; checks for ID, phone and year."""
    categories = TRAINEE_CATEGORY_LABELS.values()
    validations = (
        _list_validation("category", categories, "请从下拉列表中选择人员类别"),
        _list_validation("education", EDUCATION_LEVELS, "请从下拉列表中选择学历"),
        _list_validation("gender", GENDER_LABELS.values(), "请填写“男”或“女”，也可不填"),
        _length_validation("id_number", 18),
        _length_validation("phone", 11),
        _year_validation(),
    )
    for validation in validations:
        sheet.add_data_validation(validation)


def _write_guide(sheet: Any) -> None:
    """The 填写说明 sheet: general notes, then one line per column."""
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
    xlsx.append(sheet, ["学员名册填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in _GUIDE_NOTES:
        xlsx.append(sheet, [note])
    xlsx.append(sheet, [])
    xlsx.append(sheet, ["列名", "是否必填", "填写要求"])
    table_header = sheet.max_row
    for cell in sheet[table_header]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in ROSTER_COLUMNS:
        xlsx.append(sheet, [column.header, "必填" if column.required else "选填", column.hint])
    for row in sheet.iter_rows(min_row=table_header + 1):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")


def build_template() -> bytes:
    """The roster import template (.xlsx) with drop-downs, an example row and instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _TEMPLATE_SHEET
    _write_header(sheet)
    _write_example(sheet)
    _add_validations(sheet)
    _write_guide(workbook.create_sheet(_GUIDE_SHEET))
    return xlsx.workbook_bytes(workbook)


# ---------------------------------------------------------------------------------------------
# Checking against the database, and enrolling
# ---------------------------------------------------------------------------------------------


async def _enrolled_elsewhere(class_id: int, rows: list[RosterRow]) -> dict[str, int]:
    """ID-number hash → the other active class a person is already enrolled in.

    A trainee may sit in one class at a time: `OCCUPYING` are the classes that hold a seat.
    """
    hashes = {id_number_hash(r.id_number): r for r in rows}
    found = (
        await Enrolment.filter(
            trainee__id_number_hash__in=list(hashes),
            status=EnrolmentStatus.ENROLLED,
            training_class__status__in=OCCUPYING,
        )
        .exclude(training_class_id=class_id)
        .values("trainee__id_number_hash", "training_class_id")
    )
    return {row["trainee__id_number_hash"]: row["training_class_id"] for row in found}


async def _blacklisted(rows: list[RosterRow]) -> set[str]:
    """ID-number hashes of people on the trainee blacklist today (第二十七条)."""
    hashes = [id_number_hash(r.id_number) for r in rows]
    known = dict(
        await Trainee.filter(id_number_hash__in=hashes).values_list("id", "id_number_hash")
    )
    listed = await blacklisted_ids(BlacklistKind.TRAINEE, list(known), on=clock.today())
    return {str(known[i]) for i in listed}


async def check_database(class_id: int, result: RosterParseResult) -> None:
    """Add the problems only the database can see: enrolled elsewhere, or blacklisted."""
    clashes = await _enrolled_elsewhere(class_id, result.rows)
    listed = await _blacklisted(result.rows)
    problems = [
        row.problem("id_number", f"该学员已报名其他在读培训班（班级编号{clashes[h]}）")
        for row in result.rows
        if (h := id_number_hash(row.id_number)) in clashes
    ] + [
        row.problem("id_number", "该学员在求职能力实训黑名单期限内，不能报名（第二十七条）")
        for row in result.rows
        if id_number_hash(row.id_number) in listed
    ]
    result.add_problems(problems)


async def check_capacity(klass: TrainingClass, rows: list[RosterRow]) -> None:
    """A roster may not take a class beyond its capacity (people already enrolled included)."""
    enrolled = set(
        await Enrolment.filter(
            training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
        ).values_list("trainee__id_number_hash", flat=True)
    )
    newcomers = {id_number_hash(r.id_number) for r in rows} - enrolled
    if len(enrolled) + len(newcomers) > klass.capacity:
        raise RuleViolation(
            f"本班容量为{klass.capacity}人，已报名{len(enrolled)}人，本次新增{len(newcomers)}人，"
            "超出容量，未导入任何学员",
            code="CLASS_CAPACITY_EXCEEDED",
            details={
                "capacity": klass.capacity,
                "enrolled": len(enrolled),
                "newcomers": len(newcomers),
            },
        )


async def read_roster(xlsx: bytes, progress: ProgressCallback | None = None) -> RosterParseResult:
    """Parse a workbook in a worker thread so the event loop keeps serving (time-boxed)."""
    return await asyncio.to_thread(parse_xlsx, xlsx, progress=progress)


@dataclass(frozen=True, slots=True)
class RosterImport:
    """How many roster rows were checked and enrolled (none on a dry run)."""

    imported: int
    checked: int
    dry_run: bool


async def import_roster(
    *,
    actor: Actor,
    class_id: int,
    xlsx: bytes | None = None,
    rows: list[dict[str, Any]] | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> RosterImport:
    """Validate a roster (xlsx or JSON rows) and, if every row is good, enrol all of them."""
    klass = await editable_plan(actor, class_id)
    result = await read_roster(xlsx, progress) if xlsx is not None else parse_rows(rows or [])
    await check_database(klass.id, result)
    if not result.ok:
        raise InvalidInput(
            f"花名册有{len(result.problems)}处问题，未导入任何学员，请修改后重新上传",
            code="ROSTER_INVALID",
            details=result.to_dict(),
        )
    await check_capacity(klass, result.rows)
    if dry_run:
        return RosterImport(imported=0, checked=len(result.rows), dry_run=True)
    async with in_transaction():
        for row in result.rows:
            trainee = await register_trainee(data=_trainee_input(row))
            await Enrolment.get_or_create(
                training_class_id=klass.id,
                trainee_id=trainee.id,
                defaults={"category": row.category.value},
            )
    return RosterImport(imported=len(result.rows), checked=len(result.rows), dry_run=False)


def _trainee_input(row: RosterRow) -> TraineeInput:
    return TraineeInput(
        name=row.name,
        id_number=row.id_number,
        category=row.category,
        phone=row.phone,
        education=row.education,
        school=row.school,
        major=row.major,
        graduation_year=row.graduation_year,
    )
