"""The HR dashboard's figures as a workbook, one sheet per chart of the console: the groups
(one row per district or institution, and the total), the employment rate by month, and the
follow-up funnel."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.reporting.dashboard import Dashboard, GroupFigures
from backend.security import xlsx

HEADERS = [
    "分组",
    "应出勤人次",
    "实出勤人次",
    "出勤率",
    "跟踪班级数",
    "跟踪完成班级数",
    "学员数",
    "申报就业人数",
    "申报就业率",
    "核实就业人数",
    "核实就业率",
    "补贴总额（元）",
    "已到期未拨付（元）",
    "已拨付（元）",
]


def _row(group: GroupFigures) -> list[Any]:
    attendance, followup = group.attendance, group.followup
    employment, subsidy = group.employment, group.subsidy
    return [
        group.name,
        attendance.expected,
        attendance.attended,
        float(attendance.rate) if attendance.rate is not None else None,
        followup.classes,
        followup.complete,
        employment.enrolled,
        employment.claimed.employed,
        employment.claimed.rate,
        employment.verified.employed,
        employment.verified.rate,
        float(subsidy.total),
        float(subsidy.due_unpaid),
        float(subsidy.paid),
    ]


def dashboard_workbook(result: Dashboard) -> bytes:
    """The dashboard (as `hr_dashboard` returns it) as an xlsx workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    by = "区县" if result.by == "district" else "培训机构"
    sheet.title = f"按{by}"
    period = result.period
    xlsx.append(sheet, [f"求职能力实训看板（按{by}）  {period.start} 至 {period.end}"])
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx.append(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for group in [*result.groups, result.total]:
        xlsx.append(sheet, _row(group))
    for column in ("D", "I", "K"):  # attendance, claimed and verified employment rates
        for cell in sheet[column][2:]:
            cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 30
    _months_sheet(book, result)
    _funnel_sheet(book, result)
    return xlsx.workbook_bytes(book)


MONTH_HEADERS = [
    "分组",
    "开班月份",
    "学员数",
    "申报就业人数",
    "申报就业率",
    "核实就业人数",
    "核实就业率",
]
FUNNEL_HEADERS = [
    "分组",
    "回访问卷节点（人次）",
    "已排队",
    "已发送",
    "已作答",
    "申报就业（人）",
    "核实就业（人）",
]


def _header(sheet: Any, headers: list[str]) -> None:
    xlsx.append(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30


def _months_sheet(book: Workbook, result: Dashboard) -> None:
    """就业率趋势: a row per group and month of the classes' start, then the total's months."""
    sheet = book.create_sheet("就业率趋势")
    _header(sheet, MONTH_HEADERS)
    for group in [*result.groups, result.total]:
        for month in group.employment_by_month:
            claimed, verified = month.claimed, month.verified
            xlsx.append(
                sheet,
                [
                    group.name,
                    month.month,
                    month.enrolled,
                    claimed.employed,
                    claimed.rate,
                    verified.employed,
                    verified.rate,
                ],
            )
    for column in ("E", "G"):
        for cell in sheet[column][1:]:
            cell.number_format = "0.0%"


def _funnel_sheet(book: Workbook, result: Dashboard) -> None:
    """跟踪服务漏斗: invitations queued → sent → answered, then trainees employed."""
    sheet = book.create_sheet("跟踪服务漏斗")
    _header(sheet, FUNNEL_HEADERS)
    for group in [*result.groups, result.total]:
        f = group.followup_funnel
        row = [f.invitations, f.queued, f.sent, f.answered, f.employed]
        xlsx.append(sheet, [group.name, *row, f.verified])
