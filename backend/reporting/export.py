"""The HR dashboard's figures as a workbook: one row per district or institution, and the total."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.security import xlsx

HEADERS = [
    "分组",
    "应出勤人次",
    "实出勤人次",
    "出勤率",
    "跟踪班级数",
    "跟踪完成班级数",
    "学员数",
    "就业人数",
    "就业率",
    "补贴总额（元）",
    "已到期未拨付（元）",
    "已拨付（元）",
]


def _text(value: str) -> str:
    """A name as text: a leading = + - @ would be a formula to spreadsheet programs."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _row(group: dict[str, Any]) -> list[Any]:
    attendance, followup = group["attendance"], group["followup"]
    employment, subsidy = group["employment"], group["subsidy"]
    return [
        _text(group["name"]),
        attendance["expected"],
        attendance["attended"],
        float(attendance["rate"]) if attendance["rate"] is not None else None,
        followup["classes"],
        followup["complete"],
        employment["enrolled"],
        employment["employed"],
        float(employment["rate"]) if employment["rate"] is not None else None,
        float(subsidy["total"]),
        float(subsidy["due_unpaid"]),
        float(subsidy["paid"]),
    ]


def dashboard_workbook(result: dict[str, Any]) -> bytes:
    """The dashboard (as `hr_dashboard` returns it) as an xlsx workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    by = "区县" if result["by"] == "district" else "培训机构"
    sheet.title = f"按{by}"
    period = result["period"]
    xlsx.append(sheet, [f"求职能力实训看板（按{by}）  {period['start']} 至 {period['end']}"])
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx.append(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for group in [*result["groups"], result["total"]]:
        xlsx.append(sheet, _row(group))
    for column in ("D", "I"):
        for cell in sheet[column][2:]:
            cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 30
    return xlsx.workbook_bytes(book)
