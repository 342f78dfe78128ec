"""What the connector hands to the domain, independent of any site's field names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from backend.occupations import Education

T = TypeVar("T")


@dataclass(frozen=True)
class PostingData:
    """One posting as the domain stores it (salary in yuan per month, times aware)."""

    external_id: str
    title: str
    employer: str
    district_code: str
    occupation_code: str
    occupation_name: str
    salary_min: int
    salary_max: int
    education: Education
    experience_years: int
    headcount: int
    description: str
    address: str
    url: str
    published_at: datetime
    updated_at: datetime | None
    expires_at: datetime | None
    is_open: bool = True


@dataclass(frozen=True)
class RemovedPosting:
    """A posting the site took down."""

    external_id: str
    removed_at: datetime | None


@dataclass
class Page(Generic[T]):
    """One page of a feed: items that mapped, problems with those that did not, where next."""

    items: list[T]
    next_cursor: str
    has_more: bool
    problems: list[str] = field(default_factory=list)
    raw_count: int = 0
    remaining: int | None = None  # the site's estimate of items after this page, if it gives one


@dataclass(frozen=True)
class Applicant:
    """The resume a trainee delivers (only what the employer needs to answer)."""

    name: str
    phone: str
    gender: str
    education: str
    major: str
    skills: Sequence[str]
    intention: str


@dataclass(frozen=True)
class ApplicationData:
    """A resume delivery to one posting; `reference` makes a repeated delivery harmless."""

    reference: str
    posting_external_id: str
    applicant: Applicant
    message: str = ""


@dataclass(frozen=True)
class Receipt:
    """The site's acknowledgement of an application."""

    site_reference: str
    duplicate: bool = False


@dataclass(frozen=True)
class SiteRequest:
    """An HTTP request the adapter wants sent (path relative to the configured base URL)."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    idempotency_key: str | None = None
