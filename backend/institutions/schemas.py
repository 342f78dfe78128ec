"""Request and response bodies of the institution registry (their field names are fixed:
the web console is written against them)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.accounts.models import InstitutionStatus
from backend.institutions.models import Qualification
from backend.money import MoneyIn

StatusValue = Literal["active", "suspended", "disqualified"]

STATUS_LABELS = {
    InstitutionStatus.ACTIVE: "正常",
    InstitutionStatus.SUSPENDED: "暂停",
    InstitutionStatus.DISQUALIFIED: "已取消培训资格（第九条）",
}
PATCHABLE_STATUS = (InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED)


class QualificationIn(BaseModel):
    """One condition of 第七条 (一)–(五): met or not, and the evidence (证明材料) that shows it."""

    model_config = ConfigDict(extra="forbid")

    item: Qualification
    met: bool
    evidence: str = Field(default="", max_length=500, description="证明材料（文件名、编号或说明）")


class InstitutionIn(BaseModel):
    """HR registers a training institution (第五条 purchase of service, 第七条 conditions)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field(description="统一社会信用代码（18位，GB 32100-2015 校验）")
    district: str = Field(description="所在区县代码（见 /api/v1/reference/districts）")
    address: str = Field(min_length=2, max_length=300)
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(min_length=5, max_length=20, description="联系电话（手机号）")
    team_lead_name: str = Field(min_length=1, max_length=50, description="团队负责人")
    team_lead_years: int = Field(ge=0, le=60, description="团队负责人培训组织经验年限（第七条）")
    facilities: list[str] = Field(default_factory=list, max_length=50, description="场地设备设施")
    qualifications: list[QualificationIn] = Field(max_length=10)
    contract_no: str = Field(default="", max_length=60, description="购买服务合同编号（第五条）")
    contract_start: date | None = None
    contract_end: date | None = None
    contract_amount: MoneyIn | None = None


class InstitutionPatch(BaseModel):
    """Fields HR changes; `status` suspends (暂停) or reinstates, with `status_reason`."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=200)
    address: str | None = Field(default=None, min_length=2, max_length=300)
    contact_name: str | None = Field(default=None, min_length=1, max_length=50)
    contact_phone: str | None = Field(default=None, min_length=5, max_length=20)
    team_lead_name: str | None = Field(default=None, min_length=1, max_length=50)
    team_lead_years: int | None = Field(default=None, ge=0, le=60)
    facilities: list[str] | None = Field(default=None, max_length=50)
    qualifications: list[QualificationIn] | None = Field(default=None, max_length=10)
    contract_no: str | None = Field(default=None, max_length=60)
    contract_start: date | None = None
    contract_end: date | None = None
    contract_amount: MoneyIn | None = None
    status: Literal["active", "suspended"] | None = Field(
        default=None,  # an institution's status, not an instructor's (same values): say which
        json_schema_extra={"x-enum-labels": {str(v): STATUS_LABELS[v] for v in PATCHABLE_STATUS}},
    )
    status_reason: str | None = Field(default=None, max_length=500)


class QualificationOut(BaseModel):
    """A condition of 第七条 as the registry holds it."""

    item: str
    article: str
    label: str
    met: bool
    evidence: str


class LedgerRecordOut(BaseModel):
    """One record of the standing ledger."""

    kind: Literal["notice", "blacklist", "inspection", "instructor_action", "fraud_finding"]
    record_id: int
    on: date
    article: str
    summary: str
    major: bool = Field(description="重大违纪违规被处罚记录（第七条（六））")


class StandingOut(BaseModel):
    """第七条(六): the last three years of supervision records."""

    since: date
    clean: bool = Field(description="近三年无重大违纪违规被处罚记录")
    records: list[LedgerRecordOut]


class InstitutionSummaryOut(BaseModel):
    """An institution in a list."""

    id: int
    name: str
    credit_code: str
    district: str
    district_name: str
    contact_name: str
    contact_phone_masked: str
    status: StatusValue
    status_label: str
    contract_end: date | None


class InstitutionOut(InstitutionSummaryOut):
    """An institution with its registry file and its standing ledger."""

    address: str
    team_lead_name: str
    team_lead_years: int
    facilities: list[str]
    qualifications: list[QualificationOut]
    contract_no: str
    contract_start: date | None
    contract_amount: str | None
    status_reason: str
    standing: StandingOut


class InstitutionListQuery(BaseModel):
    """Filters and paging of the registry."""

    district: str | None = None
    status: StatusValue | None = None
    q: str | None = Field(default=None, max_length=50, description="名称或统一社会信用代码")
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class InstitutionListOut(BaseModel):
    """A page of the registry."""

    items: list[InstitutionSummaryOut]
    total: int
    limit: int
    offset: int
