"""Domain errors: a stable machine code, a Chinese message for people, and details.

Only `miniprogram_api/errors.py` turns these into HTTP; the kind decides the status there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    kind: ClassVar[str] = "rule"
    default_code: ClassVar[str] = "RULE_VIOLATION"
    default_message: ClassVar[str] = "操作不符合规则"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(f"{self.code}: {self.message}")


class InvalidInput(DomainError):
    """The request's content is malformed or fails validation."""

    kind = "invalid"
    default_code = "VALIDATION_FAILED"
    default_message = "请求内容不正确"


class Unauthenticated(DomainError):
    """No valid session: log in again."""

    kind = "unauthenticated"
    default_code = "UNAUTHENTICATED"
    default_message = "请先登录"


class Forbidden(DomainError):
    """Logged in, but this role or scope may not do this."""

    kind = "forbidden"
    default_code = "FORBIDDEN"
    default_message = "您没有权限执行此操作"


class NotFound(DomainError):
    """The object does not exist (or is outside the caller's scope)."""

    kind = "not_found"
    default_code = "NOT_FOUND"
    default_message = "请求的内容不存在"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, already done)."""

    kind = "conflict"
    default_code = "CONFLICT"
    default_message = "操作与当前状态冲突"


class RuleViolation(DomainError):
    """A rule of the regulation or of the product refuses the request."""

    kind = "rule"
    default_code = "RULE_VIOLATION"
    default_message = "操作不符合规则"


class TooManyRequests(DomainError):
    """Rate limited: try again later."""

    kind = "rate_limited"
    default_code = "TOO_MANY_REQUESTS"
    default_message = "操作过于频繁，请稍后再试"


class Upstream(DomainError):
    """An external system (WeChat, the recruitment site) failed or is unreachable."""

    kind = "upstream"
    default_code = "UPSTREAM_UNAVAILABLE"
    default_message = "外部服务暂时不可用，请稍后再试"


class ConfigurationMissing(DomainError):
    """Data the system needs has not been entered yet (e.g. a calendar year)."""

    kind = "rule"
    default_code = "CONFIGURATION_MISSING"
    default_message = "系统缺少必要的配置数据"


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, the article, a Chinese message, details."""

    code: str
    article: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for error details."""
        return {"code": self.code, "article": self.article, "message": self.message, **self.details}
