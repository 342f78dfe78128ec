"""The committed migrations describe the models exactly: no change is left unmigrated."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from backend.db import tortoise_config


async def test_models_and_committed_migrations_agree(database_url: str) -> None:
    apps_config = tortoise_config(database_url)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    writers = await detector.changes()
    assert [w.name for w in writers] == [], "run `jobready makemigrations` and commit the result"
