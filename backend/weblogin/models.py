"""The one-time console login ticket (扫码登录)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WebLoginTicket(Model):
    """A console login ticket: shown as a QR code, confirmed by a staff member, used once."""

    id = fields.IntField(primary_key=True)
    ticket = fields.CharField(max_length=64, unique=True)
    # sha256 of the secret held in the requesting browser's cookie: only that browser redeems
    browser_hash = fields.CharField(max_length=64)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", null=True, related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    consumed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_login_tickets"
