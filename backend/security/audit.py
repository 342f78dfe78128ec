"""Audit trail: who read a full ID-card or phone number, who changed a role or a binding."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """One audited action: never updated, never deleted by the application."""

    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    action = fields.CharField(max_length=64, db_index=True)
    target_type = fields.CharField(max_length=64)
    target_id = fields.CharField(max_length=64)
    details: Any = fields.JSONField(default=dict)
    ip = fields.CharField(max_length=64, default="")
    request_id = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_entry"


async def record_audit(
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None = None,
    ip: str = "",
    request_id: str = "",
) -> AuditEntry:
    """Write one audit row (call inside the transaction of the action it records)."""
    return await AuditEntry.create(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details or {},
        ip=ip,
        request_id=request_id,
    )
