"""The site-specific part of the connector: requests to make and how fields map.

`SiteAdapter` is everything that differs between recruitment sites; the connector does the HTTP,
the retries and the rate limits. `JsonContractAdapter` speaks the contract in
docs/recruitment-contract.md. A bureau whose site has another interface writes one subclass and
names it in configuration (`RecruitmentConfig.adapter = "package.module:ClassName"`).
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from backend import clock
from backend.districts import DISTRICTS
from backend.integrations.recruitment.errors import MappingError
from backend.integrations.recruitment.types import (
    ApplicationData,
    Page,
    PostingData,
    Receipt,
    RemovedPosting,
    SiteRequest,
)
from backend.occupations import EDUCATION_LABELS, Education, code_name, is_valid_code

DISTRICT_BY_NAME = {name: code for code, name in DISTRICTS.items()}
DISTRICT_BY_NAME.update({name.rstrip("区县市"): code for code, name in DISTRICTS.items()})
EDUCATION_BY_LABEL = {label: level for level, label in EDUCATION_LABELS.items()}
EDUCATION_BY_LABEL.update({"不限": Education.NONE, "高中": Education.HIGH_SCHOOL})
EDUCATION_BY_LABEL.update({"中专": Education.HIGH_SCHOOL, "技校": Education.HIGH_SCHOOL})
MONTHLY = {"month": 1.0, "year": 1 / 12, "day": 21.75, "hour": 174.0}


class SiteAdapter(ABC):
    """Requests and field mapping of one recruitment site."""

    @abstractmethod
    def changes_request(self, cursor: str, limit: int) -> SiteRequest:
        """The request for postings created or changed after `cursor` ("" = from the start)."""

    @abstractmethod
    def parse_changes(self, body: Any) -> Page[PostingData]:
        """Postings of one page of changes (items that fail mapping become `problems`)."""

    @abstractmethod
    def removed_request(self, cursor: str, limit: int) -> SiteRequest:
        """The request for postings removed after `cursor`."""

    @abstractmethod
    def parse_removed(self, body: Any) -> Page[RemovedPosting]:
        """Removed postings of one page."""

    @abstractmethod
    def detail_request(self, external_id: str) -> SiteRequest:
        """The request for one posting."""

    @abstractmethod
    def parse_posting(self, raw: Any) -> PostingData:
        """One posting; raises MappingError when a required field is missing or wrong."""

    @abstractmethod
    def application_request(self, application: ApplicationData) -> SiteRequest:
        """The request that delivers a resume (idempotent by `application.reference`)."""

    @abstractmethod
    def parse_receipt(self, body: Any) -> Receipt:
        """The site's acknowledgement of an application."""


def load_adapter(path: str) -> SiteAdapter:
    """An adapter instance from ``module:Class`` ("" or "json" = the documented contract)."""
    if path in ("", "json"):
        return JsonContractAdapter()
    module_name, _, class_name = path.partition(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, SiteAdapter)):
        raise TypeError(f"{path} is not a SiteAdapter")
    return adapter_class()


def _text(raw: dict[str, Any], key: str, *, required: bool = False, limit: int = 0) -> str:
    value = raw.get(key)
    if isinstance(value, dict):
        value = value.get("name")
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise MappingError(str(raw.get("id", "")), f"missing {key}")
    return text[:limit] if limit else text


