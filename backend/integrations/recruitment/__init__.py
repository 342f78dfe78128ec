"""The recruitment-site connector (aiohttp): contract adapter, retries, one error type."""

from __future__ import annotations

from backend.config import Settings

from .adapter import JsonContractAdapter, SiteAdapter, load_adapter
from .connector import RecruitmentConfig, RecruitmentConnector, classify, retry_after_seconds
from .errors import MappingError, RecruitmentError
from .types import (
    Applicant,
    ApplicationData,
    Page,
    PostingData,
    Receipt,
    RemovedPosting,
    SiteRequest,
)

__all__ = [
    "Applicant",
    "ApplicationData",
    "JsonContractAdapter",
    "MappingError",
    "Page",
    "PostingData",
    "Receipt",
    "RecruitmentConfig",
    "RecruitmentConnector",
    "RecruitmentError",
    "RemovedPosting",
    "SiteAdapter",
    "SiteRequest",
    "classify",
    "config_from_settings",
    "load_adapter",
    "retry_after_seconds",
]


def config_from_settings(settings: Settings) -> RecruitmentConfig:
    """The connector configuration of this deployment."""
    return RecruitmentConfig(base_url=settings.recruitment_api_base)
