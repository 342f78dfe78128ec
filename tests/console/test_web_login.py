"""扫码登录 over real HTTP: a browser (its own cookie jar) asks for a ticket, a staff member
confirms it with the mini-program's bearer token, and only that browser gets a session cookie,
once; the cookie then works with the same guard as a bearer token, CSRF-checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from backend import clock
from backend.accounts.models import Role
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_staff, make_trainee, make_user

API = "/api/v1"


class Browser:
    """A browser: its own cookies, and the Origin header a page of this site sends."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.http.cookie_jar if c.key == name), "")

    async def call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        headers = {"Origin": self.base_url, **kw.pop("headers", {})}
        async with self.http.request(
            method, self.base_url + path, headers=headers, **kw
        ) as response:
            return response.status, await response.json(content_type=None)


@pytest.fixture
async def browser(client: Client) -> AsyncIterator[Browser]:
    page = Browser(client.base_url)
    yield page
    await page.http.close()


async def _log_in(browser: Browser, client: Client, role: Role = Role.HR_ADMIN) -> Any:
    status, ticket = await browser.call("POST", f"{API}/auth/web-login")
    assert status == 201, ticket
    staff = await make_staff(role, institution=await make_institution())
    confirmed = await client.post(
        f"{API}/auth/web-login/{ticket['ticket']}/confirm", headers=auth(staff)
    )
    assert confirmed.status == 200, confirmed.json
    status, body = await browser.call("POST", f"{API}/auth/web-login/{ticket['ticket']}/session")
    assert status == 200, body
    return body


async def test_a_confirmed_ticket_gives_its_browser_a_cookie_session(
    client: Client, browser: Browser
) -> None:
    status, ticket = await browser.call("POST", f"{API}/auth/web-login")
    assert status == 201
    assert ticket["qr_image"].startswith("data:image/svg+xml;base64,")
    assert ticket["ticket"] in ticket["qr_text"]
    status, state = await browser.call("GET", f"{API}/auth/web-login/{ticket['ticket']}")
    assert (status, state["state"]) == (200, "pending")

    hr = await make_staff(Role.HR_ADMIN)
    confirmed = await client.post(
        f"{API}/auth/web-login/{ticket['ticket']}/confirm", headers=auth(hr)
    )
    assert confirmed.status == 200, confirmed.json
    status, state = await browser.call("GET", f"{API}/auth/web-login/{ticket['ticket']}")
    assert state["state"] == "confirmed"

    status, body = await browser.call("POST", f"{API}/auth/web-login/{ticket['ticket']}/session")
    assert status == 200, body
    assert "hr_admin" in body["user"]["roles"]
    status, me = await browser.call("GET", f"{API}/me")
    assert (status, me["user_id"]) == (200, hr.id)


