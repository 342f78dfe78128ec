"""The projector shows a code only while one can be used: before check-in opens
it says when it will ("签到将于 08:30 开始") and the code then appears by itself; after
check-out has closed it says the session's check-in is over."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By

from backend import clock
from backend.attendance.policy import (
    CHECKIN_OPENS_BEFORE,
    AttendancePolicy,
    policy_from_settings,
)
from backend.runtime import use_runtime
from tests.attendance.support import Classroom, make_classroom
from tests.attendance.test_display_browser import _shown_token, _text, _wait, browser
from tests.support.client import Client

__all__ = ["browser"]  # the headless Chromium fixture


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client, trainees=2)  # Monday 2026-11-23, 09:00–12:00


async def _state_path(room: Classroom) -> str:
    link = await room.call("POST", f"/sessions/{room.session.id}/display-link", json={})
    assert link.status == 201, link.json
    token = link.json["path"].split("?t=")[1]
    return f"/display/sessions/{room.session.id}/state?t={token}"


async def test_before_check_in_opens_the_projector_shows_no_code_only_when_it_starts(
    room: Classroom, at: Any
) -> None:
    at("2026-11-23 08:10")
    path = await _state_path(room)
    state = (await room.client.get(path)).json
    assert state["code"] is None and state["image"] is None
    assert state["phase"] == "not_open"
    assert state["phase_label"] == "签到将于 08:30 开始"
    assert state["opens_at"] == "2026-11-23T08:30:00+08:00"
    assert state["refresh_in_ms"] == 20 * 60 * 1000  # the page asks again by then
    assert state["counts"]["enrolled"] == 2

    at("2026-11-23 08:30")  # the window opens: the same page now gets a code
    state = (await room.client.get(path)).json
    assert state["code"]["purpose"] == "in"
    assert state["image"].startswith("data:image/svg+xml;base64,")
    assert state["phase_label"] == "正在签到"
    response = await room.scan(room.users[0], state["code"]["token"])
    assert response.status == 201, response.json


async def test_after_check_out_closes_the_projector_shows_no_code(room: Classroom, at: Any) -> None:
    at("2026-11-23 12:59")
    path = await _state_path(room)
    assert (await room.client.get(path)).json["code"]["purpose"] == "out"  # still checking out
    at("2026-11-23 13:00:01")  # 60 minutes after the end
    state = (await room.client.get(path)).json
    assert state["code"] is None and state["image"] is None
    assert state["phase_label"] == "本课次签到、签退已结束"
    assert state["opens_at"] is None


@pytest.mark.slow
@pytest.mark.engine_agnostic
async def test_the_projector_page_waits_for_the_window_and_then_shows_the_code_by_itself(
    client: Client, browser: WebDriver
) -> None:
    clock.set_clock(None)  # the page lives in real time
    with use_runtime(derived={policy_from_settings: AttendancePolicy(qr_step_seconds=2)}):
        opens_in = timedelta(seconds=8)
        starts = clock.now().replace(microsecond=0) + CHECKIN_OPENS_BEFORE + opens_in
        room = await make_classroom(client, trainees=1, starts_at=starts)
        response = await room.call("POST", f"/sessions/{room.session.id}/display-link", json={})
        assert response.status == 201, response.json
        await asyncio.to_thread(browser.get, room.client.base_url + response.json["path"])

        opens_at = clock.local(starts - CHECKIN_OPENS_BEFORE).strftime("%H:%M")

        def waiting(driver: WebDriver) -> bool:
            overlay = driver.find_element(By.ID, "qr-overlay")
            return overlay.text == f"签到将于 {opens_at} 开始" and not _shown_token(driver)

        assert await _wait(browser, waiting, 6)
        assert await _wait(browser, _shown_token, 8 + 6)  # appears by itself
        assert await asyncio.to_thread(_text, browser, "purpose") == "签到码"
