"""The code a classroom shows: the teacher's QR endpoint (json, png, svg, mini-program code)
and the projector page's signed link and state."""

from __future__ import annotations

from typing import Any

import pytest

from backend.attendance.qr import MAX_LENGTH
from backend.integrations.wechat.connector import SCENE_CHARS
from miniprogram_api.standins.wechat import FakeWeChat
from tests.attendance.support import Classroom, make_classroom
from tests.support.client import Client

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client, trainees=2)


async def test_the_json_code_is_short_enough_for_a_scene_and_changes_every_fifteen_seconds(
    room: Classroom, at: Any
) -> None:
    at("2026-11-23 08:50:01")
    first = (await room.call("GET", f"/sessions/{room.session.id}/qr")).json
    assert len(first["token"]) <= MAX_LENGTH and set(first["token"]) <= SCENE_CHARS
    assert (first["purpose"], first["step_seconds"]) == ("in", 15)
    assert first["changes_at"] == "2026-11-23T08:50:15+08:00"
    assert first["valid_until"] == "2026-11-23T08:50:30+08:00"
    assert (first["refresh_in_ms"], first["valid_for_ms"]) == (14000, 29000)
    at("2026-11-23 08:50:14")
    assert (await room.call("GET", f"/sessions/{room.session.id}/qr")).json["token"] == first[
        "token"
    ]
    at("2026-11-23 08:50:15")
    assert (await room.call("GET", f"/sessions/{room.session.id}/qr")).json["token"] != first[
        "token"
    ]


async def test_the_check_out_code_is_shown_once_check_out_opens(room: Classroom, at: Any) -> None:
    at("2026-11-23 11:31")
    auto = (await room.call("GET", f"/sessions/{room.session.id}/qr")).json
    assert (auto["purpose"], auto["purpose_label"]) == ("out", "签退码")
    chosen = (await room.call("GET", f"/sessions/{room.session.id}/qr?purpose=in")).json
    assert chosen["purpose"] == "in"


