"""第二十四条: how much a class earns its institution, in which tranches, and when each is due.

Trainee class: amount = min(contract amount, 1,500 × actual trainees); tranches 30% when the
contract is in force (due within 5 working days), 30% when half the sessions are held, 30%
when the training is completed, and the last 10% only when follow-up is complete **and** the
class employment rate is at least 80% — the rate EMPLOYMENT_GATE_BASIS names, HR-verified claims
by default — **and** HR's spot check of the claims passed (`spotcheck`). Instructor class run
by a third party: ≤ 5,000 per person, 50% / 50%. Every figure is computed from the data and
says why; money is Decimal, rounded to the fen, and the tranches sum exactly to the total.

实际人数 (actual trainees) is known once a session has ended; before that (when the advance of
tranche 1 falls due) the roster the contract was signed on stands in. A paid tranche keeps the
amount paid; when the total later moves (fewer actual trainees than on the roster) the
difference is settled on the unpaid tranches from the last one backwards, so the tranches
still sum exactly to the total (and what was paid beyond a lower total shows as overpaid).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.attendance.views import ClassAttendance, class_attendance
from backend.calendar.working_days import load_calendar
from backend.classes.models import (
    FINISHED,
    IN_FORCE,
    ClassKind,
    ClassSession,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
)
from backend.classes.scope import authorize_class
from backend.employment.models import ClosedClassChange
from backend.employment.outcomes import (
    CLAIMED,
    EmploymentRate,
    EmploymentRates,
    class_employment_rates,
)
from backend.errors import ConfigurationMissing, Conflict, NotFound, RuleViolation
from backend.followups.completion import followup_completion
from backend.registers.models import FraudFinding
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.subsidies.models import Clawback, ClosingSnapshot, TranchePayment
from backend.subsidies.spotcheck import spot_check_gate
from backend.substitution.service import class_lost_subsidy

FEN = Decimal("0.01")
PER_TRAINEE = Decimal("1500")  # 学员班按不超过1500元/人
PER_INSTRUCTOR_TRAINEE = Decimal("5000")  # 师资班（第三方）按不超过5000元/人
EMPLOYMENT_GATE = Decimal("0.80")  # 第二十四条 学员就业率达到80%以上: the figure, once
GATE_PERCENT = f"{EMPLOYMENT_GATE * 100:.0f}%"
BASIS_NAMES = {CLAIMED: "已申报", "verified": "已核实"}
CONTRACT_PAYMENT_WORKING_DAYS = 5
READERS = {Role.HR_ADMIN, Role.INSTITUTION_ADMIN}
PAYERS = frozenset({Role.HR_ADMIN})  # 第二十四条: HR pays each tranche (from 就业补助资金)
ROSTER, ATTENDANCE = "roster", "attendance"
BASIS_LABELS = {ROSTER: "花名册人数（尚无已结束的课次）", ATTENDANCE: "实际参训人数"}


@dataclass(frozen=True, slots=True)
class TranchePaid:
    """HR's record that a tranche was paid: the amount (yuan), when, the payment reference."""

    amount: str
    paid_at: str
    reference: str


@dataclass(frozen=True, slots=True)
class TrancheView:
    """One instalment as shown: money as strings (the amount to the fen), dates ISO."""

    tranche: int
    share: str
    amount: str
    condition: str
    holds: bool
    why: str
    due_by: str | None
    paid: TranchePaid | None


@dataclass
class Tranche:
    """One instalment: its share, amount, condition, whether it holds and why."""

    number: int
    share: Decimal
    amount: Decimal
    condition: str
    holds: bool
    why: str
    due_by: date | None = None
    paid: TranchePaid | None = None

    def view(self) -> TrancheView:
        """As shown (money as strings)."""
        return TrancheView(
            tranche=self.number,
            share=str(self.share),
            amount=str(self.amount.quantize(FEN)),
            condition=self.condition,
            holds=self.holds,
            why=self.why,
            due_by=self.due_by.isoformat() if self.due_by else None,
            paid=self.paid,
        )


@dataclass(frozen=True, slots=True)
class SpotCheckGate:
    """Whether HR's spot check of the employment claims lets the last tranche be paid."""

    passed: bool
    why: str


