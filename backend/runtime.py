"""Process-wide collaborators built once from Settings: the PII cipher, the WeChat connector.

The API, the worker, the CLI and tests call `configure(settings)` at start; services read
`runtime()` for what is the same for every call (keys, clients) and take everything else as
keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.config import Settings
from backend.security.pii import PiiCipher


@dataclass
class Runtime:
    """What services share inside one process."""

    settings: Settings
    cipher: PiiCipher
    extras: dict[str, Any] = field(default_factory=dict)


_current: Runtime | None = None


def configure(settings: Settings) -> Runtime:
    """Build the process's runtime from settings (idempotent for equal settings)."""
    global _current
    if _current is not None and _current.settings == settings:
        return _current
    cipher = PiiCipher.from_secrets(settings.pii_encryption_keys, settings.pii_hash_key)
    _current = Runtime(settings=settings, cipher=cipher)
    return _current


def runtime() -> Runtime:
    """The configured runtime; a clear error if the process forgot to configure it."""
    if _current is None:
        raise RuntimeError("backend.runtime.configure(settings) was not called")
    return _current
