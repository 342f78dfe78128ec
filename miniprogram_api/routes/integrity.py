"""Employment that can be trusted (第九条(二)、二十三、二十四条): evidence, HR verification."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.employment import evidence, verification
from backend.employment.models import (
    EVIDENCE_KIND_LABELS,
    EmploymentEvidence,
    EvidenceKind,
    Verification,
)
from backend.errors import InvalidInput
from backend.integrity import flags
from backend.money import PositiveMoneyIn
from backend.subsidies import clawback, spotcheck
from backend.subsidies.models import SpotCheckItem, SpotCheckResult
from backend.subsidies.service import clawback_of_class
from miniprogram_api.auth import requires
from miniprogram_api.downloads import attachment
from miniprogram_api.routes.jobs import EmploymentOut, employment_out, evidence_brief
from miniprogram_api.routes.subsidies import ClawbackItemOut
from miniprogram_api.validation import (
    ListPage,
    json_body,
    listed,
    model_reply,
    query_args,
    response_model,
)

bp = Blueprint("integrity")


class VerificationIn(BaseModel):
    """HR's decision on a claimed employment outcome."""

    decision: Verification = Field(description="verified 核实通过 / refused 核实未通过")
    methods: list[verification.CheckMethod] = Field(
        default_factory=list, max_length=5, description="核实方式（核实通过时必填）"
    )
    reason: str = Field(default="", max_length=500, description="说明（核实未通过时必填）")


class EvidenceOut(BaseModel):
    """A stored evidence file (read it at /employment-evidence/{id})."""

    id: int
    record_id: int
    kind: str
    kind_label: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int | None
    created_at: LocalDateTime


def _evidence_out(item: EmploymentEvidence) -> EvidenceOut:
    return EvidenceOut(
        id=item.id,
        record_id=item.record_id,
        kind=item.kind.value,
        kind_label=EVIDENCE_KIND_LABELS[item.kind],
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_by=item.uploaded_by_id,
        created_at=item.created_at,
    )


class EmploymentClaimOut(BaseModel):
    """A trainee's claim to verify: the latest record saying they work, with its evidence."""

    trainee_id: int
    name: str
    record: EmploymentOut


class EmploymentClaimListOut(BaseModel):
    """The class's employment claims, by trainee."""

    items: list[EmploymentClaimOut]
    total: int
    limit: int
    offset: int


