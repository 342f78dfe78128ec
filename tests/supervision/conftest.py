"""Fixtures of the supervision tests (defined in support.py)."""

from __future__ import annotations

from tests.supervision.support import at, world

__all__ = ["at", "world"]
