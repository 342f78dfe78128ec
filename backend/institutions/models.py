"""The registry file of a training institution (第五、七条), beside its `institution` row.

The `institution` row (accounts) holds what every capability needs (name, credit code,
district, status); this table holds what the registry adds: address, contact phone (encrypted),
the 第七条 qualifications with their evidence, the team lead and the 第五条 service contract.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Qualification(StrEnum):
    """The conditions of 第七条 (一)–(五) an institution proves with evidence at registration.

    第七条(六) (no major punishment in three years) is not declared: the standing ledger
    answers it (backend/registers/standing.py).
    """

    LICENSE = "license"  # (一) 办学许可或实训项目实施能力
    MANAGEMENT = "management"  # (二) 内部管理体系
    FACILITIES = "facilities"  # (三) 场地、设备设施、教材
    TEAM = "team"  # (四) 项目服务团队
    CHANNELS = "channels"  # (五) 就业渠道资源


QUALIFICATION_LABELS: dict[Qualification, tuple[str, str]] = {
    Qualification.LICENSE: ("第七条（一）", "具有基本办学许可或具备求职能力实训项目实施能力"),
    Qualification.MANAGEMENT: ("第七条（二）", "具备培训服务所需的内部管理体系"),
    Qualification.FACILITIES: ("第七条（三）", "具有培训场地、设备设施及教材等技术保障"),
    Qualification.TEAM: ("第七条（四）", "配备团队负责人、专职班主任、工作人员等项目服务团队"),
    Qualification.CHANNELS: ("第七条（五）", "具有岗位对接、就业实践等渠道资源"),
}


class InstitutionProfile(Model):
    """Registry details of an institution: qualifications, team lead, contract"""

    id = fields.IntField(primary_key=True)
    institution: fields.OneToOneRelation = fields.OneToOneField(
        "models.Institution", related_name="profile", on_delete=fields.CASCADE
    )
    institution_id: int
    address = fields.CharField(max_length=300, default="")
    contact_phone_enc = fields.TextField(null=True)
    contact_phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    team_lead_name = fields.CharField(max_length=50, default="")
    team_lead_years = fields.IntField(default=0)
    facilities: Any = fields.JSONField(default=list)
    qualifications: Any = fields.JSONField(default=list)  # [{item, met, evidence}]
    contract_no = fields.CharField(max_length=60, default="")
    contract_start = fields.DateField(null=True)
    contract_end = fields.DateField(null=True)
    contract_amount = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    status_reason = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="institutions_registered", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "institution_profile"
