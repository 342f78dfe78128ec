"""Shared fixtures: one database per run (SQLite or PostgreSQL), cleaned before every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic
from tortoise import Tortoise

from backend.config import Settings
from backend.db import close_db, open_db
from backend.runtime import configure, runtime, use_runtime
from miniprogram_api.app import create_app
from miniprogram_api.standins.wechat import FakeWeChat, start_fake_wechat
from tests.support.client import Client
from tests.support.db import clean_tables, create_test_database, drop_test_database, is_postgres
from tests.support.server import serve_app

Sanic.test_mode = True


def pytest_report_header() -> str:
    return f"jobready test database: {'PostgreSQL' if is_postgres() else 'SQLite'}"


UNIT = Path(__file__).parent / "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that prove locking and races only mean something on PostgreSQL; tests that touch
    no database (a browser, Node tools, tests/unit) prove nothing more there: one pass each."""
    if is_postgres():
        skip = pytest.mark.skip(reason="no database engine involved: runs in the SQLite pass")
        marker = "engine_agnostic"
    else:
        skip = pytest.mark.skip(reason="PostgreSQL only (SQLite has no row locks): see .ci/run")
        marker = "postgres_only"
    for item in items:
        if item.path.is_relative_to(UNIT):
            item.add_marker(pytest.mark.engine_agnostic)
        if marker in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A fresh database with the models' schema, open for the whole run.

    The schema comes from the models here; tests/integration/test_migrations.py proves the
    committed migrations build the same schema on a database of their own.
    """
    url = await create_test_database()
    await open_db(url)
    await Tortoise.generate_schemas()
    yield url
    await close_db()
    await drop_test_database()


@pytest.fixture(scope="session")
async def fake_wechat() -> AsyncIterator[FakeWeChat]:
    """The WeChat stand-in, a real HTTP server on a free loopback port."""
    server = await start_fake_wechat("127.0.0.1", 0)
    yield server
    await server.stop()


@pytest.fixture(scope="session")
def settings(
    database_url: str, fake_wechat: FakeWeChat, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Dev-mode settings pointing at the test database and the WeChat stand-in."""
    settings = Settings(
        dev=True,
        database_url=database_url,
        redis_url="",
        log_format="text",
        wechat_api_base=fake_wechat.url,
        wechat_timeout=2.0,
        practice_materials_dir=str(tmp_path_factory.mktemp("materials")),
    )
    configure(settings)
    return settings


@pytest.fixture
def use_settings(settings: Settings) -> Iterator[Callable[..., Settings]]:
    """Run one test with some settings changed (validated); the configured ones return after it.

    The runtime is swapped with `use_runtime` (the one hook): clients already built stay.
    """
    with ExitStack() as swaps:

        def use(**changes: Any) -> Settings:
            changed = runtime().settings.replace(**changes)
            swaps.enter_context(use_runtime(changed))
            return changed

        yield use


@pytest.fixture(autouse=True)
async def fresh_fakes(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test sees an empty stand-in log and fresh rate-limit counters."""
    if {"settings", "app", "client"} & set(request.fixturenames):
        request.getfixturevalue("fake_wechat").state.reset()
        await runtime().limits.reset()
    yield


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the database starts from empty tables."""
    if {"database_url", "app", "client"} & set(request.fixturenames):
        request.getfixturevalue("database_url")
        await clean_tables()
    yield


@pytest.fixture(scope="session")
def app(settings: Settings) -> Sanic:
    """The API application, sharing the test run's ORM (the migrations made the schema)."""
    return create_app(settings, manage_orm=False, name="jobready_test")


@pytest.fixture(scope="session")
async def client(app: Sanic) -> AsyncIterator[Client]:
    """The API served over real HTTP on a loopback port for the whole run, and a client."""
    async with serve_app(app) as url:
        http = Client(url)
        yield http
        await http.close()
