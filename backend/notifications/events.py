"""One table of event kinds → who hears about each, with which template and which words.

A domain records an event (`backend.events.service.record_event`) in the transaction of its
fact; `fan_out_event` (registered with the events package, run in that same transaction) writes
one outbox message per person concerned. The people are computed from the event's scope — the
class's district HR, the institution's admins, the class's teacher and staff, the session's
booked instructors, the trainee — never guessed. Each person gets:

- a push (subscribe message; the dispatcher falls back to the official account, then the inbox)
  when they hold a consent for the kind's template or follow the official account;
- otherwise an inbox-only message.

Every message lands in the in-app inbox when it is settled (the dispatcher copies it); pushes
wait out the quiet hours and the daily cap. One message per (event, person): the outbox's dedupe
key `event:<id>:u<user>` makes a second fan-out (a retry, a second worker) write nothing.

Each kind's logical template is configurable (EVENT_TEMPLATE_KEYS, `kind=template_key`); the
WeChat ids of the templates are WECHAT_TEMPLATE_IDS / WECHAT_OA_TEMPLATE_IDS as for any template.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Instructor, Role, RoleGrant, Trainee, WeChatIdentity
from backend.calendar.working_days import REVIEW_WORKING_DAYS, SUBMIT_WORKING_DAYS
from backend.classes.models import (
    ClassInstructor,
    ClassStaff,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    StaffDuty,
)
from backend.config import Settings, SettingsError
from backend.events.models import DomainEvent
from backend.events.service import EventKind, on_event
from backend.notifications.models import Channel, SubscriptionConsent
from backend.notifications.outbox import enqueue
from backend.notifications.templates import TemplateSpec, find_template, register_template
from backend.runtime import runtime

log = logging.getLogger("jobready.events")

# Logical templates of workflow events: one field layout, five WeChat templates people know.
WORK_TODO = "work_todo"  # 待办提醒: something to do, with its deadline
WORK_RESULT = "work_result"  # 审核结果通知: a decision on what the reader asked for
CLASS_REMINDER = "class_reminder"  # 上课提醒
ATTENDANCE_WARNING = "attendance_warning"  # 出勤预警
CERTIFICATE_NOTICE = "certificate_notice"  # 证书通知
EVENT_FIELDS = {"thing1": "thing", "thing2": "thing", "date3": "date", "thing4": "thing"}


def _register(key: str, title: str, labels: tuple[str, str, str, str], page: str) -> None:
    register_template(
        TemplateSpec(
            key=key,
            title=title,
            subscribe_id=f"tpl-{key.replace('_', '-')}",
            fields=EVENT_FIELDS,
            labels=dict(zip(EVENT_FIELDS, labels, strict=True)),
            page=page,
            needs_person=False,  # the work queue keeps the item until it is done
        )
    )


_register(WORK_TODO, "待办提醒", ("事项", "内容", "截止日期", "提示"), "pages/work/index")
_register(WORK_RESULT, "审核结果通知", ("事项", "结果", "日期", "说明"), "pages/work/index")
_register(
    CLASS_REMINDER, "上课提醒", ("课程", "时间地点", "上课日期", "提示"), "pages/schedule/index"
)
_register(
    ATTENDANCE_WARNING, "出勤预警", ("事项", "出勤情况", "日期", "提示"), "pages/schedule/index"
)
_register(
    CERTIFICATE_NOTICE, "证书通知", ("事项", "证书", "日期", "提示"), "pages/certificates/index"
)


class Audience(StrEnum):
    """Whom an event concerns, resolved from its scope."""

    HR = "hr"  # HR covering the class's district (and city-wide HR)
    CITY_HR = "city_hr"  # city-wide HR (city-level acts: instructor certification)
    INSTITUTION = "institution"  # the institution's admins
    CLASS_STAFF = "class_staff"  # the class teacher and the staff member (第二十条)
    CLASS_INSTRUCTORS = "class_instructors"  # every instructor assigned to the class
    SESSION_INSTRUCTORS = "session_instructors"  # the instructors booked on the session
    CLASS_TRAINEES = "class_trainees"  # enrolled trainees with a WeChat login
    TRAINEE = "trainee"  # the trainee the event is about
    INSTRUCTOR = "instructor"  # the instructor the event is about
    USER = "user"  # the user the event is about (an applicant)


@dataclass(frozen=True)
class EventSpec:
    """How one kind of event reaches people: template, subject, and a text for each reader.

    Texts are `str.format` strings over the event's data (a missing value reads as empty).
    """

    kind: EventKind
    template_key: str
    subject: str  # 事项: a few words (WeChat's thing ≤ 20 characters)
    texts: Mapping[Audience, str]
    hint: str = ""


def _spec(
    kind: EventKind, template_key: str, subject: str, hint: str = "", **texts: str
) -> EventSpec:
    return EventSpec(kind, template_key, subject, {Audience(k): v for k, v in texts.items()}, hint)


K = EventKind
# The table: every kind, whom it reaches, and what each reader is told.
EVENTS: dict[EventKind, EventSpec] = {
    s.kind: s
    for s in (
        _spec(
            K.PLAN_SUBMITTED,
            WORK_TODO,
            "培训方案待审核",
            "请在审核截止日前完成审核（第十八条）",
            hr="{institution}申报了《{class_title}》（{start_date}开班），请在{deadline}前完成审核",
        ),
        _spec(
            K.PLAN_APPROVED,
            WORK_RESULT,
            "培训方案审核通过",
            "合同生效后5个工作日内拨付预付款（第二十四条）",
            institution="《{class_title}》已审核通过，可按计划于{start_date}开班",
            class_staff="您负责的《{class_title}》已审核通过，{start_date}开班",
            class_instructors="您授课的《{class_title}》已审核通过，{start_date}开班，请按课表授课",
        ),
        _spec(
            K.PLAN_REJECTED,
            WORK_RESULT,
            "培训方案被驳回",
            "修改后请在申报截止日前重新提交（第十八条）",
            institution="《{class_title}》被驳回，原因：{reason}。请在{deadline}前修改后重新申报",
        ),
        _spec(
            K.LEAVE_REQUESTED,
            WORK_TODO,
            "讲师请假待审批",
            "批准须指定符合条件的代课讲师（第十九条）",
            hr="{instructor_name}申请不参加《{class_title}》{session_time}的课次，原因：{reason}",
        ),
        _spec(
            K.LEAVE_APPROVED,
            WORK_RESULT,
            "请假已批准",
            "代课讲师须本人签到授课（第十九条）",
            instructor="您{session_time}《{class_title}》的请假已批准，由{substitute_name}代课",
            class_staff="{instructor_name}{session_time}的课次请假已批准，由{substitute_name}代课",
            session_instructors="人社部门安排您代{instructor_name}讲授《{class_title}》{session_time}的课次，请本人到场签到",
        ),
        _spec(
            K.LEAVE_REJECTED,
            WORK_RESULT,
            "请假未批准",
            "请按课表授课；如有困难请联系人社部门",
            instructor="您{session_time}《{class_title}》的请假未获批准。说明：{reason}",
        ),
        _spec(
            K.CERTIFICATION_APPLIED,
            WORK_TODO,
            "师资认证申请待审核",
            "审核通过将颁发师资证书（第十三条）",
            city_hr="{candidate_name}提交了师资认证申请，请审核",
        ),
        _spec(
            K.CERTIFICATION_APPROVED,
            WORK_RESULT,
            "师资认证已通过",
            "证书编号可在小程序中查看",
            user="您的师资认证申请已通过，证书编号{certificate_no}",
        ),
        _spec(
            K.CERTIFICATION_REJECTED,
            WORK_RESULT,
            "师资认证未通过",
            "如有疑问请联系人社部门",
            user="您的师资认证申请未通过。说明：{reason}",
        ),
        _spec(
            K.CERTIFICATE_ISSUED,
            CERTIFICATE_NOTICE,
            "结业证书已颁发",
            "可在“我的证书”中查看，扫码可验证真伪",
            trainee="恭喜您完成《{class_title}》，{authority}已为您颁发{certificate_title}，编号{number}",
        ),
        _spec(
            K.CERTIFICATE_REVOKED,
            CERTIFICATE_NOTICE,
            "结业证书已撤销",
            "如有异议请联系人社部门",
            trainee="您的证书（编号{number}）已被撤销，原因：{reason}",
        ),
        _spec(
            K.SESSION_TOMORROW,
            CLASS_REMINDER,
            "明日上课提醒",
            "请提前到场，扫码签到",
            class_trainees="明天{session_time}《{class_title}》：{topic}，地点：{place}。请准时参加并扫码签到",
            session_instructors="明天{session_time}您在《{class_title}》授课：{topic}，地点：{place}。请本人到场签到",
        ),
        _spec(
            K.ABSENCE_WARNING,
            ATTENDANCE_WARNING,
            "出勤不足预警",
            "出勤率不足将无法结业和取得证书（第二十二条）",
            trainee="您在《{class_title}》已缺勤{missed}次，出勤率已无法达到{threshold}的结业要求，请联系班主任",
            class_staff="{trainee_name}在《{class_title}》已缺勤{missed}次，出勤率已无法达到{threshold}，请及时关注",
        ),
        _spec(
            K.SUBMISSION_DEADLINE_APPROACHING,
            WORK_TODO,
            "培训方案申报截止临近",
            f"须在开班日前{SUBMIT_WORKING_DAYS}个工作日申报（第十八条）",
            institution="《{class_title}》须在{deadline}前申报（还剩{days_left}个工作日），请尽快完善并提交",
        ),
        _spec(
            K.SUBMISSION_DEADLINE_MISSED,
            WORK_TODO,
            "培训方案已过申报期限",
            "请调整开班日期后再申报（第十八条）",
            institution="《{class_title}》的申报截止日{deadline}已过，按计划开班日期已不能申报",
        ),
        _spec(
            K.REVIEW_DEADLINE_TODAY,
            WORK_TODO,
            "今日为方案审核截止日",
            f"须在开班前{REVIEW_WORKING_DAYS}个工作日完成审核（第十八条）",
            hr="《{class_title}》（{institution}）今天（{deadline}）是审核截止日，请完成审核",
        ),
        _spec(
            K.REVIEW_DEADLINE_MISSED,
            WORK_TODO,
            "方案审核已逾期",
            f"须在开班前{REVIEW_WORKING_DAYS}个工作日完成审核（第十八条）",
            hr="《{class_title}》的审核截止日{deadline}已过，方案仍未审核",
        ),
        _spec(
            K.FOLLOWUP_OVERDUE,
            WORK_TODO,
            "后续跟踪服务逾期",
            "每名学员须有3次及以上后续服务（第二十五条）",
            instructor="《{class_title}》有{count}名学员的{stage}回访已逾期，请尽快联系",
            institution="《{class_title}》有{count}名学员的{stage}回访已逾期",
        ),
        _spec(
            K.HOME_VISIT_OVERDUE,
            WORK_TODO,
            "家访任务逾期",
            "6个月未就业学员须上门走访（第二十五条）",
            instructor="对{trainee_name}（《{class_title}》）的家访应于{deadline}前完成，已逾期",
            institution="《{class_title}》学员{trainee_name}的家访已逾期",
        ),
        _spec(
            K.TRANCHE_DUE,
            WORK_TODO,
            "补贴款项待拨付",
            "拨付条件已满足（第二十四条）",
            hr="《{class_title}》第{tranche}期补贴{amount}元的拨付条件已满足：{condition}",
        ),
        _spec(
            K.ADVANCE_PAYMENT_DUE,
            WORK_TODO,
            "预付款待拨付",
            "合同生效后5个工作日内支付（第二十四条）",
            hr="《{class_title}》已审核通过，预付款{amount}元须在{deadline}前拨付",
        ),
        _spec(
            K.SUBSTITUTION_SUSPECTED,
            WORK_TODO,
            "疑似私自代课待核实",
            "不得私自找人代课（第十九条）",
            hr="《{class_title}》{session_time}的课次有学员签到，但安排的讲师{instructor_names}未签到，请核实",
        ),
        _spec(
            K.SUBSTITUTION_CONFIRMED,
            WORK_RESULT,
            "私自代课已认定",
            "依第十九条取消该班级补贴申请资格",
            institution="经核实，《{class_title}》{session_time}的课次存在私自代课，该班级已取消补贴申请资格。说明：{reason}",
        ),
    )
}


def parse_event_template_keys(raw: str) -> dict[str, str]:
    """EVENT_TEMPLATE_KEYS `kind=template_key[,…]` → {kind: key}, or why not."""
    keys: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        kind, sep, key = (s.strip() for s in part.partition("="))
        if not sep or kind not in EventKind.__members__.values() or not key:
            raise SettingsError(
                f"EVENT_TEMPLATE_KEYS expects event_kind=template_key, got {part!r}"
            )
        keys[kind] = key
    return keys


def check_event_template_keys(settings: Settings) -> None:
    """Refuse EVENT_TEMPLATE_KEYS naming an unknown kind or template (at process start)."""
    for kind, key in parse_event_template_keys(settings.event_template_keys).items():
        spec = find_template(key)
        if spec is None or dict(spec.fields) != EVENT_FIELDS:
            raise SettingsError(
                f"EVENT_TEMPLATE_KEYS gives {kind} the template {key!r}, which is not an event "
                f"template ({', '.join(sorted(_EVENT_TEMPLATES))})"
            )


_EVENT_TEMPLATES = (WORK_TODO, WORK_RESULT, CLASS_REMINDER, ATTENDANCE_WARNING, CERTIFICATE_NOTICE)


def template_key_of(kind: EventKind) -> str:
    """The logical template of a kind: EVENT_TEMPLATE_KEYS, else the table's."""
    configured = parse_event_template_keys(runtime().settings.event_template_keys)
    return configured.get(kind.value, EVENTS[kind].template_key)


