"""Events WeChat pushes to `/wechat/callback` about subscribe messages, applied to our records.

- ``subscribe_msg_popup_event``: the user answered the subscribe popup (the ledger, as the API).
- ``subscribe_msg_change_event``: the user switched a template on or off in the settings.
- ``subscribe_msg_sent_event``: what became of a subscribe message we sent (delivery status).
- ``TEMPLATESENDJOBFINISH``: the same for an official-account template message.

Messages arrive as XML or JSON (the format chosen in the WeChat console); the signature and
the decryption are checked by the HTTP face before anything here runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import xmltodict
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import WeChatIdentity
from backend.notifications import consent
from backend.notifications.dispatch import ask_a_person
from backend.notifications.models import Channel, ConsentResult, OutboxMessage, OutboxStatus
from backend.notifications.templates import by_wechat_id

log = logging.getLogger("jobready.wechat.push")

POPUP, CHANGE, SENT = (
    "subscribe_msg_popup_event",
    "subscribe_msg_change_event",
    "subscribe_msg_sent_event",
)
TEMPLATE_FINISHED = "TEMPLATESENDJOBFINISH"
_CONTAINERS = {
    POPUP: "SubscribeMsgPopupEvent",
    CHANGE: "SubscribeMsgChangeEvent",
    SENT: "SubscribeMsgSentEvent",
}
# A delivery report is matched to a message sent at most this long before it.
DELIVERY_WINDOW = timedelta(days=2)


class PushFormatError(ValueError):
    """The pushed message is neither the XML nor the JSON WeChat sends."""


@dataclass(frozen=True)
class PushMessage:
    """One pushed message: who it is about, which event, and its list items."""

    openid: str
    event: str
    items: list[dict[str, str]]
    fields: dict[str, Any]


def _as_list(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [{k: str(v) for k, v in item.items()} for item in values if isinstance(item, dict)]


def parse_push(text: str) -> PushMessage:
    """Read a plain (decrypted) pushed message, XML or JSON."""
    try:
        if text.lstrip().startswith("{"):
            fields = json.loads(text)
        else:
            fields = xmltodict.parse(text, disable_entities=True).get("xml") or {}
    except Exception as exc:  # expat and json raise several kinds
        raise PushFormatError(f"unreadable push message: {exc!r}") from exc
    if not isinstance(fields, dict):
        raise PushFormatError("push message is not an object")
    event = str(fields.get("Event") or "")
    container = fields.get(_CONTAINERS.get(event, ""), None)
    raw = container.get("List") if isinstance(container, dict) else fields.get("List")
    return PushMessage(str(fields.get("FromUserName") or ""), event, _as_list(raw), fields)


async def _user_of(openid: str) -> int | None:
    row = await WeChatIdentity.filter(openid=openid).values_list("user_id", flat=True)
    if row:
        return int(row[0])  # type: ignore[call-overload]
    oa = await WeChatIdentity.filter(oa_openid=openid).values_list("user_id", flat=True)
    return int(oa[0]) if oa else None  # type: ignore[call-overload]


async def apply_push(message: PushMessage) -> int:
    """Apply one pushed message; returns how many of its items changed our records."""
    if message.event == TEMPLATE_FINISHED:
        return await _template_finished(message)
    if message.event not in _CONTAINERS:
        return 0  # other events (menu clicks, follows…) are not ours to handle
    user_id = await _user_of(message.openid)
    if user_id is None:
        log.info("push about an unknown openid", extra={"event": message.event})
        return 0
    applied = 0
    for item in message.items:
        applied += await _apply_item(message.event, user_id, item)
    return applied


async def _apply_item(event: str, user_id: int, item: Mapping[str, str]) -> int:
    template_id = item.get("TemplateId", "")
    if not template_id:
        return 0
    status = item.get("SubscribeStatusString", "")
    if event == POPUP and status in {r.value for r in ConsentResult}:
        await consent.record_consent(
            user_id=user_id,
            template_id=template_id,
            result=ConsentResult(status),
            source="callback",
        )
        return 1
    if event == CHANGE and status in ("accept", "reject"):
        await consent.record_setting_change(
            user_id=user_id, template_id=template_id, accepted=status == "accept"
        )
        return 1
    if event == SENT:
        return await _subscribe_delivered(user_id, template_id, item)
    return 0


async def _subscribe_delivered(user_id: int, template_id: str, item: Mapping[str, str]) -> int:
    """Match the report to our message (by msgid, else the latest sent one) and keep its status."""
    msgid = item.get("MsgID", "")
    query = OutboxMessage.filter(channel=Channel.SUBSCRIBE, user_id=user_id)
    message = await query.filter(wechat_msgid=msgid).first() if msgid else None
    if message is None:
        message = await (
            query.filter(
                status=OutboxStatus.SENT,
                delivery_status="",
                sent_at__gte=clock.now() - DELIVERY_WINDOW,
            )
            .order_by("-sent_at", "-id")
            .first()
        )
    if message is None or by_wechat_id(template_id) is None:
        return 0
    ok = item.get("ErrorCode", "0") == "0"
    # WeChat's ErrorStatus reads "success" or "fail:<why>"
    status = "success" if ok else (item.get("ErrorStatus") or f"fail:{item.get('ErrorCode')}")
    await _record_delivery(message, status[:64], msgid or None)
    return 1


async def _template_finished(message: PushMessage) -> int:
    msgid = str(message.fields.get("MsgID") or "")
    found = await OutboxMessage.filter(wechat_msgid=msgid).first() if msgid else None
    if found is None:
        return 0
    raw = str(message.fields.get("Status") or "")
    await _record_delivery(found, "success" if raw == "success" else f"fail:{raw}"[:64], msgid)
    return 1


async def _record_delivery(message: OutboxMessage, status: str, msgid: str | None) -> None:
    """Keep the delivery status; a failed delivery asks a person to call, as a failed send."""
    async with in_transaction():
        message.delivery_status = status
        message.delivery_reported_at = clock.now()
        message.wechat_msgid = message.wechat_msgid or msgid
        await message.save(
            update_fields=["delivery_status", "delivery_reported_at", "wechat_msgid"]
        )
        if status != "success":
            await ask_a_person(message, why=f"微信报告未送达（{status}）")
