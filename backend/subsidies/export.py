"""第二十四条 application materials as workbooks: 补贴申请表 and 补贴人员花名册."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from backend.accounts.models import (
    TRAINEE_CATEGORY_LABELS,
    Institution,
    Trainee,
    TraineeCategory,
)
from backend.accounts.service import ID_CONTEXT, decrypt_pii
from backend.certificates.service import completions
from backend.classes.models import TrainingClass
from backend.employment.outcomes import EMPLOYED_STATES, latest_outcomes
from backend.security import xlsx
from backend.security.pii import mask_id_number
from backend.subsidies.service import BASIS_LABELS, SubsidyPlan

BOLD = Font(bold=True)


def _header(sheet: Worksheet, headers: list[str], widths: list[int]) -> None:
    xlsx.append(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width


def _save(book: Workbook) -> bytes:
    return xlsx.workbook_bytes(book)


async def application_form(klass: TrainingClass, plan: SubsidyPlan) -> bytes:
    """求职能力实训补贴申请表: the class, the basis of the amount, every tranche."""
    institution = await Institution.get(id=klass.institution_id)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "补贴申请表"
    xlsx.append(sheet, ["求职能力实训补贴申请表"])
    sheet["A1"].font = Font(bold=True, size=14)
    rows: list[list[Any]] = [
        ["培训机构", institution.name],
        ["统一社会信用代码", institution.credit_code],
        ["培训班名称", klass.title],
        ["培训班类型", "师资班" if plan.kind == "instructor_class" else "学员班"],
        ["培训日期", f"{klass.start_date.isoformat()} 至 {klass.end_date.isoformat()}"],
        ["合同金额（元）", plan.contract_amount],
        ["实际培训人数", plan.actual_trainees],
        ["核定人数", f"{plan.counted_trainees}（{BASIS_LABELS[plan.basis]}）"],
        ["补贴标准（元/人，上限）", plan.per_person_cap],
        ["补贴总额（元）", plan.total],
        ["已拨付合计（元）", plan.paid],
    ]
    if plan.overpaid:
        rows.append(["多拨付应退回（元）", plan.overpaid])
    for row in rows:
        xlsx.append(sheet, row)
    xlsx.append(sheet, [])
    _header(
        sheet,
        ["期次", "比例", "金额（元）", "拨付条件", "是否满足", "依据", "应付日期", "已拨付"],
        [22, 10, 14, 34, 10, 50, 12, 20],
    )
    for t in plan.tranches:
        xlsx.append(
            sheet,
            [
                f"第{t.number}期",
                f"{t.share * 100:.0f}%",
                t.amount,
                t.condition,
                "是" if t.holds else "否",
                t.why,
                t.due_by.isoformat() if t.due_by else "",
                t.paid["paid_at"][:10] if t.paid else "",
            ],
        )
    xlsx.append(sheet, [])
    xlsx.append(sheet, ["申请单位（盖章）：", "", "", "日期："])
    return _save(book)


async def roster_form(klass: TrainingClass) -> bytes:
    """求职能力实训补贴人员花名册: each trainee with attendance, completion, employment."""
    items = await completions(klass)
    latest = await latest_outcomes([c.trainee_id for c in items])
    trainees = {t.id: t for t in await Trainee.filter(id__in=[c.trainee_id for c in items])}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "补贴人员花名册"
    _header(
        sheet,
        ["序号", "姓名", "身份证号码", "人员类别", "出勤率", "是否结业", "就业情况", "就业单位"],
        [6, 10, 22, 20, 10, 10, 10, 30],
    )
    for n, c in enumerate(items, start=1):
        trainee = trainees[c.trainee_id]
        record = latest.get(c.trainee_id)
        employed = record is not None and record.status in EMPLOYED_STATES
        xlsx.append(
            sheet,
            [
                n,
                trainee.name,
                mask_id_number(decrypt_pii(trainee.id_number_enc, context=ID_CONTEXT)),
                TRAINEE_CATEGORY_LABELS.get(
                    TraineeCategory(trainee.category), str(trainee.category)
                ),
                f"{c.attendance_rate * 100:.1f}%",
                "是" if c.completed else "否",
                "已就业" if employed else "未就业",
                record.employer if employed and record else "",
            ],
        )
    xlsx.append(sheet, [])
    xlsx.append(
        sheet, ["合计", f"{len(items)}人", "", "", "", f"结业{sum(c.completed for c in items)}人"]
    )
    return _save(book)