@dataclass(frozen=True, slots=True)
class SubsidyEmployment:
    """Both employment rates, the basis the last tranche reads, the spot check (trainee class)."""

    enrolled: int
    claimed: EmploymentRate
    verified: EmploymentRate
    pending: int
    refused: int
    gate_basis: str
    gate_share: float
    spot_check: SpotCheckGate


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A change to a class's employment after 结案, kept against the snapshot."""

    record_id: int
    trainee_id: int
    change: str  # reported, verified, refused
    status: str
    employer: str
    actor_id: int | None
    at: str


@dataclass(frozen=True, slots=True)
class ClosingNow:
    """What the figures would be today, beside the frozen ones (never applied by itself)."""

    employment: SubsidyEmployment | None
    last_tranche_would_hold: bool
    why: str


@dataclass(frozen=True, slots=True)
class Closing:
    """The figures were frozen at 结案: when, by whom (None: the worker), why, and since."""

    frozen_at: str
    frozen_by: int | None
    reason: str
    adjustments: list[Adjustment]
    now: ClosingNow | None


@dataclass(frozen=True, slots=True)
class ClawbackItem:
    """One paid tranche and the amount to recover of it (yuan, two decimals)."""

    tranche: int
    paid: str
    amount: str


@dataclass(frozen=True, slots=True)
class ClassClawback:
    """第九条(二): the class's fraud finding and what is to be recovered of each paid tranche."""

    finding_id: int
    article: str
    reason: str
    decided_on: str
    disqualified: bool
    items: list[ClawbackItem]
    total: str


@dataclass(frozen=True, slots=True)
class SubsidyView:
    """A class subsidy as shown: the basis of its amount, its tranches, due, paid, overpaid."""

    class_id: int
    kind: str
    contract_amount: str
    actual_trainees: int
    counted_trainees: int
    basis: str
    basis_label: str
    per_person_cap: str
    total: str
    due_unpaid: str
    paid: str
    overpaid: str
    tranches: list[TrancheView]
    eligible: bool
    ineligible_reason: str
    employment: SubsidyEmployment | None
    closing: Closing | None
    clawback: ClassClawback | None


@dataclass
class SubsidyPlan:
    """A class subsidy: the basis of the amount and its tranches."""

    class_id: int
    kind: str
    contract_amount: Decimal
    actual_trainees: int  # attended at least one session (present or late, confirmed)
    counted_trainees: int  # the number the total is computed on (see the module docstring)
    basis: str
    per_person_cap: Decimal
    total: Decimal
    tranches: list[Tranche] = field(default_factory=list)
    overpaid: Decimal = Decimal(0)
    # What the last tranche of a trainee class is gated on (None for an instructor class).
    followup_complete: bool | None = None
    employment: EmploymentRates | None = None
    gate_basis: str = ""
    spot_check: tuple[bool, str] | None = None
    # 第十九条: a confirmed private substitution cancels the class's subsidy eligibility.
    eligible: bool = True
    ineligible_reason: str = ""
    # Set on a closed class read from its snapshot: when, by whom, the adjustments since.
    closing: Closing | None = None
    # 第九条(二): a confirmed fraud finding and the amount to recover of each paid tranche.
    clawback: ClassClawback | None = None

    @property
    def paid(self) -> Decimal:
        """What HR has recorded as paid."""
        return sum((t.amount for t in self.tranches if t.paid), Decimal(0))

    @property
    def due_unpaid(self) -> Decimal:
        """Tranches whose condition holds and that are not paid yet."""
        return sum((t.amount for t in self.tranches if t.holds and not t.paid), Decimal(0))

    def view(self) -> SubsidyView:
        """As shown, with the totals due and paid (money as strings)."""
        return SubsidyView(
            class_id=self.class_id,
            kind=self.kind,
            contract_amount=str(self.contract_amount),
            actual_trainees=self.actual_trainees,
            counted_trainees=self.counted_trainees,
            basis=self.basis,
            basis_label=BASIS_LABELS[self.basis],
            per_person_cap=str(self.per_person_cap),
            total=str(self.total),
            due_unpaid=str(self.due_unpaid.quantize(FEN)),
            paid=str(self.paid.quantize(FEN)),
            overpaid=str(self.overpaid.quantize(FEN)),
            tranches=[t.view() for t in self.tranches],
            eligible=self.eligible,
            ineligible_reason=self.ineligible_reason,
            employment=self.employment_view(),
            closing=self.closing,
            clawback=self.clawback,
        )

    def employment_view(self) -> SubsidyEmployment | None:
        """Both rates, the basis the last tranche reads, the spot check (trainee class)."""
        if self.employment is None:
            return None
        passed, why = self.spot_check or (False, "")
        rates = self.employment
        return SubsidyEmployment(
            enrolled=rates.enrolled,
            claimed=rates.claimed,
            verified=rates.verified,
            pending=rates.pending,
            refused=rates.refused,
            gate_basis=self.gate_basis,
            gate_share=float(EMPLOYMENT_GATE),
            spot_check=SpotCheckGate(passed=passed, why=why),
        )


