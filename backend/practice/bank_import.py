"""Question-bank workbooks (题库导入): the columns, reading and checking every row (no database).

The first sheet's first row names the columns (order free): 题型 (单选/多选/判断/简答), 题干,
选项A … 选项H, 答案, 分值 (default 2), 评分标准 (short answers). Every bad row is listed with
every problem at once; the service imports nothing unless every row is good.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from backend.practice.models import QuestionKind
from backend.practice.scoring import LETTERS, normalise_answer

MAX_ROWS = 1000
MAX_COLUMNS = 30  # the bank's nine columns and room for notes
MAX_UNZIPPED = 20 * 1024 * 1024  # 1,000 questions unpack to well under 2 MB
KIND_LABELS: dict[str, QuestionKind] = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUE_FALSE,
    "判断题": QuestionKind.TRUE_FALSE,
    "简答": QuestionKind.SHORT,
    "简答题": QuestionKind.SHORT,
}
REQUIRED = ("题型", "题干", "答案")
OPTION_COLUMNS = tuple(f"选项{c}" for c in LETTERS)


class BankFileError(ValueError):
    """The upload is not a readable .xlsx workbook, or lacks the required columns."""


@dataclass(frozen=True)
class BankRow:
    """A checked question ready to store."""

    kind: QuestionKind
    stem: str
    options: list[str]
    answer: Any
    points: int
    rubric: str


@dataclass
class BankParse:
    """Good rows, and every bad row with its problems."""

    rows: list[BankRow] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_question(
    kind_label: str, stem: str, options: list[str], answer: Any, points: Any, rubric: str
) -> tuple[BankRow | None, list[str]]:
    """One question checked: the row, or every problem found."""
    problems: list[str] = []
    kind = KIND_LABELS.get(kind_label) or (
        QuestionKind(kind_label) if kind_label in set(QuestionKind) else None
    )
    if kind is None:
        problems.append("题型应为单选、多选、判断或简答")
    if len(stem) < 2:
        problems.append("题干不能为空")
    try:
        score = int(_text(points) or 2)
        if not 1 <= score <= 100:
            raise ValueError
    except ValueError:
        problems.append("分值应为1到100之间的整数")
        score = 0
    normalised: Any = None
    if kind is not None:
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = [o for o in options if o]
        else:
            options = []
        try:
            normalised = normalise_answer(kind, answer, options)
        except ValueError as exc:
            problems.append(str(exc))
        if kind is QuestionKind.SHORT and not (rubric or (normalised or {}).get("reference")):
            problems.append("简答题请填写参考答案或评分标准")
    if problems or kind is None:
        return None, problems
    return BankRow(kind, stem, options, normalised, score, rubric), []


def _open(data: bytes) -> Any:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED:
                raise BankFileError("文件内容过大")
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except BankFileError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds of errors on a bad file
        raise BankFileError("文件不是有效的 Excel（.xlsx）文件") from exc


def parse_bank_xlsx(data: bytes) -> BankParse:
    """Check a question-bank workbook: good rows and every bad row (numbered as in Excel)."""
    workbook = _open(data)
    # the columns a bank can use, and no further: a sheet as wide as Excel allows is not read
    rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header = [_text(v) for v in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BankFileError(f"第1行缺少列：{'、'.join(missing)}")
    column = {name: i for i, name in enumerate(header) if name}
    result = BankParse()
    for number, values in enumerate(rows, start=2):
        # every row under the header counts, blank ones too: a workbook of a million empty
        # rows is refused at row MAX_ROWS + 2, not read to its end
        if number - 1 > MAX_ROWS:
            result.errors.append((number, [f"一次最多导入{MAX_ROWS}道题，请拆分为多个文件"]))
            break
        cells = {name: values[i] if i < len(values) else None for name, i in column.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        row, problems = check_question(
            _text(cells.get("题型")),
            _text(cells.get("题干")),
            [_text(cells.get(c)) for c in OPTION_COLUMNS],
            cells.get("答案") if isinstance(cells.get("答案"), bool) else _text(cells.get("答案")),
            cells.get("分值"),
            _text(cells.get("评分标准")),
        )
        if row is None:
            result.errors.append((number, problems))
        else:
            result.rows.append(row)
    workbook.close()
    return result