async def test_the_code_comes_as_png_and_svg_images(room: Classroom, at: Any) -> None:
    at("2026-11-23 08:50")
    png = await room.call("GET", f"/sessions/{room.session.id}/qr?format=png", room.staff)
    assert (png.status, png.headers["content-type"], png.body[:8]) == (200, "image/png", PNG)
    assert png.headers["cache-control"] == "no-store"
    svg = await room.call("GET", f"/sessions/{room.session.id}/qr?format=svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and "<path" in svg.text


async def test_the_mini_program_code_is_fetched_from_wechat_with_the_token_as_scene(
    room: Classroom, at: Any, fake_wechat: FakeWeChat
) -> None:
    at("2026-11-23 08:50")
    token = (await room.call("GET", f"/sessions/{room.session.id}/qr")).json["token"]
    response = await room.call("GET", f"/sessions/{room.session.id}/qr?format=wxacode")
    assert response.status == 200, response.text
    assert response.body[:8] == PNG
    calls = fake_wechat.state.requests("wxa/getwxacodeunlimit")  # a token refresh may retry
    assert calls and {(c["json"]["scene"], c["json"]["page"]) for c in calls} == {
        (token, "pages/checkin/index")
    }


async def test_a_wechat_failure_on_the_mini_program_code_is_a_502(
    room: Classroom, at: Any, fake_wechat: FakeWeChat
) -> None:
    at("2026-11-23 08:50")
    fake_wechat.state.fail(errcode=40097, path="wxa/getwxacodeunlimit")
    response = await room.call("GET", f"/sessions/{room.session.id}/qr?format=wxacode")
    assert (response.status, response.json["error"]["code"]) == (502, "WECHAT_REJECTED")


async def test_trainees_and_instructors_may_not_fetch_the_code(room: Classroom) -> None:
    for user in (room.users[0], room.instructor_user):
        response = await room.call("GET", f"/sessions/{room.session.id}/qr", user)
        assert response.status == 403


# --- the projector page -----------------------------------------------------------------------


async def _link(room: Classroom, **body: Any) -> dict[str, Any]:
    response = await room.call("POST", f"/sessions/{room.session.id}/display-link", json=body)
    assert response.status == 201, response.json
    return dict(response.json)


async def test_a_display_link_opens_the_page_without_any_login(room: Classroom, at: Any) -> None:
    at("2026-11-23 08:40")
    link = await _link(room)
    assert link["url"].endswith(link["path"])
    assert link["expires_at"] == "2026-11-23T12:40:00+08:00"
    page = await room.client.get(link["path"])
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert f'data-session-id="{room.session.id}"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for name in ("display.js", "display.css"):
        asset = await room.client.get(f"/display/static/{name}")
        assert asset.status == 200 and asset.body


async def test_the_display_state_gives_a_code_that_checks_a_trainee_in(
    room: Classroom, at: Any
) -> None:
    at("2026-11-23 08:40")
    link = await _link(room)
    token = link["path"].split("?t=")[1]
    state_path = f"/display/sessions/{room.session.id}/state?t={token}"
    state = (await room.client.get(state_path)).json
    assert state["image"].startswith("data:image/svg+xml;base64,")
    assert state["counts"] == {"enrolled": 2, "checked_in": 0, "late": 0, "checked_out": 0}
    assert (state["phase"], state["phase_label"]) == ("on_time", "正在签到")
    response = await room.scan(room.users[0], state["code"]["token"])
    assert response.status == 201, response.json
    state = (await room.client.get(state_path)).json
    assert state["counts"]["checked_in"] == 1


async def test_a_forged_or_foreign_display_link_is_refused(room: Classroom, at: Any) -> None:
    at("2026-11-23 08:40")
    token = (await _link(room))["path"].split("?t=")[1]
    other = room.session.id + 1
    cases = [
        (f"/display/sessions/{room.session.id}/state?t={token[:-2]}xx", "DISPLAY_LINK_INVALID"),
        (f"/display/sessions/{other}/state?t={token}", "DISPLAY_LINK_INVALID"),
        (f"/display/sessions/{room.session.id}/state", "DISPLAY_LINK_INVALID"),
    ]
    for path, code in cases:
        response = await room.client.get(path)
        assert (response.status, response.json["error"]["code"]) == (403, code), path
    page = await room.client.get(f"/display/sessions/{other}?t={token}")
    assert page.status == 403 and "投屏链接无效" in page.text


async def test_a_display_link_expires(room: Classroom, at: Any) -> None:
    at("2026-11-23 08:40")
    token = (await _link(room, ttl_minutes=30))["path"].split("?t=")[1]
    at("2026-11-23 09:10:01")
    response = await room.client.get(f"/display/sessions/{room.session.id}/state?t={token}")
    assert (response.status, response.json["error"]["code"]) == (403, "DISPLAY_LINK_EXPIRED")
    assert response.json["error"]["message"] == "投屏链接已过期，请在小程序中重新生成"


async def test_only_the_class_teacher_or_staff_create_display_links(room: Classroom) -> None:
    response = await room.call(
        "POST", f"/sessions/{room.session.id}/display-link", room.users[0], json={}
    )
    assert response.status == 403
    response = await room.call(
        "POST", f"/sessions/{room.session.id}/display-link", room.instructor_user, json={}
    )
    assert response.status == 403


async def test_the_openapi_document_describes_the_check_in_and_the_projector_page(
    client: Client,
) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json
    scan = spec["paths"]["/api/v1/checkins"]["post"]
    ref = scan["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert spec["components"]["schemas"][ref]["required"] == ["token"]
    assert scan["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CheckinOut"
    )
    qr = spec["paths"]["/api/v1/sessions/{session_id}/qr"]["get"]
    assert {"format", "purpose"} <= {p["name"] for p in qr["parameters"]}
    assert "/display/sessions/{session_id}" in spec["paths"]
    assert not any(path.startswith("/display/static") for path in spec["paths"])