# -- recipients, from the event's scope ------------------------------------------------------------


async def _hr(event: DomainEvent) -> set[int]:
    districts = Q(district_code__isnull=True)
    if event.district_code:
        districts |= Q(district_code=event.district_code)
    return await _granted(Q(role=Role.HR_ADMIN) & districts)


async def _city_hr(event: DomainEvent) -> set[int]:
    return await _granted(Q(role=Role.HR_ADMIN, district_code__isnull=True))


async def _institution(event: DomainEvent) -> set[int]:
    if event.institution_id is None:
        return set()
    return await _granted(Q(role=Role.INSTITUTION_ADMIN, institution_id=event.institution_id))


def _ints(rows: Any) -> set[int]:
    return {int(u) for u in rows}


async def _granted(condition: Q) -> set[int]:
    rows = await RoleGrant.filter(condition, revoked_at__isnull=True).values_list(
        "user_id", flat=True
    )
    return _ints(rows)


async def _class_staff(event: DomainEvent) -> set[int]:
    rows = await ClassStaff.filter(
        training_class_id=event.class_id, duty__in=[StaffDuty.CLASS_TEACHER, StaffDuty.STAFF]
    ).values_list("user_id", flat=True)
    return _ints(rows)


async def _instructor_users(instructor_ids: list[int]) -> set[int]:
    rows = await Instructor.filter(id__in=instructor_ids, user_id__isnull=False).values_list(
        "user_id", flat=True
    )
    return _ints(rows)


