"""Tortoise ORM configuration: an SQLite file by default, PostgreSQL when DATABASE_URL says so.

The schema is owned by tortoise's own migrations in `backend/migrations` (`jobready migrate`).
The API opens the ORM through `tortoise.contrib.sanic.register_tortoise` (see
`miniprogram_api/app.py`); the worker, the CLI and tests use `open_db` / `close_db` here.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

APP_LABEL = "models"

# Every module that declares models; one app label keeps relations simple ("models.User").
MODEL_MODULES = [
    "backend.accounts.models",
    "backend.classes.models",
    "backend.security.audit",
    "backend.calendar_models",
    "backend.notifications.models",
    "backend.employment.outcomes",
    "backend.programme.models",
    "backend.supervision.models",
    "backend.supervision.evaluation",
    "backend.attendance.models",
    "backend.certificates.models",
    "backend.followups.models",
    "backend.subsidies.models",
    "backend.employment.models",
]


def _tortoise_url(database_url: str) -> str:
    """Tortoise spells PostgreSQL `postgres://`; accept the common `postgresql://` too."""
    if database_url.startswith("postgresql://"):
        return "postgres://" + database_url.removeprefix("postgresql://")
    return database_url


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config dict for a database URL (also what `tortoise -c` would read)."""
    return {
        "connections": {"default": _tortoise_url(database_url)},
        "apps": {
            APP_LABEL: {
                "models": list(MODEL_MODULES),
                "migrations": "backend.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_db(database_url: str) -> None:
    """Open the ORM for a process that is not the Sanic API (worker, CLI, tests)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    """Close every connection the ORM holds."""
    await Tortoise.close_connections()


async def migrate_db(database_url: str) -> None:
    """Apply every pending migration (idempotent)."""
    await tortoise_migrate(config=tortoise_config(database_url))


async def ping_db() -> None:
    """Run a trivial query; raises if the database does not answer."""
    await connections.get("default").execute_query("SELECT 1")


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM` for tortoise's own CLI (`tortoise -c backend.db.TORTOISE_ORM …`)."""
    if name == "TORTOISE_ORM":
        from backend.config import load_settings

        return tortoise_config(load_settings().database_url)
    raise AttributeError(name)
