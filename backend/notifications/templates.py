"""Our logical message templates and what WeChat needs of each: ids, field kinds, Chinese texts.

An outbox row names a logical template (`template_key`) and carries the full values in
``payload["data"]``; the values are fitted to WeChat's field limits only when a push is sent,
so the in-app inbox keeps the whole text.

The WeChat template ids belong to the mini-program's and the official account's configuration
(公众平台 → 订阅消息 / 模板消息). Each domain registers its templates with built-in ids, which
only the local stand-in accepts; a deployment gives the real ones in WECHAT_TEMPLATE_IDS and
WECHAT_OA_TEMPLATE_IDS, and names its long-term templates (长期订阅, for accounts that qualify)
in WECHAT_LONG_TERM_TEMPLATES. Every lookup below (`template`, `find_template`, `all_templates`,
`by_wechat_id`) answers with the configured ids, so a push, the consent ledger and the callback
all see the same ones. Unknown keys in those settings are refused when a process starts
(`check_template_settings`), once every domain has registered its templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from backend.config import Settings, SettingsError
from backend.integrations.wechat import fit_template_data, validate_template_data
from backend.runtime import runtime

FOLLOWUP_SURVEY = "followup_survey"
NOTICE = "notice"


@dataclass(frozen=True)
class Rendered:
    """A message ready for a channel: fitted WeChat data, page, and the inbox texts."""

    data: dict[str, str]
    page: str
    title: str
    body: str


class TemplateDataError(ValueError):
    """Values that cannot be made to fit the template (WeChat would answer 47003)."""


@dataclass(frozen=True)
class TemplateSpec:
    """One logical template: its WeChat ids, field kinds and labels, and how to fall back."""

    key: str
    title: str  # inbox title, also the subject of the phone task
    subscribe_id: str  # mini-program subscribe template id (built-in; WECHAT_TEMPLATE_IDS)
    fields: Mapping[str, str]  # WeChat field key → kind (thing, date, phrase…)
    labels: Mapping[str, str]  # WeChat field key → Chinese label, for the inbox body
    oa_template_id: str | None = None  # official-account template id (WECHAT_OA_TEMPLATE_IDS)
    # 长期订阅: consent once, send without a count. Set by the lookups from
    # WECHAT_LONG_TERM_TEMPLATES, never at registration.
    long_term: bool = False
    page: str = "pages/index/index"
    needs_person: bool = True  # when the push fails, a person calls (a HumanTask)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def values(self, payload: Mapping[str, Any]) -> dict[str, str]:
        """The full (unfitted) value of each field, from ``payload["data"]``."""
        data = payload.get("data") or {}
        return {key: str(data.get(key, "")) for key in self.fields}

    def render(self, payload: Mapping[str, Any]) -> Rendered:
        """Fitted data for WeChat and full texts for the inbox; TemplateDataError if unfixable."""
        data = fit_template_data(self.values(payload), self.fields)
        problems = validate_template_data(data, self.fields)
        if problems:
            raise TemplateDataError("; ".join(problems))
        return Rendered(data, self.page_of(payload), self.title, self.inbox_body(payload))

    def inbox_body(self, payload: Mapping[str, Any]) -> str:
        """The whole message as lines of label and value (the inbox has no length limits)."""
        values = self.values(payload)
        return "\n".join(f"{self.labels.get(k, k)}：{v}" for k, v in values.items() if v)

    def page_of(self, payload: Mapping[str, Any]) -> str:
        """The mini-program page the message opens."""
        return str(payload.get("page") or self.page)


_REGISTRY: dict[str, TemplateSpec] = {}  # as each domain declared it: the built-in ids
_registrations = 0  # the registry's version: the configured table is rebuilt when it changes


def register_template(spec: TemplateSpec) -> TemplateSpec:
    """Make a logical template known to the dispatcher (other domains add theirs here)."""
    if spec.long_term:
        raise ValueError(f"{spec.key}: long-term templates are named in WECHAT_LONG_TERM_TEMPLATES")
    global _registrations
    _REGISTRY[spec.key] = spec
    _registrations += 1
    return spec


def configured_templates(settings: Settings) -> dict[str, TemplateSpec]:
    """Every registered template with the ids and long-term flag `settings` give it."""
    ids, oa_ids = settings.template_ids, settings.oa_template_ids
    long_term = settings.long_term_templates
    return {
        key: replace(
            spec,
            subscribe_id=ids.get(key, spec.subscribe_id),
            oa_template_id=oa_ids.get(key, spec.oa_template_id) or None,
            long_term=key in long_term,
        )
        for key, spec in _REGISTRY.items()
    }


def _templates() -> dict[str, TemplateSpec]:
    """The runtime's table of configured templates, rebuilt when one is registered."""
    return runtime().derived(configured_templates, _registrations)


