"""The projector page in a real headless Chromium: the code shown changes over
time, and a token read from the page checks a trainee in.

Uses Debian's chromium and chromium-driver (installed by `.ci/run` from .ci/apt-packages.txt).
A missing browser FAILS this test: it is never skipped.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend import clock
from backend.attendance.policy import AttendancePolicy, policy_from_settings
from backend.runtime import use_runtime
from tests.attendance.support import Classroom, make_classroom
from tests.support.client import Client

# A real browser: slow, and the same on either engine (it runs in the SQLite pass).
pytestmark = [pytest.mark.slow, pytest.mark.engine_agnostic]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1280,800",
]
STEP_SECONDS = 2  # a short step, so the code visibly changes within the test
T = TypeVar("T")


def _executables() -> tuple[str, str]:
    browser = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail(
            "chromium and chromium-driver must be installed (apt: chromium chromium-driver)"
        )
    return browser, driver


def _start_browser(profile: str) -> WebDriver:
    browser, driver = _executables()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


@pytest.fixture
async def browser() -> AsyncIterator[WebDriver]:
    """A fresh headless Chromium; selenium blocks, so it runs off the server's event loop."""
    with tempfile.TemporaryDirectory(prefix="jobready-chromium-") as profile:
        driver = await asyncio.to_thread(_start_browser, profile)
        try:
            yield driver
        finally:
            await asyncio.to_thread(driver.quit)


async def _wait(driver: WebDriver, condition: Callable[[WebDriver], T], seconds: float) -> T:
    wait = WebDriverWait(driver, seconds, poll_frequency=0.1)
    return await asyncio.to_thread(wait.until, condition)


def _shown_token(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "qr-image").get_attribute("data-token") or ""


def _text(driver: WebDriver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


@pytest.fixture
async def room(client: Client) -> AsyncIterator[Classroom]:
    """A session starting in five minutes (the real clock: the page lives in real time)."""
    clock.set_clock(None)
    fast = AttendancePolicy(qr_step_seconds=STEP_SECONDS)
    with use_runtime(derived={policy_from_settings: fast}):
        starts = clock.now().replace(microsecond=0) + timedelta(minutes=5)
        yield await make_classroom(client, trainees=2, starts_at=starts)


async def test_the_projector_page_rotates_the_code_and_its_token_checks_a_trainee_in(
    room: Classroom, browser: WebDriver
) -> None:
    response = await room.call("POST", f"/sessions/{room.session.id}/display-link", json={})
    assert response.status == 201, response.json
    await asyncio.to_thread(browser.get, room.client.base_url + response.json["path"])

    first = await _wait(browser, _shown_token, 10)
    image = await asyncio.to_thread(
        lambda: browser.find_element(By.ID, "qr-image").get_attribute("src") or ""
    )
    assert image.startswith("data:image/svg+xml;base64,")
    assert await asyncio.to_thread(_text, browser, "purpose") == "签到码"
    assert await asyncio.to_thread(_text, browser, "enrolled") == "2"
    assert await asyncio.to_thread(_text, browser, "checked-in") == "0"
    assert 0 <= int(await asyncio.to_thread(_text, browser, "countdown")) <= STEP_SECONDS

    def changed(driver: WebDriver) -> str | bool:
        token = _shown_token(driver)
        return token if token and token != first else False

    second: Any = await _wait(browser, changed, 3 * STEP_SECONDS + 2)
    assert second != first

    checkin = await room.scan(room.users[0], second)
    assert checkin.status == 201, checkin.json
    assert checkin.json["message"] == "签到成功"

    def counted(driver: WebDriver) -> bool:
        return _text(driver, "checked-in") == "1"

    assert await _wait(browser, counted, 3 * STEP_SECONDS + 2)
    logs = await asyncio.to_thread(browser.get_log, "browser")
    assert [entry for entry in logs if entry.get("level") == "SEVERE"] == []