async def test_the_session_cookie_is_httponly_and_samesite_strict(
    client: Client, browser: Browser
) -> None:
    _, ticket = await browser.call("POST", f"{API}/auth/web-login")
    hr = await make_staff(Role.HR_ADMIN)
    await client.post(f"{API}/auth/web-login/{ticket['ticket']}/confirm", headers=auth(hr))
    url = f"{client.base_url}{API}/auth/web-login/{ticket['ticket']}/session"
    async with browser.http.post(url, headers={"Origin": client.base_url}) as response:
        cookies = response.headers.getall("Set-Cookie")
    session = next(c for c in cookies if c.startswith("jr_session="))
    csrf = next(c for c in cookies if c.startswith("jr_csrf="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf
    assert "Secure" not in session  # plain HTTP on loopback; HTTPS adds it


async def test_a_ticket_is_redeemed_once_and_only_by_the_browser_that_asked(
    client: Client, browser: Browser
) -> None:
    status, ticket = await browser.call("POST", f"{API}/auth/web-login")
    other = Browser(client.base_url)
    try:
        hr = await make_staff(Role.HR_ADMIN)
        await client.post(f"{API}/auth/web-login/{ticket['ticket']}/confirm", headers=auth(hr))
        status, body = await other.call("POST", f"{API}/auth/web-login/{ticket['ticket']}/session")
        assert (status, body["error"]["code"]) == (404, "WEB_LOGIN_NOT_FOUND")
        assert other.cookie("jr_session") == ""
    finally:
        await other.http.close()
    status, _ = await browser.call("POST", f"{API}/auth/web-login/{ticket['ticket']}/session")
    assert status == 200
    status, body = await browser.call("POST", f"{API}/auth/web-login/{ticket['ticket']}/session")
    assert status in (404, 409)  # the ticket cookie is gone, and the ticket is used


async def test_a_ticket_cannot_be_confirmed_twice_or_after_it_expires(
    client: Client, browser: Browser
) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    _, ticket = await browser.call("POST", f"{API}/auth/web-login")
    path = f"{API}/auth/web-login/{ticket['ticket']}/confirm"
    assert (await client.post(path, headers=auth(hr))).status == 200
    again = await client.post(path, headers=auth(hr))
    assert (again.status, again.json["error"]["code"]) == (409, "WEB_LOGIN_USED")

    _, late = await browser.call("POST", f"{API}/auth/web-login")
    later = clock.now() + timedelta(seconds=121)
    clock.set_clock(lambda: later)
    try:
        expired = await client.post(
            f"{API}/auth/web-login/{late['ticket']}/confirm", headers=auth(hr)
        )
    finally:
        clock.set_clock(None)
    assert (expired.status, expired.json["error"]["code"]) == (409, "WEB_LOGIN_EXPIRED")


async def test_a_trainee_cannot_confirm_a_console_login(client: Client, browser: Browser) -> None:
    _, ticket = await browser.call("POST", f"{API}/auth/web-login")
    user = await make_user()
    await make_trainee(user=user)
    refused = await client.post(
        f"{API}/auth/web-login/{ticket['ticket']}/confirm", headers=auth(user)
    )
    assert refused.status == 403


async def test_an_unsafe_request_on_the_cookie_needs_the_csrf_header_and_this_origin(
    client: Client, browser: Browser
) -> None:
    await _log_in(browser, client)
    body = {"code": "ABCD-EFGH-JK"}
    status, refused = await browser.call("POST", f"{API}/auth/redeem-invitation", json=body)
    assert (status, refused["error"]["code"]) == (403, "CSRF_REJECTED")
    csrf = {"X-CSRF-Token": browser.cookie("jr_csrf")}
    status, refused = await browser.call(
        "POST",
        f"{API}/auth/redeem-invitation",
        json=body,
        headers={**csrf, "Origin": "https://evil.example"},
    )
    assert (status, refused["error"]["code"]) == (403, "CSRF_REJECTED")
    status, passed = await browser.call(
        "POST", f"{API}/auth/redeem-invitation", json=body, headers=csrf
    )
    assert status == 404, passed  # through the guard: the invitation code does not exist


async def test_logout_clears_the_console_session(client: Client, browser: Browser) -> None:
    await _log_in(browser, client)
    assert (await browser.call("GET", f"{API}/me"))[0] == 200
    assert (await browser.call("POST", f"{API}/auth/logout"))[0] == 403  # no CSRF header
    csrf = {"X-CSRF-Token": browser.cookie("jr_csrf")}  # as the console's request.ts sends it
    status, _ = await browser.call("POST", f"{API}/auth/logout", headers=csrf)
    assert status == 200
    assert (await browser.call("GET", f"{API}/me"))[0] == 401


async def test_under_https_the_console_cookies_are_secure(
    client: Client, browser: Browser, use_settings: Any
) -> None:
    use_settings(public_base_url="https://jobready.example.gov.cn")
    url = f"{client.base_url}{API}/auth/web-login"
    async with browser.http.post(url) as response:
        ticket_cookie = response.headers["Set-Cookie"]
        ticket = (await response.json())["ticket"]
    assert "Secure" in ticket_cookie and "HttpOnly" in ticket_cookie
    hr = await make_staff(Role.HR_ADMIN)
    await client.post(f"{API}/auth/web-login/{ticket}/confirm", headers=auth(hr))
    secret = ticket_cookie.split(";")[0]
    async with browser.http.post(f"{url}/{ticket}/session", headers={"Cookie": secret}) as response:
        cookies = response.headers.getall("Set-Cookie")
    assert all("Secure" in c for c in cookies if c.startswith(("jr_session=", "jr_csrf=")))
