"""The worker's jobs: each a thin run() that calls one service (added by later capabilities)."""

from __future__ import annotations
