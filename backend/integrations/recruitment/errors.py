"""The one error type of the recruitment connector: retry later, or give up with a reason."""

from __future__ import annotations


class RecruitmentError(Exception):
    """A call to the recruitment site failed.

    `retryable` says whether the same call may succeed later (network, timeout, 5xx, 429);
    `retry_after` is the wait the site asked for (seconds), if any; `status` the HTTP status
    (0 when no answer came); `code` the site's error code or ours; `reason` says why, in Chinese.
    """

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        status: int = 0,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.reason = reason
        self.retryable = retryable
        self.status = status
        self.code = code
        self.retry_after = retry_after
        kind = "retryable" if retryable else "permanent"
        super().__init__(f"{kind} recruitment error ({status} {code}): {reason}")

    @property
    def permanent(self) -> bool:
        """True when retrying the same call cannot succeed."""
        return not self.retryable


class MappingError(ValueError):
    """One item of the site could not be mapped to a posting (skipped and logged by the sync)."""

    def __init__(self, external_id: str, problem: str) -> None:
        self.external_id = external_id
        self.problem = problem
        super().__init__(f"{external_id or '?'}: {problem}")