@bp.get("/classes/<class_id:int>/employment-claims")
@openapi.summary("班级学员就业申报及核实状态、证明材料（人社部门核实用）")
@response_model(EmploymentClaimListOut)
@requires(*verification.CLAIM_READERS)
async def employment_claims(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The claims of a class (one page: a class has at most a few dozen trainees)."""
    claims = await verification.class_claims(actor=actor, class_id=class_id)
    items = [
        EmploymentClaimOut(
            trainee_id=c.trainee_id,
            name=c.name,
            record=employment_out(c.record).model_copy(
                update={"evidence": [evidence_brief(e) for e in c.evidence]}
            ),
        )
        for c in claims
    ]
    out = EmploymentClaimListOut(items=items, total=len(items), limit=len(items), offset=0)
    return json(out.model_dump(mode="json"), ensure_ascii=False)


@bp.post("/employment-outcomes/<record_id:int>/verification")
@openapi.summary("人社部门核实就业情况（核实通过或注明原因不通过；填报人不能核实）")
@response_model(EmploymentOut)
@requires(*verification.VERIFIERS)
@json_body(VerificationIn)
async def verify(
    request: Request, record_id: int, body: VerificationIn, actor: Actor
) -> HTTPResponse:
    """Verify or refuse a claim."""
    if body.decision is Verification.PENDING:
        raise InvalidInput("核实结果应为 verified 或 refused", code="VERIFICATION_DECISION")
    decision = verification.Decision(
        verified=body.decision is Verification.VERIFIED,
        methods=tuple(body.methods),
        reason=body.reason,
    )
    record = await verification.verify_outcome(actor=actor, record_id=record_id, decision=decision)
    return json(employment_out(record).model_dump(mode="json"), ensure_ascii=False)


@bp.post("/employment-outcomes/<record_id:int>/evidence")
@openapi.summary("上传就业证明材料（劳动合同、录用通知、社保记录、营业执照；JPG/PNG/PDF）")
@openapi.parameter("kind", str, "query", description="材料类型（也可作为表单字段 kind 提交）")
@openapi.body(
    {
        "multipart/form-data": {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": [k.value for k in EvidenceKind]},
                "file": {"type": "string", "format": "binary"},
            },
            "required": ["kind", "file"],
        }
    }
)
@response_model(EvidenceOut, status=201)
@requires(*evidence.UPLOADERS)
async def upload_evidence(request: Request, record_id: int, actor: Actor) -> HTTPResponse:
    """Store one evidence file of a record."""
    upload = request.files.get("file") if request.files else None
    kind = (request.form.get("kind") if request.form else None) or request.args.get("kind", "")
    item = await evidence.add_evidence(
        actor=actor,
        record_id=record_id,
        kind=kind,
        filename=unquote(upload.name or "") if upload is not None else "",
        data=upload.body if upload is not None else b"",
    )
    return json(_evidence_out(item).model_dump(mode="json"), status=201, ensure_ascii=False)


@bp.get("/employment-evidence/<evidence_id:int>")
@openapi.summary("下载就业证明材料（仅限该学员管理范围内的人员）")
@requires(*evidence.READERS)
async def download_evidence(request: Request, evidence_id: int, actor: Actor) -> HTTPResponse:
    """The stored file, as an attachment."""
    found = await evidence.read_evidence(actor=actor, evidence_id=evidence_id)
    item = found.evidence
    extension = item.stored_name.rsplit(".", 1)[-1]
    label = EVIDENCE_KIND_LABELS[item.kind]
    return attachment(
        found.data,
        content_type=item.content_type,
        filename=f"就业证明材料{item.id}_{label}.{extension}",
        fallback=f"evidence-{item.id}",
    )


# -- spot check before the last tranche ---------------------------------------------------------


class SpotCheckItemOut(BaseModel):
    """One sampled claim and HR's result."""

    id: int
    trainee_id: int
    record_id: int
    result: str = Field(description="pending 待核实 / confirmed 核实通过 / refused 核实未通过")
    reason: str
    checked_by: int | None
    checked_at: LocalDateTime | None
    resolution: str
    resolved_by: int | None
    resolved_at: LocalDateTime | None


class SpotCheckOut(ListPage):
    """The recorded draw (seed and population redraw the same sample) and its items."""

    class_id: int
    seed: str
    population: list[int]
    sample_size: int
    min_items: int
    share: float
    drawn_by: int | None
    drawn_at: LocalDateTime
    items: list[SpotCheckItemOut]


class SpotCheckResultIn(BaseModel):
    """HR's result for a sampled claim."""

    result: SpotCheckResult = Field(description="confirmed 核实通过 / refused 核实未通过")
    methods: list[verification.CheckMethod] = Field(default_factory=list, max_length=5)
    reason: str = Field(default="", max_length=500)


class SpotCheckResolutionIn(BaseModel):
    """How a refused sample item was dealt with."""

    resolution: str = Field(min_length=1, max_length=500)


def _item_out(item: SpotCheckItem) -> SpotCheckItemOut:
    return SpotCheckItemOut(
        id=item.id,
        trainee_id=item.trainee_id,
        record_id=item.record_id,
        result=item.result.value,
        reason=item.reason,
        checked_by=item.checked_by_id,
        checked_at=item.checked_at,
        resolution=item.resolution,
        resolved_by=item.resolved_by_id,
        resolved_at=item.resolved_at,
    )


def _spot_check_reply(view: spotcheck.SpotCheckView, status: int = 200) -> HTTPResponse:
    check = view.check
    out = SpotCheckOut(
        class_id=check.training_class_id,
        seed=check.seed,
        population=list(check.population),
        sample_size=check.sample_size,
        min_items=check.min_items,
        share=float(check.share),
        drawn_by=check.drawn_by_id,
        drawn_at=check.drawn_at,
        **listed({"items": [_item_out(i) for i in view.items]}),
    )
    return json(out.model_dump(mode="json"), status=status, ensure_ascii=False)


@bp.post("/classes/<class_id:int>/spot-check")
@openapi.summary("抽取就业情况抽查样本（培训后6个月起；每班一次，随机种子留档可复现）")
@response_model(SpotCheckOut, status=201)
@requires(*spotcheck.CHECKERS)
async def draw_spot_check(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Draw the class's sample."""
    return _spot_check_reply(
        await spotcheck.draw_spot_check(actor=actor, class_id=class_id), status=201
    )


@bp.get("/classes/<class_id:int>/spot-check")
@openapi.summary("就业情况抽查样本及结果")
@response_model(SpotCheckOut)
@requires(*spotcheck.CHECKERS)
async def get_spot_check(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The class's sample and results."""
    return _spot_check_reply(await spotcheck.spot_check_of(actor=actor, class_id=class_id))


@bp.post("/spot-check-items/<item_id:int>/result")
@openapi.summary("登记抽查结果（核实通过须注明方式，不通过须注明原因；不通过将暂停末期拨付）")
@response_model(SpotCheckItemOut)
@requires(*spotcheck.CHECKERS)
@json_body(SpotCheckResultIn)
async def spot_check_result(
    request: Request, item_id: int, body: SpotCheckResultIn, actor: Actor
) -> HTTPResponse:
    """Confirm or refuse a sampled claim."""
    if body.result is SpotCheckResult.PENDING:
        raise InvalidInput("抽查结果应为 confirmed 或 refused", code="SPOT_CHECK_RESULT")
    item = await spotcheck.record_check(
        actor=actor,
        item_id=item_id,
        confirmed=body.result is SpotCheckResult.CONFIRMED,
        methods=tuple(body.methods),
        reason=body.reason,
    )
    return json(_item_out(item).model_dump(mode="json"), ensure_ascii=False)


@bp.post("/spot-check-items/<item_id:int>/resolution")
@openapi.summary("处理抽查不通过项（说明处理结果后方可继续拨付）")
@response_model(SpotCheckItemOut)
@requires(*spotcheck.CHECKERS)
@json_body(SpotCheckResolutionIn)
async def spot_check_resolution(
    request: Request, item_id: int, body: SpotCheckResolutionIn, actor: Actor
) -> HTTPResponse:
    """Resolve a refused sample item."""
    item = await spotcheck.resolve_refusal(actor=actor, item_id=item_id, resolution=body.resolution)
    return json(_item_out(item).model_dump(mode="json"), ensure_ascii=False)


# -- flags: patterns HR should look at (never blocking by themselves) ---------------------------


class IntegrityFlagOut(BaseModel):
    """One pattern found in a class's employment claims."""

    code: str = Field(
        description="late_entries / shared_phone / start_before_end / staff_entered / "
        "related_employer"
    )
    label: str
    reason: str
    trainee_ids: list[int]


class ClassFlagsOut(BaseModel):
    """A class and the flags raised on it."""

    class_id: int
    title: str
    institution_id: int
    district_code: str
    flags: list[IntegrityFlagOut]


class FlaggedClassesOut(BaseModel):
    """Classes in the caller's scope with at least one flag."""

    items: list[ClassFlagsOut]
    total: int
    limit: int
    offset: int


class FlaggedQuery(BaseModel):
    """Paging of the flagged classes."""

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


def _flags_out(found: flags.ClassFlags) -> ClassFlagsOut:
    return ClassFlagsOut(
        class_id=found.class_id,
        title=found.title,
        institution_id=found.institution_id,
        district_code=found.district_code,
        flags=[IntegrityFlagOut(**asdict(f)) for f in found.flags],
    )


@bp.get("/classes/<class_id:int>/integrity-flags")
@openapi.summary("就业数据异常提示（仅供人社部门复核，不直接影响拨付）")
@response_model(ClassFlagsOut)
@requires(*flags.REVIEWERS)
async def class_integrity_flags(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The flags of one class, with reasons."""
    found = await flags.flags_of_class(actor=actor, class_id=class_id)
    return json(_flags_out(found).model_dump(mode="json"), ensure_ascii=False)


@bp.get("/integrity-flags")
@openapi.summary("有就业数据异常提示、待人社部门复核的培训班")
@response_model(FlaggedClassesOut)
@requires(*flags.REVIEWERS)
@query_args(FlaggedQuery)
async def flagged_classes(request: Request, query: FlaggedQuery, actor: Actor) -> HTTPResponse:
    """Flagged classes in the caller's districts."""
    found = await flags.classes_flagged_for_review(actor=actor)
    page = found[query.offset : query.offset + query.limit]
    out = FlaggedClassesOut(
        items=[_flags_out(f) for f in page],
        total=len(found),
        limit=query.limit,
        offset=query.offset,
    )
    return json(out.model_dump(mode="json"), ensure_ascii=False)


# -- 第九条(二): fraud finding, clawback, disqualification ----------------------------------------


class ClawbackAmountIn(BaseModel):
    """The amount to recover of one paid tranche (yuan)."""

    tranche: int = Field(ge=1)
    amount: PositiveMoneyIn


class FraudFindingIn(BaseModel):
    """A confirmed finding that the class obtained subsidy by fraud."""

    reason: str = Field(min_length=1, max_length=1000)
    decided_on: date | None = Field(default=None, description="认定日期，默认今天")
    amounts: list[ClawbackAmountIn] | None = Field(
        default=None, description="各期应追回金额；不填则追回全部已拨付款项"
    )


class FraudFindingOut(ListPage):
    """The finding recorded: what is to be recovered, whether it disqualified the institution."""

    id: int
    class_id: int
    institution_id: int
    reason: str
    decided_on: str
    disqualified: bool
    items: list[ClawbackItemOut]
    amount_total: str = Field(description="Sum to recover, yuan, two decimals (was `total`).")


class ClawbackLineOut(BaseModel):
    """One tranche to recover from the institution (its standing ledger)."""

    finding_id: int
    class_id: int
    class_title: str
    decided_on: str
    reason: str
    tranche: int
    paid: str
    amount: str


class ClawbackListOut(BaseModel):
    """An institution's clawbacks, oldest first, and their sum."""

    items: list[ClawbackLineOut]
    total: int
    limit: int
    offset: int
    amount_total: str


@bp.post("/classes/<class_id:int>/fraud-findings")
@openapi.summary("认定以欺骗手段获取培训补贴：逐期追回并取消机构培训资格（第九条(二)）")
@response_model(FraudFindingOut, status=201)
@requires(*clawback.FINDERS)
@json_body(FraudFindingIn)
async def fraud_finding(
    request: Request, class_id: int, body: FraudFindingIn, actor: Actor
) -> HTTPResponse:
    """Record a confirmed fraud finding."""
    amounts = None if body.amounts is None else {a.tranche: a.amount for a in body.amounts}
    finding = await clawback.record_fraud_finding(
        actor=actor,
        class_id=class_id,
        reason=body.reason,
        decided_on=body.decided_on,
        amounts=amounts,
    )
    found = await clawback_of_class(class_id)
    assert found is not None
    out = FraudFindingOut(
        id=finding.id,
        class_id=finding.training_class_id,
        institution_id=finding.institution_id,
        reason=finding.reason,
        decided_on=finding.decided_on.isoformat(),
        disqualified=finding.disqualified,
        **listed({"items": [model_reply(ClawbackItemOut, i) for i in found.items]}),
        amount_total=found.total,
    )
    return json(out.model_dump(mode="json"), status=201, ensure_ascii=False)


@bp.get("/institutions/<institution_id:int>/clawbacks")
@openapi.summary("培训机构应退回的补贴（骗取补贴认定，第九条(二)）")
@response_model(ClawbackListOut)
@requires(*clawback.LEDGER_READERS)
@query_args(FlaggedQuery)
async def institution_clawbacks(
    request: Request, institution_id: int, query: FlaggedQuery, actor: Actor
) -> HTTPResponse:
    """The institution's clawbacks."""
    lines = await clawback.clawbacks_of(actor=actor, institution_id=institution_id)
    page = lines[query.offset : query.offset + query.limit]
    out = ClawbackListOut(
        items=[
            ClawbackLineOut(
                finding_id=line.finding_id,
                class_id=line.class_id,
                class_title=line.class_title,
                decided_on=line.decided_on.isoformat(),
                reason=line.reason,
                tranche=line.tranche,
                paid=str(line.paid),
                amount=str(line.amount),
            )
            for line in page
        ],
        total=len(lines),
        limit=query.limit,
        offset=query.offset,
        amount_total=str(
            sum((line.amount for line in lines), Decimal(0)).quantize(Decimal("0.01"))
        ),
    )
    return json(out.model_dump(mode="json"), ensure_ascii=False)
