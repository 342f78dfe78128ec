"""HR keeps the blacklist (第二十七条): lists and lifts entries, shows the list and a status.

HR lists a subject it supervises: an institution of its district, an instructor who teaches
or taught a class of its district, a trainee enrolled in one; city-wide HR lists anyone. The
list itself is shared by every HR user (a party listed in one district matters in all). What
is in force on a day, and the refusals, are the register's (`backend/registers/blacklist.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Role
from backend.classes.models import ClassInstructor, Enrolment
from backend.classes.scope import districts_in_scope, hr_districts
from backend.errors import Conflict, InvalidInput, NotFound
from backend.registers.blacklist import SUBJECTS, in_force
from backend.registers.models import BLACKLIST_KIND_LABELS, BlacklistEntry, BlacklistKind
from backend.security.audit import record_audit
from backend.supervision.service import require_reason

# 第二十七条: 人社部门 … 列入求职能力实训黑名单 (and lift, list and check it).
KEEPERS = frozenset({Role.HR_ADMIN})


async def _subject_name(kind: BlacklistKind, subject_id: int) -> str | None:
    subject = await SUBJECTS[kind].get_or_none(id=subject_id)
    return None if subject is None else str(subject.name)


async def _supervises(actor: Actor, kind: BlacklistKind, subject_id: int) -> bool:
    """True if the actor, as HR, supervises this subject (see the module docstring)."""
    if None in hr_districts(actor):
        return True  # city-wide HR supervises every party, even one in no class yet
    if kind is BlacklistKind.INSTITUTION:
        return await Institution.filter(districts_in_scope(actor), id=subject_id).exists()
    in_district = districts_in_scope(actor, field="training_class__district_code")
    if kind is BlacklistKind.INSTRUCTOR:
        return await ClassInstructor.filter(in_district, instructor_id=subject_id).exists()
    return await Enrolment.filter(in_district, trainee_id=subject_id).exists()


async def _name_in_scope(actor: Actor, kind: BlacklistKind, subject_id: int) -> str:
    require_role(actor, KEEPERS)
    name = await _subject_name(kind, subject_id)
    if name is None or not await _supervises(actor, kind, subject_id):
        label = BLACKLIST_KIND_LABELS[kind]
        raise NotFound(f"{label}不存在或不在您的管理范围内", code="SUBJECT_NOT_FOUND")
    return name


async def add_entry(
    *,
    actor: Actor,
    kind: BlacklistKind,
    subject_id: int,
    reason: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> BlacklistEntry:
    """HR puts an institution, instructor or trainee on the blacklist for a period (第二十七条)."""
    reason = require_reason(reason, article="第二十七条")
    starts_on = starts_on or clock.today()
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("黑名单结束日期不能早于开始日期", code="PERIOD_INVALID")
    name = await _name_in_scope(actor, kind, subject_id)
    async with in_transaction():
        entry = await BlacklistEntry.create(
            kind=kind,
            subject_id=subject_id,
            subject_name=name,
            reason=reason,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by_id=actor.user_id,
        )
        await record_audit(
            actor_id=actor.user_id,
            action="blacklist.add",
            target_type=kind.value,
            target_id=subject_id,
            details={"entry_id": entry.id, "starts_on": str(starts_on), "ends_on": str(ends_on)},
        )
    return entry


async def lift_entry(*, actor: Actor, entry_id: int, reason: str) -> BlacklistEntry:
    """HR lifts an entry early: it no longer holds from today on."""
    require_role(actor, KEEPERS)
    reason = require_reason(reason)
    async with in_transaction():
        entry = await BlacklistEntry.filter(id=entry_id).select_for_update().first()
        if entry is None:
            raise NotFound("黑名单记录不存在", code="BLACKLIST_ENTRY_NOT_FOUND")
        await _name_in_scope(actor, entry.kind, entry.subject_id)
        today = clock.today()
        if entry.lifted_on is not None or (entry.ends_on is not None and entry.ends_on < today):
            raise Conflict("该黑名单记录已解除或已到期", code="BLACKLIST_ENTRY_ENDED")
        entry.lifted_on, entry.lifted_by_id, entry.lift_reason = today, actor.user_id, reason
        await entry.save(update_fields=["lifted_on", "lifted_by_id", "lift_reason"])
        await record_audit(
            actor_id=actor.user_id,
            action="blacklist.lift",
            target_type=entry.kind.value,
            target_id=entry.subject_id,
            details={"entry_id": entry.id, "reason": reason},
        )
    return entry


@dataclass(frozen=True, slots=True)
class EntryView:
    """A blacklist entry as HR sees it; `in_force` on the day asked."""

    id: int
    kind: str
    kind_label: str
    subject_id: int
    subject_name: str
    reason: str
    starts_on: str
    ends_on: str | None
    lifted_on: str | None
    lift_reason: str
    in_force: bool


@dataclass(frozen=True, slots=True)
class BlacklistStatus:
    """Whether one subject is blacklisted on a day, with the entries that hold."""

    kind: str
    subject_id: int
    on: str
    blacklisted: bool
    entries: list[EntryView]


def entry_view(entry: BlacklistEntry, on: date | None = None) -> EntryView:
    """An entry as HR sees it, with whether it holds on `on` (default today)."""
    on = on or clock.today()
    holds = (
        entry.starts_on <= on
        and (entry.ends_on is None or entry.ends_on >= on)
        and (entry.lifted_on is None or entry.lifted_on > on)
    )
    return EntryView(
        id=entry.id,
        kind=entry.kind.value,
        kind_label=BLACKLIST_KIND_LABELS[entry.kind],
        subject_id=entry.subject_id,
        subject_name=entry.subject_name,
        reason=entry.reason,
        starts_on=entry.starts_on.isoformat(),
        ends_on=entry.ends_on.isoformat() if entry.ends_on else None,
        lifted_on=entry.lifted_on.isoformat() if entry.lifted_on else None,
        lift_reason=entry.lift_reason,
        in_force=holds,
    )


async def list_entries(
    *,
    actor: Actor,
    kind: BlacklistKind | None = None,
    subject_id: int | None = None,
    on: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[BlacklistEntry]]:
    """Entries, newest first; with `on`, only those in force on that day."""
    require_role(actor, KEEPERS)
    query = BlacklistEntry.all()
    if kind is not None:
        query = query.filter(kind=kind)
    if subject_id is not None:
        query = query.filter(subject_id=subject_id)
    if on is not None:
        query = query.filter(in_force(on))
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def blacklist_status(
    *, actor: Actor, kind: BlacklistKind, subject_id: int, on: date | None = None
) -> BlacklistStatus:
    """Whether one subject is blacklisted on a day (default today), with the entries that hold."""
    require_role(actor, KEEPERS)
    on = on or clock.today()
    entries = await BlacklistEntry.filter(in_force(on), kind=kind, subject_id=subject_id).order_by(
        "id"
    )
    return BlacklistStatus(
        kind=kind.value,
        subject_id=subject_id,
        on=on.isoformat(),
        blacklisted=bool(entries),
        entries=[entry_view(e, on) for e in entries],
    )
