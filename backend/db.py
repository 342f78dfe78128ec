"""Tortoise ORM configuration: an SQLite file by default, PostgreSQL when DATABASE_URL says so.

The schema is owned by tortoise's own migrations in `backend/migrations` (`jobready migrate`).
The API opens the ORM through `tortoise.contrib.sanic.register_tortoise` (see
`miniprogram_api/app.py`); the worker, the CLI and tests use `open_db` / `close_db` here.
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from tortoise import Model, Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

APP_LABEL = "models"

# Every module that declares models; one app label keeps relations simple ("models.User").
MODEL_MODULES = [
    "backend.accounts.models",
    "backend.classes.models",
    "backend.security.models",
    "backend.calendar.models",
    "backend.notifications.models",
    "backend.programme.models",
    "backend.supervision.models",
    "backend.registers.models",
    "backend.attendance.models",
    "backend.certificates.models",
    "backend.followups.models",
    "backend.subsidies.models",
    "backend.employment.models",
    "backend.monitoring.models",
    "backend.institutions.models",
    "backend.instructor_registry.models",
    "backend.events.models",
    "backend.substitution.models",
    "backend.practice.models",
    "backend.weblogin.models",
]


def _tortoise_url(database_url: str) -> str:
    """Tortoise spells PostgreSQL `postgres://`; accept the common `postgresql://` too."""
    if database_url.startswith("postgresql://"):
        return "postgres://" + database_url.removeprefix("postgresql://")
    return database_url


POOL_MAX = 20  # PostgreSQL connections per process unless DATABASE_URL says ?maxsize=


class PooledConnection(asyncpg.Connection):
    """A pooled PostgreSQL connection released without asyncpg's session-reset round trip.

    asyncpg sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` to the server
    each time a connection goes back to the pool, and Tortoise takes a connection from the pool
    for every query outside a transaction: a second round trip per query, measured at a
    quarter of the API process's time in the check-in burst. This service keeps no session
    state (no SET, LISTEN, advisory locks or cursors; a test checks the code for them), and an
    open transaction is still rolled back on release by asyncpg itself.
    """

    def get_reset_query(self) -> str:
        """Nothing to reset: see the class docstring."""
        return ""


# Tortoise's SQLite client with its cancellation gaps closed (tortoise-orm #1655): see the module.
SQLITE_ENGINE = "backend.sqlite_client"


def connection_config(database_url: str) -> str | dict[str, Any]:
    """One Tortoise connection entry: SQLite through the guarded client, PostgreSQL with the
    lean pool."""
    url = _tortoise_url(database_url)
    if url.startswith("sqlite://"):
        config = expand_db_url(url)
        config["engine"] = SQLITE_ENGINE
        return config
    if not url.startswith("postgres://"):
        return url
    config = expand_db_url(url)
    config["credentials"]["connection_class"] = PooledConnection
    # Tortoise's default of 5 connections queues a class's check-in burst (fifty phones) behind
    # the pool; `?maxsize=` in the URL overrides this per deployment.
    config["credentials"].setdefault("maxsize", POOL_MAX)
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config dict for a database URL (also what `tortoise -c` would read)."""
    return {
        "connections": {"default": connection_config(database_url)},
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
    """Open the ORM for a process that is not the Sanic API (worker, CLI, tests), connected."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    await connect_db()


async def connect_db() -> None:
    """Open the default connection (the SQLite file, the PostgreSQL pool) now, not lazily on
    the first query: a first query cancelled while connecting must never be what opens it."""
    await ping_db()


async def close_db() -> None:
    """Close every connection the ORM holds."""
    await Tortoise.close_connections()


async def migrate_db(database_url: str) -> None:
    """Apply every pending migration (idempotent)."""
    await tortoise_migrate(config=tortoise_config(database_url))


async def ping_db() -> None:
    """Run a trivial query; raises if the database does not answer."""
    await connections.get("default").execute_query("SELECT 1")


_PLACEHOLDER = re.compile(r"\$(\d+)")


async def fetch_rows(sql: str, *params: Any) -> list[dict[str, Any]]:
    """Run one hand-written statement on the default connection, with `$1, $2` placeholders,
    and return its rows (a read, or a write with RETURNING).

    For the few hot paths where the query builder's cost shows in a measurement (every
    request's authentication, the check-in burst). SQLite gets `?` placeholders, the values
    reordered and repeated to match. Columns come back as the driver gives them: SQLite
    booleans are 0/1 and datetimes text (convert with the model field's `to_python_value`).
    """
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        order = [int(n) - 1 for n in _PLACEHOLDER.findall(sql)]
        sql, params = _PLACEHOLDER.sub("?", sql), tuple(params[i] for i in order)
    return list(await client.execute_query_dict(sql, list(params)))


_INSERT_FIELDS: dict[tuple[str, type[Model]], list[str]] = {}


def insert_fields(model: type[Model]) -> list[str]:
    """The fields an INSERT of this model writes (as Tortoise's own INSERT lists them)."""
    client = connections.get("default")
    key = (client.capabilities.dialect, model)
    if key not in _INSERT_FIELDS:
        _INSERT_FIELDS[key] = list(client.executor_class(model=model, db=client).regular_columns)
    return _INSERT_FIELDS[key]


def column(model: type[Model], field_name: str) -> str:
    """The quoted column of a field."""
    return f'"{model._meta.fields_db_projection[field_name]}"'


def db_values(instance: Model, fields: list[str]) -> list[Any]:
    """The instance's values for these fields, converted by the fields as `Model.save` does."""
    fields_map = instance._meta.fields_map
    return [fields_map[f].to_db_value(getattr(instance, f), instance) for f in fields]


def db_values_of(model: type[Model], values: dict[str, Any], fields: list[str]) -> list[Any]:
    """`db_values` without building an instance: a field not given takes its default.

    For a hot path where building the model instance showed in a measurement (~30 us).
    """
    fields_map, out = model._meta.fields_map, []
    for f in fields:
        field = fields_map[f]
        if f in values:
            value = values[f]
        else:
            value = field.default() if callable(field.default) else field.default
        out.append(field.to_db_value(value, model))
    return out


async def insert_unless_exists(instance: Model) -> bool:
    """INSERT a new row unless a unique constraint already holds one: True when inserted.

    One statement (`ON CONFLICT DO NOTHING RETURNING id`, PostgreSQL and SQLite ≥ 3.35), so a
    hundred identical concurrent writes leave one row and none of them raises.
    """
    model = type(instance)
    fields = insert_fields(model)
    columns = ", ".join(column(model, f) for f in fields)
    marks = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'
    rows = await fetch_rows(
        sql + ' ON CONFLICT DO NOTHING RETURNING "id"', *db_values(instance, fields)
    )
    if not rows:
        return False
    instance.pk = rows[0]["id"]
    instance._saved_in_db = True
    return True


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM` for tortoise's own CLI (`tortoise -c backend.db.TORTOISE_ORM …`)."""
    if name == "TORTOISE_ORM":
        from backend.config import load_settings

        return tortoise_config(load_settings().database_url)
    raise AttributeError(name)