async def _class_instructors(event: DomainEvent) -> set[int]:
    ids = await ClassInstructor.filter(training_class_id=event.class_id).values_list(
        "instructor_id", flat=True
    )
    return await _instructor_users(list(_ints(ids)))


async def _session_instructors(event: DomainEvent) -> set[int]:
    ids = await SessionInstructor.filter(session_id=event.session_id).values_list(
        "instructor_id", flat=True
    )
    return await _instructor_users(list(_ints(ids)))


async def _class_trainees(event: DomainEvent) -> set[int]:
    ids = await Enrolment.filter(
        training_class_id=event.class_id, status=EnrolmentStatus.ENROLLED
    ).values_list("trainee_id", flat=True)
    rows = await Trainee.filter(id__in=list(ids), user_id__isnull=False).values_list(
        "user_id", flat=True
    )
    return _ints(rows)


async def _trainee(event: DomainEvent) -> set[int]:
    rows = await Trainee.filter(id=event.trainee_id, user_id__isnull=False).values_list(
        "user_id", flat=True
    )
    return _ints(rows)


async def _instructor(event: DomainEvent) -> set[int]:
    return await _instructor_users([event.instructor_id] if event.instructor_id else [])


async def _user(event: DomainEvent) -> set[int]:
    return {event.user_id} if event.user_id else set()


