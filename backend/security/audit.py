"""Audit trail: who read a full ID-card or phone number, who changed a role or a binding."""

from __future__ import annotations

from typing import Any

from backend.security.models import AuditEntry


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
