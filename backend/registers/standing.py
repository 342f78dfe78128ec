"""An institution's standing ledger (第七条(六)): what supervision recorded in the last 3 years.

One ledger, five sources: written notices (书面通报, 第九条), blacklist entries (第二十七条),
inspections (明察暗访, 第二十八条), the 第十六条 measures against the institution's own
registered instructors, and fraud findings with their clawback (第九条(二)). The registry
shows it with the institution; `standing_violation` is the 第七条(六) check a plan submission
runs (backend/classes/service.py).

A record is *major* (重大违纪违规被处罚) when it took the institution's qualification (the
third notice, 第九条), listed it on the blacklist (第二十七条) or found it obtained subsidy by
fraud (第九条(二)): one such record in the last three years refuses a new plan. Other records
are shown, not counted against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.accounts.models import Instructor
from backend.errors import Violation
from backend.registers.models import (
    INSTRUCTOR_ACTION_LABELS,
    BlacklistEntry,
    BlacklistKind,
    FraudFinding,
    Inspection,
    InstitutionNotice,
    InstructorAction,
)

LEDGER_YEARS = 3  # 第七条(六): 近三年无重大违纪违规被处罚记录


@dataclass(frozen=True)
class LedgerRecord:
    """One entry of the ledger, whatever its source."""

    kind: str  # notice | blacklist | inspection | instructor_action | fraud_finding
    record_id: int
    on: date
    article: str
    summary: str
    major: bool


@dataclass(frozen=True)
class StandingLedger:
    """The ledger of the three years up to `today`, newest first."""

    institution_id: int
    since: date
    today: date
    records: list[LedgerRecord]

    @property
    def major_records(self) -> list[LedgerRecord]:
        """The records that bar new plans under 第七条(六)."""
        return [r for r in self.records if r.major]

    @property
    def clean(self) -> bool:
        """True when the institution meets 第七条(六)."""
        return not self.major_records


def ledger_start(today: date) -> date:
    """The first day of the three-year window ending today (29 February falls back a day)."""
    try:
        return today.replace(year=today.year - LEDGER_YEARS)
    except ValueError:
        return today.replace(year=today.year - LEDGER_YEARS, day=28)


async def _notices(institution_id: int, since: date) -> list[LedgerRecord]:
    rows = await InstitutionNotice.filter(institution_id=institution_id, issued_on__gte=since)
    return [
        LedgerRecord(
            "notice",
            n.id,
            n.issued_on,
            "第九条",
            f"第{n.sequence}次书面通报：{n.reason}"
            + ("（取消培训资格）" if n.disqualified else ""),
            n.disqualified,
        )
        for n in rows
    ]


async def _blacklist(institution_id: int, since: date) -> list[LedgerRecord]:
    rows = await BlacklistEntry.filter(
        kind=BlacklistKind.INSTITUTION, subject_id=institution_id, starts_on__gte=since
    )
    still_listed = await BlacklistEntry.filter(
        kind=BlacklistKind.INSTITUTION,
        subject_id=institution_id,
        starts_on__lt=since,
        lifted_on__isnull=True,
    )
    return [
        LedgerRecord(
            "blacklist",
            e.id,
            e.starts_on,
            "第二十七条",
            f"列入求职能力实训黑名单：{e.reason}"
            + (f"（{e.lifted_on}解除）" if e.lifted_on else ""),
            True,
        )
        for e in [*rows, *still_listed]
    ]


async def _inspections(institution_id: int, since: date) -> list[LedgerRecord]:
    rows = await Inspection.filter(institution_id=institution_id, inspected_on__gte=since)
    return [
        LedgerRecord(
            "inspection",
            i.id,
            i.inspected_on,
            "第二十八条",
            f"检查（{i.inspector}）综合得分{i.overall_score}"
            + (f"：{i.findings}" if i.findings else ""),
            False,
        )
        for i in rows
    ]


async def _instructor_actions(institution_id: int, since: date) -> list[LedgerRecord]:
    names = dict(await Instructor.filter(institution_id=institution_id).values_list("id", "name"))
    rows = await InstructorAction.filter(instructor_id__in=list(names), decided_on__gte=since)
    return [
        LedgerRecord(
            "instructor_action",
            a.id,
            a.decided_on,
            "第十六条",
            f"本机构讲师{names[a.instructor_id]}：{INSTRUCTOR_ACTION_LABELS[a.kind]}，{a.reason}",
            False,
        )
        for a in rows
    ]


async def _fraud_findings(institution_id: int, since: date) -> list[LedgerRecord]:
    rows = await FraudFinding.filter(
        institution_id=institution_id, decided_on__gte=since
    ).prefetch_related("training_class", "clawbacks")
    return [
        LedgerRecord(
            "fraud_finding",
            f.id,
            f.decided_on,
            "第九条(二)",
            f"以欺骗手段获取培训补贴（{f.training_class.title}）：{f.reason}；应追回"
            f"{sum((c.amount for c in f.clawbacks), Decimal(0)):.2f}元"
            + ("（取消培训资格）" if f.disqualified else ""),
            True,
        )
        for f in rows
    ]


async def standing_ledger(*, institution_id: int, today: date) -> StandingLedger:
    """Every supervision record of an institution in the three years up to today."""
    since = ledger_start(today)
    records = [
        *await _notices(institution_id, since),
        *await _blacklist(institution_id, since),
        *await _inspections(institution_id, since),
        *await _instructor_actions(institution_id, since),
        *await _fraud_findings(institution_id, since),
    ]
    records.sort(key=lambda r: (r.on, r.record_id), reverse=True)
    return StandingLedger(institution_id, since, today, records)


async def standing_violation(*, institution_id: int, today: date) -> Violation | None:
    """第七条(六): 近三年无重大违纪违规被处罚记录 — checked when a plan is submitted."""
    ledger = await standing_ledger(institution_id=institution_id, today=today)
    if ledger.clean:
        return None
    return Violation(
        "INSTITUTION_RECORD",
        "第七条",
        "培训机构近三年有重大违纪违规被处罚记录（第七条（六）），不能申报培训方案："
        + "；".join(f"{r.on.isoformat()} {r.summary}" for r in ledger.major_records),
        {"records": [{"kind": r.kind, "record_id": r.record_id} for r in ledger.major_records]},
    )
