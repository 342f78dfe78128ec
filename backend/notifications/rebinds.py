"""HR hears of every re-binding: a roster row bound to a new WeChat account after a release.

Re-binding is how an identity is taken over, so each one reaches the inbox of the HR admins
covering the trainee's class (and city-wide HR), through the outbox, in the binding's
transaction (`identity.bind_trainee(on_rebind=tell_hr_of_rebind)`).
"""

from __future__ import annotations

from backend import clock
from backend.accounts.models import Role, RoleGrant, Trainee
from backend.classes.models import Enrolment
from backend.notifications.models import Channel
from backend.notifications.outbox import enqueue
from backend.notifications.templates import NOTICE


async def _hr_admins_for(trainee: Trainee) -> list[int]:
    districts = await Enrolment.filter(trainee_id=trainee.id).values_list(
        "training_class__district_code", flat=True
    )
    grants = await RoleGrant.filter(role=Role.HR_ADMIN, revoked_at__isnull=True).values_list(
        "user_id", "district_code"
    )
    return sorted({int(u) for u, d in grants if d is None or d in set(districts)})


async def tell_hr_of_rebind(trainee: Trainee) -> None:
    """Queue an inbox notice of this re-binding for every HR admin who covers the trainee."""
    now = clock.now()
    day = clock.local(now).strftime("%Y年%m月%d日")
    for hr_user_id in await _hr_admins_for(trainee):
        await enqueue(
            dedupe_key=f"rebind:{trainee.id}:{int(now.timestamp() * 1000)}:{hr_user_id}",
            channel=Channel.INBOX,
            template_key=NOTICE,
            user_id=hr_user_id,
            payload={
                "data": {
                    "thing1": "学员微信账号重新绑定",
                    "date2": day,
                    "thing3": f"学员{trainee.name}（编号{trainee.id}）已绑定新的微信账号，请核实",
                },
                "page": f"pages/hr/trainee?id={trainee.id}",
            },
        )