def split(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Amounts of each share, rounded to the fen, the last absorbing rounding: they sum to total."""
    amounts = [(total * s).quantize(FEN, ROUND_HALF_UP) for s in shares[:-1]]
    return [*amounts, total - sum(amounts, Decimal(0))]


def allot(
    total: Decimal, shares: list[Decimal], paid: dict[int, Decimal]
) -> tuple[list[Decimal], Decimal]:
    """Each tranche's amount, and what was overpaid.

    The schedule splits the total by share. A paid tranche (1-based) keeps what was paid; any
    difference from the schedule is settled on the unpaid tranches from the last backwards
    (第二十四条: the last tranche is 剩下的, what remains), never below zero. Paying a tranche
    what the schedule says leaves every other amount as it was.
    """
    amounts = split(total, shares)
    owed = sum((amounts[n - 1] - p for n, p in paid.items()), Decimal(0))
    for n, p in paid.items():
        amounts[n - 1] = p
    for n in reversed([n for n in range(1, len(shares) + 1) if n not in paid]):
        settled = max(amounts[n - 1] + owed, Decimal(0))
        owed -= settled - amounts[n - 1]
        amounts[n - 1] = settled
    return amounts, max(-owed, Decimal(0))


async def actual_trainees(klass: TrainingClass, matrix: ClassAttendance | None = None) -> int:
    """实际人数: enrolled trainees who attended a session (present or late, confirmed)."""
    if matrix is None:
        matrix = await class_attendance(klass=klass)
    return sum(
        1
        for t in matrix.trainees
        if any(matrix.cells[(t.trainee_id, s.id)].counted for s in matrix.sessions)
    )


async def counted_trainees(
    klass: TrainingClass, matrix: ClassAttendance | None = None
) -> tuple[int, int, str]:
    """(counted, actual, basis): the actual number once a session has ended, the roster before."""
    actual = await actual_trainees(klass, matrix)
    if await ClassSession.exists(training_class_id=klass.id, ends_at__lte=clock.now()):
        return actual, actual, ATTENDANCE
    roster = await Enrolment.filter(
        training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
    ).count()
    return roster, actual, ROSTER


async def _contract_due(klass: TrainingClass) -> date | None:
    """Paid within 5 working days of the contract being in force (the plan's approval)."""
    if klass.decided_at is None:
        return None
    approved = clock.local(klass.decided_at).date()
    try:
        calendar = await load_calendar(approved, date(approved.year + 1, 12, 31))
    except ConfigurationMissing:
        return None
    return calendar.add_working_days(approved, CONTRACT_PAYMENT_WORKING_DAYS)


async def _half_held(klass: TrainingClass) -> tuple[bool, str]:
    query = ClassSession.filter(training_class_id=klass.id)
    total = await query.count()
    held = await query.filter(ends_at__lte=clock.now()).count()
    return total > 0 and held * 2 >= total, f"已完成课次 {held}/{total}"


def _percent(employed: int, enrolled: int, rate: Decimal) -> str:
    return f"{employed}/{enrolled} = {(rate * 100).quantize(Decimal('0.01'))}%"


def last_tranche_holds(
    complete: tuple[bool, str], rates: EmploymentRates, basis: str, spot: tuple[bool, str]
) -> tuple[bool, str]:
    """第二十四条 后续服务完成，且学员就业率达到80%以上 (the rate of `basis`), and the spot check
    passed: whether the last tranche holds, and why in Chinese (no I/O)."""
    rate = rates.basis(basis)
    claimed, verified = rates.claimed, rates.verified
    text = (
        f"{complete[1]}；就业率（按{BASIS_NAMES[basis]}计）"
        f"{_percent(rate.employed, rate.enrolled, rate.rate)}（须不低于{GATE_PERCENT}）；"
        f"已申报 {_percent(claimed.employed, claimed.enrolled, claimed.rate)}，"
        f"已核实 {_percent(verified.employed, verified.enrolled, verified.rate)}；{spot[1]}"
    )
    return complete[0] and rate.reaches(EMPLOYMENT_GATE) and spot[0], text


async def _trainee_tranches(plan: SubsidyPlan, klass: TrainingClass) -> list[Tranche]:
    """The four tranches; keeps on `plan` the follow-up and employment figures the last is on."""
    shares = [Decimal("0.30"), Decimal("0.30"), Decimal("0.30"), Decimal("0.10")]
    in_force = klass.status in IN_FORCE
    half, half_why = await _half_held(klass)
    finished = klass.status in FINISHED
    complete = await followup_completion(klass)
    plan.followup_complete, plan.employment = complete[0], await class_employment_rates(klass.id)
    plan.gate_basis = runtime().settings.employment_gate_basis
    plan.spot_check = await spot_check_gate(klass)
    last, last_why = last_tranche_holds(complete, plan.employment, plan.gate_basis, plan.spot_check)
    zero = Decimal(0)  # amounts are allotted once the payments are known
    return [
        Tranche(
            1,
            shares[0],
            zero,
            "合同签订生效并具备实施条件（预付款）",
            in_force,
            "方案已审核通过" if in_force else "方案尚未审核通过",
            await _contract_due(klass),
        ),
        Tranche(2, shares[1], zero, "培训任务完成50%", half, half_why),
        Tranche(
            3,
            shares[2],
            zero,
            "培训任务全部完成",
            finished,
            "培训已结业" if finished else "培训尚未结业",
        ),
        Tranche(
            4, shares[3], zero, f"后续服务完成且学员就业率达到{GATE_PERCENT}以上", last, last_why
        ),
    ]


async def _instructor_tranches(plan: SubsidyPlan, klass: TrainingClass) -> list[Tranche]:
    """The two tranches (no follow-up or employment gate: `plan` keeps None for them)."""
    shares = [Decimal("0.50"), Decimal("0.50")]
    in_force, finished = klass.status in IN_FORCE, klass.status in FINISHED
    zero = Decimal(0)
    return [
        Tranche(
            1,
            shares[0],
            zero,
            "合同签订生效并具备实施条件（预付款）",
            in_force,
            "方案已审核通过" if in_force else "方案尚未审核通过",
            await _contract_due(klass),
        ),
        Tranche(
            2,
            shares[1],
            zero,
            "培训任务全部完成",
            finished,
            "培训已结业" if finished else "培训尚未结业",
        ),
    ]


async def subsidy_plan(
    klass: TrainingClass, *, matrix: ClassAttendance | None = None, live: bool = False
) -> SubsidyPlan:
    """The whole computation for one class, from the data (`matrix`: its attendance, if built).

    A closed class reads the figures frozen at 结案, with the payments made since and the
    adjustments recorded against them; `live` computes them from today's data anyway.
    """
    plan = await _computed_plan(klass, matrix=matrix, live=live)
    plan.clawback = await clawback_of_class(klass.id)
    return plan


async def clawback_of_class(class_id: int) -> ClassClawback | None:
    """第九条(二): the class's fraud finding and what to recover per tranche, if any."""
    finding = await FraudFinding.get_or_none(training_class_id=class_id)
    if finding is None:
        return None
    items = await Clawback.filter(finding_id=finding.id).order_by("tranche")
    return ClassClawback(
        finding_id=finding.id,
        article="第九条(二)",
        reason=finding.reason,
        decided_on=finding.decided_on.isoformat(),
        disqualified=finding.disqualified,
        items=[ClawbackItem(c.tranche, str(c.paid), str(c.amount)) for c in items],
        total=str(sum((c.amount for c in items), Decimal(0)).quantize(FEN)),
    )


async def _computed_plan(
    klass: TrainingClass, *, matrix: ClassAttendance | None, live: bool
) -> SubsidyPlan:
    if not live and klass.status is ClassStatus.CLOSED:
        snapshot = await ClosingSnapshot.get_or_none(training_class_id=klass.id)
        if snapshot is not None:
            return await _frozen_plan(klass, snapshot)
    counted, actual, basis = await counted_trainees(klass, matrix)
    instructor_class = klass.kind == ClassKind.INSTRUCTOR_CLASS
    cap = PER_INSTRUCTOR_TRAINEE if instructor_class else PER_TRAINEE
    total = min(klass.contract_amount, cap * counted).quantize(FEN)
    plan = SubsidyPlan(
        klass.id, klass.kind.value, klass.contract_amount, actual, counted, basis, cap, total
    )
    builder = _instructor_tranches if instructor_class else _trainee_tranches
    plan.tranches = await builder(plan, klass)
    await _apply_substitution_rule(plan, klass)
    payments = await _payments(klass.id)
    amounts, plan.overpaid = allot(
        total, [t.share for t in plan.tranches], {n: p.amount for n, p in payments.items()}
    )
    for t, amount in zip(plan.tranches, amounts, strict=True):
        t.amount = amount
    _mark_paid(plan, payments)
    return plan


async def _payments(class_id: int) -> dict[int, TranchePayment]:
    return {p.tranche: p for p in await TranchePayment.filter(training_class_id=class_id)}


def _mark_paid(plan: SubsidyPlan, payments: dict[int, TranchePayment]) -> None:
    for t in plan.tranches:
        if t.number in payments:
            p = payments[t.number]
            t.paid = TranchePaid(
                amount=str(p.amount),
                paid_at=clock.local(p.paid_at).isoformat(),
                reference=p.reference,
            )


async def _frozen_plan(klass: TrainingClass, snapshot: ClosingSnapshot) -> SubsidyPlan:
    """The plan as frozen at 结案: amounts, conditions and rates never move; payments are added,
    and each later change is listed as an adjustment with what the figures would be now."""
    plan = plan_of(klass.id, snapshot.figures)
    await _apply_substitution_rule(plan, klass)  # a 第十九条 finding is explicit: it applies
    _mark_paid(plan, await _payments(klass.id))
    adjustments = await adjustments_of(klass.id)
    now: ClosingNow | None = None
    if adjustments:
        live = await subsidy_plan(klass, live=True)
        last = live.tranches[-1]
        now = ClosingNow(
            employment=live.employment_view(),
            last_tranche_would_hold=last.holds,
            why=last.why,
        )
    plan.closing = Closing(
        frozen_at=clock.local(snapshot.taken_at).isoformat(),
        frozen_by=snapshot.taken_by_id,
        reason=snapshot.reason,
        adjustments=adjustments,
        now=now,
    )
    return plan


async def _apply_substitution_rule(plan: SubsidyPlan, klass: TrainingClass) -> None:
    """第十九条: 私自找人代课，一经发现，取消该班级补贴申请资格 — no tranche holds any more."""
    case = await class_lost_subsidy(klass.id)
    if case is None:
        return
    decided = clock.local(case.decided_at).date().isoformat() if case.decided_at else ""
    plan.eligible = False
    plan.ineligible_reason = (
        f"经核实存在私自代课（{decided}认定：{case.reason}），依第十九条取消该班级补贴申请资格"
    )
    for tranche in plan.tranches:
        tranche.holds, tranche.why = False, plan.ineligible_reason


async def class_subsidy(*, actor: Actor, class_id: int) -> SubsidyView:
    """The subsidy of a class, for HR and the institution."""
    return (await subsidy_plan(await authorize_class(actor, class_id, READERS))).view()


async def mark_paid(*, actor: Actor, class_id: int, tranche: int, reference: str) -> TranchePayment:
    """HR records a tranche as paid: only when its condition holds, only once."""
    await authorize_class(actor, class_id, PAYERS)
    try:
        async with in_transaction():
            # Locked: the amounts of unpaid tranches depend on what is already paid.
            klass = await TrainingClass.filter(id=class_id).select_for_update().get()
            item = _payable(await subsidy_plan(klass), tranche)
            payment = await TranchePayment.create(
                training_class_id=klass.id,
                tranche=tranche,
                amount=item.amount.quantize(FEN),
                reference=reference,
                paid_by_id=actor.user_id,
                paid_at=clock.now(),
            )
            await record_audit(
                actor_id=actor.user_id,
                action="subsidy.paid",
                target_type="class",
                target_id=klass.id,
                details={"tranche": tranche, "amount": str(item.amount), "reference": reference},
            )
    except IntegrityError:
        raise Conflict("该期款项已标记为已拨付", code="TRANCHE_ALREADY_PAID") from None
    return payment


def _payable(plan: SubsidyPlan, tranche: int) -> Tranche:
    """The tranche, if it may be paid now (第二十四条: its condition holds, something is due)."""
    if plan.clawback is not None:  # 第九条(二): nothing more is paid on a fraudulent class
        raise RuleViolation(
            "该班级已被认定以欺骗手段获取培训补贴（第九条(二)），不再拨付",
            code="CLASS_FRAUD_FINDING",
        )
    item = next((t for t in plan.tranches if t.number == tranche), None)
    if item is None:
        raise NotFound("该期款项不存在", code="TRANCHE_NOT_FOUND")
    if item.paid:
        raise Conflict("该期款项已标记为已拨付", code="TRANCHE_ALREADY_PAID")
    if not item.holds:
        raise RuleViolation(
            f"第{tranche}期款项的拨付条件尚未满足（第二十四条）：{item.condition}。{item.why}",
            code="TRANCHE_CONDITION_NOT_MET",
            details=asdict(item.view()),
        )
    if item.amount <= 0:
        raise RuleViolation(
            f"第{tranche}期款项金额为0，无需拨付",
            code="TRANCHE_NOTHING_DUE",
            details=asdict(item.view()),
        )
    return item


# -- the figures frozen at 结案 (see `closing`) ----------------------------------------------


def _rate_figures(rate: EmploymentRate) -> dict[str, Any]:
    return {"enrolled": rate.enrolled, "employed": rate.employed, "rate": str(rate.rate)}


def _rate_of(data: dict[str, Any]) -> EmploymentRate:
    return EmploymentRate(data["enrolled"], data["employed"], Decimal(data["rate"]))


def figures_of(plan: SubsidyPlan) -> dict[str, Any]:
    """What a snapshot keeps of a plan: exact (money and rates as strings), payments aside."""
    rates = plan.employment
    return {
        "kind": plan.kind,
        "contract_amount": str(plan.contract_amount),
        "actual_trainees": plan.actual_trainees,
        "counted_trainees": plan.counted_trainees,
        "basis": plan.basis,
        "per_person_cap": str(plan.per_person_cap),
        "total": str(plan.total),
        "overpaid": str(plan.overpaid),
        "followup_complete": plan.followup_complete,
        "gate_basis": plan.gate_basis,
        "spot_check": list(plan.spot_check) if plan.spot_check else None,
        "eligible": plan.eligible,
        "ineligible_reason": plan.ineligible_reason,
        "employment": None
        if rates is None
        else {
            "claimed": _rate_figures(rates.claimed),
            "verified": _rate_figures(rates.verified),
            "pending": rates.pending,
            "refused": rates.refused,
        },
        "tranches": [
            {
                "number": t.number,
                "share": str(t.share),
                "amount": str(t.amount),
                "condition": t.condition,
                "holds": t.holds,
                "why": t.why,
                "due_by": t.due_by.isoformat() if t.due_by else None,
                "paid": asdict(t.paid) if t.paid else None,
            }
            for t in plan.tranches
        ],
    }


def plan_of(class_id: int, figures: dict[str, Any]) -> SubsidyPlan:
    """The plan a snapshot froze (payments as they were at 结案; the caller adds later ones)."""
    plan = SubsidyPlan(
        class_id,
        figures["kind"],
        Decimal(figures["contract_amount"]),
        figures["actual_trainees"],
        figures["counted_trainees"],
        figures["basis"],
        Decimal(figures["per_person_cap"]),
        Decimal(figures["total"]),
        overpaid=Decimal(figures["overpaid"]),
        followup_complete=figures["followup_complete"],
        gate_basis=figures["gate_basis"],
        eligible=figures.get("eligible", True),
        ineligible_reason=figures.get("ineligible_reason", ""),
        spot_check=tuple(figures["spot_check"]) if figures["spot_check"] else None,
    )
    rates = figures["employment"]
    if rates is not None:
        plan.employment = EmploymentRates(
            _rate_of(rates["claimed"]),
            _rate_of(rates["verified"]),
            rates["pending"],
            rates["refused"],
        )
    plan.tranches = [
        Tranche(
            t["number"],
            Decimal(t["share"]),
            Decimal(t["amount"]),
            t["condition"],
            t["holds"],
            t["why"],
            date.fromisoformat(t["due_by"]) if t["due_by"] else None,
            TranchePaid(**t["paid"]) if t["paid"] else None,
        )
        for t in figures["tranches"]
    ]
    return plan


async def adjustments_of(class_id: int) -> list[Adjustment]:
    """The changes after 结案, oldest first."""
    rows = (
        await ClosedClassChange.filter(training_class_id=class_id)
        .order_by("id")
        .prefetch_related("record")
    )
    return [
        Adjustment(
            r.record_id,
            r.record.trainee_id,
            r.change,
            r.record.status.value,
            r.record.employer,
            r.actor_id,
            clock.local(r.created_at).isoformat(),
        )
        for r in rows
    ]
