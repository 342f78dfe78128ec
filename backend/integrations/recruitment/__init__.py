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
    "close_shared_connector",
    "config_from_settings",
    "install_connector",
    "load_adapter",
    "retry_after_seconds",
    "shared_connector",
]

_shared: RecruitmentConnector | None = None
_installed: RecruitmentConnector | None = None


def config_from_settings(settings: Settings) -> RecruitmentConfig:
    """The connector configuration of this deployment."""
    return RecruitmentConfig(base_url=settings.recruitment_api_base)


def shared_connector() -> RecruitmentConnector:
    """The process's connector for the configured site (rebuilt when the settings change)."""
    global _shared
    from backend.runtime import runtime

    if _installed is not None:
        return _installed
    config = config_from_settings(runtime().settings)
    if _shared is None or _shared.config != config:
        _shared = RecruitmentConnector(config)
    return _shared


def install_connector(connector: RecruitmentConnector | None) -> None:
    """Use this connector instead of the configured one (tests, benchmarks); None undoes it."""
    global _installed
    _installed = connector


async def close_shared_connector() -> None:
    """Close the process's connector (at shutdown)."""
    global _shared
    if _shared is not None:
        await _shared.close()
        _shared = None
