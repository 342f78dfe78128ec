"""第二十六条 典型案例: success stories linked to a trainee, anonymised by default, published
only once the trainee's consent is recorded; HR exports the published list for publicity."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import TRAINEE_CATEGORY_LABELS, Role, Trainee
from backend.classes.scope import authorize_trainee, institutions_in_scope
from backend.districts import district_name
from backend.errors import InvalidInput, NotFound, RuleViolation
from backend.programme.models import CaseStatus, TypicalCase
from backend.security import xlsx
from backend.security.pii import mask_name

CASE_ROLES = {Role.HR_ADMIN, Role.INSTITUTION_ADMIN}
# 第二十六条: 人社部门 … 典型案例收集、求职能力实训宣传: HR exports the published cases.
PUBLICISTS = frozenset({Role.HR_ADMIN})


async def create_case(
    *, actor: Actor, trainee_id: int, title: str, story: str, occupation: str, anonymised: bool
) -> TypicalCase:
    """HR or the trainee's institution drafts a case about a trainee in its scope."""
    trainee = await authorize_trainee(actor, trainee_id, CASE_ROLES)
    institutions = actor.institutions(Role.INSTITUTION_ADMIN)
    return await TypicalCase.create(
        trainee_id=trainee.id,
        institution_id=next(iter(institutions)) if institutions else None,
        title=title,
        story=story,
        category=trainee.category.value,
        occupation=occupation,
        district_code=await _district_of(trainee),
        anonymised=anonymised,
        created_by_id=actor.user_id,
    )


async def _district_of(trainee: Trainee) -> str:
    from backend.classes.models import Enrolment

    enrolment = (
        await Enrolment.filter(trainee_id=trainee.id).prefetch_related("training_class").first()
    )
    return enrolment.training_class.district_code if enrolment else ""


async def _case_in_scope(actor: Actor, case_id: int) -> TypicalCase:
    require_role(actor, CASE_ROLES)
    case = await TypicalCase.get_or_none(id=case_id)
    if case is None:
        raise NotFound("案例不存在", code="CASE_NOT_FOUND")
    await authorize_trainee(actor, case.trainee_id, CASE_ROLES)
    return case


async def record_consent(*, actor: Actor, case_id: int, evidence: str) -> TypicalCase:
    """Record the trainee's consent (e.g. the number of a signed consent form)."""
    case = await _case_in_scope(actor, case_id)
    if not evidence.strip():
        raise InvalidInput("请填写同意凭证（如书面同意书编号）", code="CONSENT_EVIDENCE_REQUIRED")
    case.consent_at, case.consent_evidence = clock.now(), evidence
    await case.save()
    return case


async def publish_case(*, actor: Actor, case_id: int) -> TypicalCase:
    """Publish: refused without the trainee's recorded consent."""
    case = await _case_in_scope(actor, case_id)
    if case.consent_at is None:
        raise RuleViolation("未取得学员本人同意的案例不能发布", code="CONSENT_REQUIRED")
    case.status, case.published_at = CaseStatus.PUBLISHED, clock.now()
    await case.save()
    return case


@dataclass(frozen=True)
class CaseView:
    """A typical case as lists and the export show it."""

    id: int
    title: str
    story: str
    trainee: str
    category: str
    occupation: str
    district: str
    anonymised: bool
    consented: bool
    status: str


async def case_view(case: TypicalCase, trainee_name: str) -> CaseView:
    """A case as lists show it: the name masked unless the trainee agreed to be named."""
    from backend.accounts.models import TraineeCategory

    shown = mask_name(trainee_name) if case.anonymised else trainee_name
    category = (
        TRAINEE_CATEGORY_LABELS.get(TraineeCategory(case.category), case.category)
        if case.category
        else ""
    )
    return CaseView(
        id=case.id,
        title=case.title,
        story=case.story,
        trainee=shown,
        category=category,
        occupation=case.occupation,
        district=district_name(case.district_code) if case.district_code else "",
        anonymised=case.anonymised,
        consented=case.consent_at is not None,
        status=case.status.value,
    )


async def list_cases(*, actor: Actor, published_only: bool = False) -> list[CaseView]:
    """Cases in the actor's scope: an institution its own, HR those of its districts."""
    require_role(actor, CASE_ROLES)
    query = TypicalCase.all().order_by("-id").prefetch_related("trainee")
    if published_only:
        query = query.filter(status=CaseStatus.PUBLISHED)
    # HR sees the cases of its districts; an institution (without an HR grant) its own.
    roles = {Role.HR_ADMIN} if Role.HR_ADMIN in actor.roles else {Role.INSTITUTION_ADMIN}
    query = query.filter(institutions_in_scope(actor, roles, field="institution_id"))
    return [await case_view(c, c.trainee.name) for c in await query]


def export_cases(rows: list[CaseView]) -> bytes:
    """The published cases as a workbook with Chinese headers, for publicity."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "典型案例"
    headers = ["编号", "标题", "学员", "人员类别", "岗位", "区县", "案例内容"]
    xlsx.append(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        xlsx.append(
            sheet,
            [r.id, r.title, r.trainee, r.category, r.occupation, r.district, r.story],
        )
    for column, width in zip("ABCDEFG", (8, 30, 10, 18, 16, 10, 80), strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx.workbook_bytes(book)