RESOLVERS: dict[Audience, Callable[[DomainEvent], Awaitable[set[int]]]] = {
    Audience.HR: _hr,
    Audience.CITY_HR: _city_hr,
    Audience.INSTITUTION: _institution,
    Audience.CLASS_STAFF: _class_staff,
    Audience.CLASS_INSTRUCTORS: _class_instructors,
    Audience.SESSION_INSTRUCTORS: _session_instructors,
    Audience.CLASS_TRAINEES: _class_trainees,
    Audience.TRAINEE: _trainee,
    Audience.INSTRUCTOR: _instructor,
    Audience.USER: _user,
}


async def recipients(event: DomainEvent) -> dict[int, Audience]:
    """Each person the event concerns, with the audience whose text they read (first wins)."""
    spec = EVENTS[EventKind(event.kind)]
    found: dict[int, Audience] = {}
    for audience in spec.texts:
        for user_id in sorted(await RESOLVERS[audience](event)):
            found.setdefault(user_id, audience)
    return found


# -- writing the messages --------------------------------------------------------------------------


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_text(text: str, data: Mapping[str, Any]) -> str:
    """A text of the table filled with the event's data (missing values read as empty)."""
    return text.format_map(_Blank({k: "" if v is None else v for k, v in data.items()}))


def payload_of(event: DomainEvent, spec: EventSpec, audience: Audience) -> dict[str, Any]:
    """The outbox payload: the template's four fields and where it came from."""
    data = event.data or {}
    when = str(data.get("date") or clock.local(event.occurred_at).date().isoformat())
    return {
        "data": {
            "thing1": spec.subject,
            "thing2": render_text(spec.texts[audience], data),
            "date3": when,
            "thing4": spec.hint,
        },
        "page": str(data.get("page") or ""),
        "context": {
            "event_id": event.id,
            "event_kind": event.kind,
            "class_id": event.class_id,
            "trainee_id": event.trainee_id,
        },
    }


