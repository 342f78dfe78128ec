"""Our logical message templates and what WeChat needs of each: ids, field kinds, Chinese texts.

An outbox row names a logical template (`template_key`) and carries the full values in
``payload["data"]``; the values are fitted to WeChat's field limits only when a push is sent,
so the in-app inbox keeps the whole text.

The WeChat template ids belong to the mini-program's and the official account's configuration
(公众平台 → 订阅消息 / 模板消息). Until settings carry them they are the constants below, which
the local stand-in accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.integrations.wechat import fit_template_data, validate_template_data

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
    subscribe_id: str  # mini-program subscribe template id
    fields: Mapping[str, str]  # WeChat field key → kind (thing, date, phrase…)
    labels: Mapping[str, str]  # WeChat field key → Chinese label, for the inbox body
    oa_template_id: str | None = None  # official-account template id, if there is one
    long_term: bool = False  # 长期订阅: consent once, send without a count
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


_REGISTRY: dict[str, TemplateSpec] = {}


def register_template(spec: TemplateSpec) -> TemplateSpec:
    """Make a logical template known to the dispatcher (other domains add theirs here)."""
    _REGISTRY[spec.key] = spec
    return spec


def template(key: str) -> TemplateSpec:
    """The logical template `key`; KeyError names it when unknown."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown message template {key!r}") from None


def find_template(key: str) -> TemplateSpec | None:
    """The logical template `key`, or None when unknown."""
    return _REGISTRY.get(key)


def all_templates() -> list[TemplateSpec]:
    """Every registered template, by key."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def by_wechat_id(template_id: str) -> TemplateSpec | None:
    """The logical template whose subscribe or official-account id is `template_id`."""
    for spec in _REGISTRY.values():
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