def check_template_settings(settings: Settings) -> None:
    """Refuse template settings that name unknown templates or give two templates one id.

    Call once every domain has registered its templates (the API and the worker at start).
    Outside dev mode a template still on its built-in id (only the stand-in knows it) is refused
    too: every real push would fail, retry and end as a phone-call task.
    """
    if not settings.dev and (problems := builtin_template_problems(settings)):
        raise SettingsError("refusing to start outside dev mode: " + "; ".join(problems))
    known = set(_REGISTRY)
    for env, keys in (
        ("WECHAT_TEMPLATE_IDS", set(settings.template_ids)),
        ("WECHAT_OA_TEMPLATE_IDS", set(settings.oa_template_ids)),
        ("WECHAT_LONG_TERM_TEMPLATES", set(settings.long_term_templates)),
    ):
        if unknown := sorted(keys - known):
            raise SettingsError(
                f"{env} names unknown templates: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known))})"
            )
    specs = configured_templates(settings).values()
    for env, ids in (
        ("WECHAT_TEMPLATE_IDS", [(s.key, s.subscribe_id) for s in specs]),
        ("WECHAT_OA_TEMPLATE_IDS", [(s.key, s.oa_template_id) for s in specs if s.oa_template_id]),
    ):
        seen: dict[str, str] = {}
        for key, template_id in sorted(ids):
            if template_id in seen:
                raise SettingsError(
                    f"{env} gives {seen[template_id]} and {key} the same id {template_id!r}"
                )
            seen[template_id] = key


def builtin_template_problems(settings: Settings) -> list[str]:
    """Templates in use whose WeChat id is still the built-in one, named with the fixing setting.

    Every registered template is in use (a domain registers what it sends); official-account
    ids matter only where an official account is configured (WECHAT_OA_APPID).
    """
    problems = []
    missing = sorted(set(_REGISTRY) - set(settings.template_ids))
    if missing:
        problems.append(
            "WECHAT_TEMPLATE_IDS lacks the real subscribe template ids of: " + ", ".join(missing)
        )
    if settings.wechat_oa_appid:
        oa_missing = sorted(
            key
            for key, spec in _REGISTRY.items()
            if spec.oa_template_id and key not in settings.oa_template_ids
        )
        if oa_missing:
            problems.append(
                "WECHAT_OA_TEMPLATE_IDS lacks the real template ids (or `key=` for none) of: "
                + ", ".join(oa_missing)
            )
    return problems


def template(key: str) -> TemplateSpec:
    """The logical template `key` (configured ids); KeyError names it when unknown."""
    try:
        return _templates()[key]
    except KeyError:
        raise KeyError(f"unknown message template {key!r}") from None


def find_template(key: str) -> TemplateSpec | None:
    """The logical template `key` (configured ids), or None when unknown."""
    return _templates().get(key)


def all_templates() -> list[TemplateSpec]:
    """Every registered template (configured ids), by key."""
    specs = _templates()
    return [specs[k] for k in sorted(specs)]


def by_wechat_id(template_id: str) -> TemplateSpec | None:
    """The logical template whose configured subscribe or official-account id is `template_id`."""
    for spec in _templates().values():
        if template_id in (spec.subscribe_id, spec.oa_template_id):
            return spec
    return None


# 第二十五条: 结业后1周、3个月、6个月回访 — the survey invitation.
register_template(
    TemplateSpec(
        key=FOLLOWUP_SURVEY,
        title="就业情况回访",
        subscribe_id="tpl-followup-survey",
        oa_template_id="oa-tpl-followup-survey",
        fields={"thing1": "thing", "thing2": "thing", "date3": "date", "thing4": "thing"},
        labels={
            "thing1": "回访事项",
            "thing2": "培训班",
            "date3": "回访日期",
            "thing4": "温馨提示",
        },
        page="pages/followup/survey",
    )
)

# A plain notice (used by tests and operators): one subject, one date, one remark.
register_template(
    TemplateSpec(
        key=NOTICE,
        title="通知",
        subscribe_id="tpl-notice",
        fields={"thing1": "thing", "date2": "date", "thing3": "thing"},
        labels={"thing1": "事项", "date2": "日期", "thing3": "备注"},
        needs_person=False,
    )
)