async def _pushable(user_ids: list[int], template: TemplateSpec) -> set[int]:
    """Users a push can reach: a consent left for the template, or the official account."""
    identities = await WeChatIdentity.filter(user_id__in=user_ids).values(
        "user_id", "openid", "oa_openid"
    )
    with_openid = {r["user_id"] for r in identities if r["openid"]}
    following = {r["user_id"] for r in identities if r["oa_openid"]}
    consents = await SubscriptionConsent.filter(
        user_id__in=list(with_openid), template_id=template.subscribe_id
    ).values("user_id", "remaining", "last_result")
    allowed = {
        r["user_id"]
        for r in consents
        if r["remaining"] > 0 or (template.long_term and r["last_result"] == "accept")
    }
    return allowed | (following if template.oa_template_id else set())


async def fan_out_event(event: DomainEvent) -> int:
    """Write one outbox message per person the event concerns; returns how many were new."""
    spec = EVENTS[EventKind(event.kind)]
    template_key = template_key_of(spec.kind)
    template = find_template(template_key)
    assert template is not None, template_key
    people = await recipients(event)
    pushable = await _pushable(list(people), template)
    written = 0
    for user_id, audience in people.items():
        channel = Channel.SUBSCRIBE if user_id in pushable else Channel.INBOX
        message = await enqueue(
            dedupe_key=f"event:{event.id}:u{user_id}",
            channel=channel,
            template_key=template_key,
            payload=payload_of(event, spec, audience),
            user_id=user_id,
        )
        written += message is not None
    return written


on_event(fan_out_event)


async def fan_out_pending(*, limit: int = 500) -> int:
    """Worker: fan out events recorded where no fan-out ran (claimed, so two workers share)."""
    done = 0
    while True:
        async with in_transaction():
            batch = await (
                DomainEvent.filter(fanned_out_at__isnull=True)
                .order_by("id")
                .limit(limit)
                .select_for_update(skip_locked=True)
            )
            for event in batch:
                await fan_out_event(event)
            if batch:
                await DomainEvent.filter(id__in=[e.id for e in batch]).update(
                    fanned_out_at=clock.now()
                )
        done += len(batch)
        if len(batch) < limit:
            return done
