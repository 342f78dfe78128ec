"""第二十四条 application materials as workbooks: 补贴申请表 and 补贴人员花名册.

Numbers are numeric cells (money with two decimals, shares and rates with a % format), text
that a spreadsheet could take for a formula is neutralised (`backend/security/xlsx.py`), and
each workbook carries its reader's name and the time in the page header and last row (a
watermark). The roster masks ID numbers unless the caller asked for the audited full version
(`service.full_roster`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import (
    TRAINEE_CATEGORY_LABELS,
    Institution,
    Trainee,
    TraineeCategory,
    User,
)
from backend.accounts.service import ID_CONTEXT, decrypt_pii
from backend.certificates.service import completions
from backend.classes.models import TrainingClass
from backend.classes.scope import authorize_class
from backend.employment.models import EMPLOYED_STATES, VERIFICATION_LABELS
from backend.employment.outcomes import latest_outcomes
from backend.errors import InvalidInput
from backend.security import xlsx
from backend.security.audit import record_audit
from backend.security.pii import mask_id_number
from backend.subsidies.service import BASIS_LABELS, READERS, SubsidyPlan

BOLD = Font(bold=True)
MONEY, PERCENT, RATE, EXACT_RATE = "#,##0.00", "0%", "0.0%", "0.00%"


@dataclass(frozen=True)
class Reader:
    """Who exports a workbook, when and why: printed on it as a watermark."""

    name: str
    at: datetime
    reason: str = ""

    def line(self) -> str:
        """The watermark text."""
        text = f"导出人：{self.name}　导出时间：{clock.local(self.at).strftime('%Y-%m-%d %H:%M')}"
        return f"{text}　用途：{self.reason}" if self.reason else text


def _row(sheet: Worksheet, values: list[Any], formats: dict[int, str] | None = None) -> None:
    """Append a row through the neutralising helper; number formats by 0-based column."""
    xlsx.append(sheet, values)
    cells = sheet[sheet.max_row]
    for column, number_format in (formats or {}).items():
        cells[column].number_format = number_format


def _watermark(sheet: Worksheet, reader: Reader) -> None:
    sheet.oddHeader.center.text = reader.line()
    sheet.oddFooter.center.text = reader.line()
    xlsx.append(sheet, [])
    xlsx.append(sheet, [reader.line()])
    sheet[sheet.max_row][0].font = Font(italic=True, color="808080")


def _header(sheet: Worksheet, headers: list[str], widths: list[int]) -> None:
    xlsx.append(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width


def _save(book: Workbook) -> bytes:
    return xlsx.workbook_bytes(book)


async def application_form(klass: TrainingClass, plan: SubsidyPlan, reader: Reader) -> bytes:
    """求职能力实训补贴申请表: the class, the basis of the amount, every tranche, any clawback."""
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
        _row(sheet, row, {1: MONEY} if isinstance(row[1], Decimal) else None)
    _employment_rows(sheet, plan)
    xlsx.append(sheet, [])
    _header(
        sheet,
        ["期次", "比例", "金额（元）", "拨付条件", "是否满足", "依据", "应付日期", "已拨付"],
        [22, 10, 14, 34, 10, 50, 12, 20],
    )
    for t in plan.tranches:
        _row(
            sheet,
            [
                f"第{t.number}期",
                t.share,
                t.amount,
                t.condition,
                "是" if t.holds else "否",
                t.why,
                t.due_by.isoformat() if t.due_by else "",
                t.paid.paid_at[:10] if t.paid else "",
            ],
            {1: PERCENT, 2: MONEY},
        )
    _clawback_rows(sheet, plan)
    xlsx.append(sheet, [])
    xlsx.append(sheet, ["申请单位（盖章）：", "", "", "日期："])
    _watermark(sheet, reader)
    return _save(book)


def _employment_rows(sheet: Worksheet, plan: SubsidyPlan) -> None:
    """The two rates side by side (第二十三条), and whether the figures are frozen (结案)."""
    rates = plan.employment
    if rates is None:
        return
    for label, rate in (("已申报", rates.claimed), ("已核实", rates.verified)):
        _row(sheet, [f"就业人数（{label}）", rate.employed])
        _row(sheet, [f"就业率（{label}）", rate.rate], {1: EXACT_RATE})
    if plan.closing is not None:
        _row(sheet, ["结案锁定时间", plan.closing.frozen_at[:16].replace("T", " ")])


def _clawback_rows(sheet: Worksheet, plan: SubsidyPlan) -> None:
    """第九条(二): what is to be recovered of each paid tranche."""
    clawback = plan.clawback
    if clawback is None:
        return
    xlsx.append(sheet, [])
    _row(sheet, [f"应追回补贴（第九条(二)，认定日期 {clawback.decided_on}）"])
    sheet[sheet.max_row][0].font = BOLD
    _row(sheet, ["认定原因", clawback.reason])
    for item in clawback.items:
        _row(
            sheet,
            [
                f"第{item.tranche}期",
                "已拨付",
                Decimal(item.paid),
                "应追回",
                Decimal(item.amount),
            ],
            {2: MONEY, 4: MONEY},
        )
    _row(sheet, ["追回合计（元）", Decimal(clawback.total)], {1: MONEY})


async def roster_form(klass: TrainingClass, reader: Reader, *, full_ids: bool = False) -> bytes:
    """求职能力实训补贴人员花名册: each trainee with attendance, completion, employment (verified
    or not); ID numbers masked unless `full_ids` (the audited export)."""
    items = await completions(klass)
    latest = await latest_outcomes([c.trainee_id for c in items])
    trainees = {t.id: t for t in await Trainee.filter(id__in=[c.trainee_id for c in items])}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "补贴人员花名册"
    _header(
        sheet,
        [
            "序号",
            "姓名",
            "身份证号码",
            "人员类别",
            "出勤率",
            "是否结业",
            "就业情况",
            "就业单位",
            "核实情况",
        ],
        [6, 10, 22, 20, 10, 10, 10, 30, 12],
    )
    for n, c in enumerate(items, start=1):
        trainee = trainees[c.trainee_id]
        record = latest.get(c.trainee_id)
        employed = record is not None and record.status in EMPLOYED_STATES
        id_number = decrypt_pii(trainee.id_number_enc, context=ID_CONTEXT)
        _row(
            sheet,
            [
                n,
                trainee.name,
                id_number if full_ids else mask_id_number(id_number),
                TRAINEE_CATEGORY_LABELS.get(
                    TraineeCategory(trainee.category), str(trainee.category)
                ),
                float(c.attendance_rate),
                "是" if c.completed else "否",
                "已就业" if employed else "未就业",
                record.employer if employed and record else "",
                VERIFICATION_LABELS[record.verification] if employed and record else "",
            ],
            {4: RATE},
        )
    xlsx.append(sheet, [])
    xlsx.append(
        sheet, ["合计", f"{len(items)}人", "", "", "", f"结业{sum(c.completed for c in items)}人"]
    )
    _watermark(sheet, reader)
    return _save(book)


async def reader_of(actor: Actor, reason: str = "") -> Reader:
    """The watermark of a workbook the actor exports now."""
    user = await User.get_or_none(id=actor.user_id)
    name = (user.display_name if user else "") or f"用户{actor.user_id}"
    return Reader(name=name, at=clock.now(), reason=reason)


async def full_roster(
    *, actor: Actor, class_id: int, reason: str, ip: str = "", request_id: str = ""
) -> tuple[TrainingClass, bytes]:
    """The roster with full ID numbers for the bureau's claim: a reason, an audit row, the
    reader's name on every page (reading a full value is an audited action)."""
    klass = await authorize_class(actor, class_id, READERS)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("导出完整证件号码须填写用途", code="REASON_REQUIRED")
    reader = await reader_of(actor, reason)
    async with in_transaction():
        await record_audit(
            actor_id=actor.user_id,
            action="subsidy.roster_full_export",
            target_type="class",
            target_id=klass.id,
            details={"reason": reason, "reader": reader.name},
            ip=ip,
            request_id=request_id,
        )
    return klass, await roster_form(klass, reader, full_ids=True)
