"""The attendance workbook: a sheet per class, a row per trainee, a column per session.

Headers and cells are in Chinese; totals at the end of each row and column. Names only:
ID-card and phone numbers are not in the workbook.
"""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from backend import clock
from backend.attendance.views import ClassAttendance
from backend.security import xlsx

TOTAL_HEADERS = ["出勤", "迟到", "缺勤", "请假", "待确认", "已开课次", "出勤率"]
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _FORBIDDEN.sub("", title).strip()[:28] or "培训班"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}-{n}", n + 1
    taken.add(name)
    return name


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _header(ws: Worksheet, matrix: ClassAttendance) -> None:
    width = 2 + len(matrix.sessions) + len(TOTAL_HEADERS)
    xlsx.cell(ws, 1, 1, f"{matrix.klass.title} 考勤表").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    exported = clock.local(matrix.now).strftime("%Y-%m-%d %H:%M")
    xlsx.cell(ws, 2, 1, f"导出时间：{exported}（出勤率＝已确认的出勤与迟到次数 ÷ 已开课次）")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    heads = ["序号", "姓名"]
    heads += [
        f"{clock.local(s.starts_at).strftime('%m-%d %H:%M')}\n{s.topic}" for s in matrix.sessions
    ]
    for col, text in enumerate([*heads, *TOTAL_HEADERS], start=1):
        cell = xlsx.cell(ws, 3, col, text)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEAD_FILL, _WRAP
    ws.row_dimensions[3].height = 36


def _trainee_rows(ws: Worksheet, matrix: ClassAttendance) -> None:
    for n, trainee in enumerate(matrix.trainees, start=1):
        row = 3 + n
        tid = trainee.trainee_id
        values = [n, trainee.name]
        values += [matrix.cells[(tid, s.id)].label for s in matrix.sessions]
        t = matrix.trainee_totals(tid)
        values += [t.present, t.late, t.absent, t.excused, t.pending, t.held, _percent(t.rate)]
        for col, value in enumerate(values, start=1):
            xlsx.cell(ws, row, col, value).alignment = _WRAP


def _session_totals(ws: Worksheet, matrix: ClassAttendance) -> None:
    first = 4 + len(matrix.trainees)
    xlsx.cell(ws, first, 2, "出勤人数").font = _BOLD
    xlsx.cell(ws, first + 1, 2, "出勤率").font = _BOLD
    for col, session in enumerate(matrix.sessions, start=3):
        totals = matrix.session_totals(session.id)
        xlsx.cell(ws, first, col, totals.attended).alignment = _WRAP
        xlsx.cell(ws, first + 1, col, _percent(totals.rate)).alignment = _WRAP


def _class_sheet(ws: Worksheet, matrix: ClassAttendance) -> None:
    _header(ws, matrix)
    _trainee_rows(ws, matrix)
    _session_totals(ws, matrix)
    ws.freeze_panes = "C4"
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 12
    for col in range(3, 3 + len(matrix.sessions) + len(TOTAL_HEADERS)):
        ws.column_dimensions[get_column_letter(col)].width = 14


def attendance_workbook(matrices: list[ClassAttendance]) -> bytes:
    """The workbook (xlsx bytes) with one sheet per class."""
    workbook = Workbook()
    taken: set[str] = set()
    for index, matrix in enumerate(matrices):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        assert ws is not None
        ws.title = _sheet_title(matrix.klass.title, taken)
        _class_sheet(ws, matrix)
    return xlsx.workbook_bytes(workbook)