def parse_time(value: Any, *, field: str, external_id: str = "") -> datetime | None:
    """An ISO 8601 time; a naive one is read as Asia/Shanghai."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise MappingError(external_id, f"{field} is not ISO 8601: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.SHANGHAI)


class JsonContractAdapter(SiteAdapter):
    """The project's own JSON contract (docs/recruitment-contract.md), spoken by the simulator."""

    prefix = "/api/v1"

    def changes_request(self, cursor: str, limit: int) -> SiteRequest:
        """GET /postings/changes?cursor=&limit=."""
        return SiteRequest("GET", f"{self.prefix}/postings/changes", _page(cursor, limit))

    def removed_request(self, cursor: str, limit: int) -> SiteRequest:
        """GET /postings/removed?cursor=&limit=."""
        return SiteRequest("GET", f"{self.prefix}/postings/removed", _page(cursor, limit))

    def detail_request(self, external_id: str) -> SiteRequest:
        """GET /postings/{id}."""
        return SiteRequest("GET", f"{self.prefix}/postings/{external_id}")

    def parse_changes(self, body: Any) -> Page[PostingData]:
        """Map each item; an unmappable item is reported, not fatal."""
        page: Page[PostingData] = _envelope(body)
        for raw in body.get("items", []):
            try:
                page.items.append(self.parse_posting(raw))
            except MappingError as exc:
                page.problems.append(str(exc))
        return page

    def parse_removed(self, body: Any) -> Page[RemovedPosting]:
        """Removed ids with their removal time."""
        page: Page[RemovedPosting] = _envelope(body)
        for raw in body.get("items", []):
            external_id = str(raw.get("id", "")).strip()
            if not external_id:
                page.problems.append("removed item without id")
                continue
            when = parse_time(raw.get("removed_at"), field="removed_at", external_id=external_id)
            page.items.append(RemovedPosting(external_id, when))
        return page

    def parse_posting(self, raw: Any) -> PostingData:
        """Contract fields → PostingData (salary made monthly, district and education checked)."""
        if not isinstance(raw, dict):
            raise MappingError("", "item is not an object")
        external_id = _text(raw, "id", required=True, limit=64)
        occupation = raw.get("occupation") or {}
        code = str(occupation.get("code", "")).strip()
        if not is_valid_code(code):
            raise MappingError(external_id, f"bad occupation code {code!r}")
        low, high = _salary(raw.get("salary") or {}, external_id)
        published = parse_time(
            raw.get("published_at"), field="published_at", external_id=external_id
        )
        return PostingData(
            external_id=external_id,
            title=_text(raw, "title", required=True, limit=200),
            employer=_text(raw, "employer", required=True, limit=200),
            district_code=_district(raw.get("district") or {}, external_id),
            occupation_code=code,
            occupation_name=str(occupation.get("name") or code_name(code))[:100],
            salary_min=low,
            salary_max=high,
            education=_education(raw.get("education"), external_id),
            experience_years=max(0, int(raw.get("experience_years") or 0)),
            headcount=max(1, int(raw.get("headcount") or 1)),
            description=_text(raw, "description", limit=5000),
            address=_text(raw, "address", limit=300),
            url=_text(raw, "url", limit=500),
            published_at=published or clock.now(),
            updated_at=parse_time(
                raw.get("updated_at"), field="updated_at", external_id=external_id
            ),
            expires_at=parse_time(
                raw.get("expires_at"), field="expires_at", external_id=external_id
            ),
            is_open=str(raw.get("status", "open")) == "open",
        )

    def application_request(self, application: ApplicationData) -> SiteRequest:
        """POST /applications with an Idempotency-Key."""
        applicant = application.applicant
        body = {
            "posting_id": application.posting_external_id,
            "reference": application.reference,
            "message": application.message,
            "applicant": {
                "name": applicant.name,
                "phone": applicant.phone,
                "gender": applicant.gender,
                "education": applicant.education,
                "major": applicant.major,
                "skills": list(applicant.skills),
                "intention": applicant.intention,
            },
        }
        return SiteRequest(
            "POST", f"{self.prefix}/applications", json=body, idempotency_key=application.reference
        )

    def parse_receipt(self, body: Any) -> Receipt:
        """{"application_id", "duplicate"}."""
        reference = str((body or {}).get("application_id", "")).strip()
        if not reference:
            raise MappingError("", "receipt without application_id")
        return Receipt(reference, bool(body.get("duplicate", False)))


def _page(cursor: str, limit: int) -> dict[str, str]:
    params = {"limit": str(limit)}
    if cursor:
        params["cursor"] = cursor
    return params


def _envelope(body: Any) -> Page[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise MappingError("", "page without items")
    items, remaining = body["items"], body.get("remaining")
    page: Page[Any] = Page([], str(body.get("next_cursor") or ""), bool(body.get("has_more")))
    page.raw_count = len(items)
    page.remaining = int(remaining) if isinstance(remaining, int) else None
    return page


def _district(raw: dict[str, Any], external_id: str) -> str:
    code = str(raw.get("code", "")).strip()
    if code in DISTRICTS:
        return code
    by_name = DISTRICT_BY_NAME.get(str(raw.get("name", "")).strip())
    if by_name:
        return by_name
    raise MappingError(external_id, f"unknown district {raw!r}")


def _salary(raw: dict[str, Any], external_id: str) -> tuple[int, int]:
    try:
        factor = MONTHLY[str(raw.get("unit") or "month")]
        low = round(float(raw.get("min") or 0) * factor)
        high = round(float(raw.get("max") or 0) * factor)
    except (KeyError, TypeError, ValueError):
        raise MappingError(external_id, f"bad salary {raw!r}") from None
    if low < 0 or high < 0:
        raise MappingError(external_id, "negative salary")
    return (low, max(low, high)) if high else (low, low)


def _education(raw: Any, external_id: str) -> Education:
    text = str(raw or "none").strip()
    try:
        return Education(text)
    except ValueError:
        level = EDUCATION_BY_LABEL.get(text.removesuffix("及以上"))
        if level is None:
            raise MappingError(external_id, f"unknown education {text!r}") from None
        return level
