"""Clean 4xx for out-of-range input; headers, /docs, secrets, logout."""

from __future__ import annotations

import pytest
from sanic import Sanic

from backend.accounts.models import Role
from backend.config import DEV_WECHAT_APPID, Settings, SettingsError, load_settings
from backend.runtime import use_runtime
from tests.support.client import Client
from tests.support.factories import auth, make_class, make_institution, make_staff, make_trainee
from tests.support.server import serve_app

SAFE = {
    "SECRET_KEY": "s" * 40,
    "PII_ENCRYPTION_KEYS": "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "PII_HASH_KEY": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
    "WECHAT_SECRET": "real-wechat-secret-value",
    "WECHAT_PUSH_TOKEN": "real-push-token-value",
    "WECHAT_APPID": "wx0123456789abcdef",
    "PUBLIC_BASE_URL": "https://jobready.example.gov.cn",
}


# -- 10: headers, /docs, secrets, demo AppID, logout ---------------------------------------------


async def test_api_answers_are_not_stored_by_caches_and_never_sniffed(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    trainee = await make_trainee()
    inst = await make_institution()
    await make_class(inst)
    pii = await client.post(
        f"/api/v1/trainees/{trainee.id}/pii", json={"reason": "核对身份"}, headers=auth(hr)
    )
    for response in (pii, await client.get("/api/v1/health"), await client.get("/api/v1/nope")):
        assert response.headers.get("Cache-Control") == "no-store", response.status
        assert response.headers.get("X-Content-Type-Options") == "nosniff"


async def test_docs_are_served_only_in_dev_mode_or_when_enabled(settings: Settings) -> None:
    from aiohttp import ClientSession

    from backend.notifications.templates import all_templates
    from miniprogram_api.app import create_app

    real_ids = ",".join(f"{t.key}=Real{n}Template" for n, t in enumerate(all_templates()))
    production = settings.replace(
        **{"dev": False, "wechat_template_ids": real_ids, **_safe_fields()}
    )
    for changes, expected in (({}, 404), ({"docs_enabled": True}, 200)):
        with use_runtime():  # create_app configures the process for production, for this block
            app: Sanic = create_app(production.replace(**changes), manage_orm=False)
            async with serve_app(app) as url, ClientSession() as http:
                async with http.get(url + "/docs") as docs:
                    assert docs.status == expected
                async with http.get(url + "/api/v1/openapi.json") as document:
                    assert document.status == 200


def _safe_fields() -> dict[str, str]:
    return {
        "secret_key": SAFE["SECRET_KEY"],
        "pii_encryption_keys": SAFE["PII_ENCRYPTION_KEYS"],
        "pii_hash_key": SAFE["PII_HASH_KEY"],
        "wechat_secret": SAFE["WECHAT_SECRET"],
        "wechat_push_token": SAFE["WECHAT_PUSH_TOKEN"],
        "wechat_appid": SAFE["WECHAT_APPID"],
        "public_base_url": SAFE["PUBLIC_BASE_URL"],
    }


def test_settings_repr_hides_every_secret() -> None:
    env = {
        **SAFE,
        "DATABASE_URL": "postgres://app:db-password-123@db:5432/jobready",
        "WECHAT_PUSH_AES_KEY": "aes-key-value-4567",
        "WECHAT_OA_SECRET": "oa-secret-value-890",
    }
    shown = repr(load_settings(env, env_file=None))
    for secret in (*SAFE.values(), "db-password-123", "aes-key-value-4567", "oa-secret-value-890"):
        if secret not in (SAFE["WECHAT_APPID"], SAFE["PUBLIC_BASE_URL"]):
            assert secret not in shown
    assert "request_max_size" in shown


def test_the_demo_appid_is_refused_outside_dev_mode() -> None:
    with pytest.raises(SettingsError, match="WECHAT_APPID"):
        load_settings({**SAFE, "WECHAT_APPID": DEV_WECHAT_APPID}, env_file=None)
    assert load_settings({"JOBREADY_DEV": "1"}, env_file=None).wechat_appid == DEV_WECHAT_APPID


async def test_logout_revokes_the_token(client: Client) -> None:
    login = await client.post("/api/v1/auth/wx-login", json={"code": "test-logout"})
    headers = {"Authorization": f"Bearer {login.json['token']}"}
    assert (await client.get("/api/v1/me", headers=headers)).status == 200
    out = await client.post("/api/v1/auth/logout", headers=headers)
    assert out.status == 200, out.json
    after = await client.get("/api/v1/me", headers=headers)
    assert after.status == 401


# -- 7: each a clean 4xx, never a 5xx --------------------------------------------------------------


async def test_path_ids_beyond_the_database_range_are_not_found(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    for path in (
        "/api/v1/trainees/99999999999999999999",
        "/api/v1/trainees/2147483648",
        "/api/v1/classes/9223372036854775808",
    ):
        response = await client.get(path, headers=auth(hr))
        assert response.status == 404, (path, response.status, response.text)


async def test_integers_beyond_the_database_range_in_a_body_are_refused(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.post(
        "/api/v1/invitations",
        json={"role": "institution_admin", "institution_id": 2**40},
        headers=auth(hr),
    )
    assert 400 <= response.status < 500, response.text
    for query in ("offset=9223372036854775808", "offset=99999999999999999999999"):
        listed = await client.get(f"/api/v1/classes?{query}", headers=auth(hr))
        assert 200 <= listed.status < 500, (query, listed.text)


async def test_an_over_long_certificate_number_is_not_found(client: Client) -> None:
    response = await client.get(f"/api/v1/certificates/{'A' * 41}/verify")
    assert response.status == 404, response.text


async def test_database_refusals_are_a_conflict_or_a_bad_request_never_a_500(
    settings: Settings,
) -> None:
    """Whatever route meets one: an integrity error is 409, an out-of-range number 400."""
    from aiohttp import ClientSession
    from sanic.response import json
    from tortoise.exceptions import IntegrityError

    from miniprogram_api.app import create_app

    app = create_app(settings, manage_orm=False)

    async def integrity(request: object) -> object:
        raise IntegrityError("FOREIGN KEY constraint failed")

    async def overflow(request: object) -> object:
        try:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        except OverflowError as exc:
            raise RuntimeError("query failed") from exc

    async def fine(request: object) -> object:
        return json({})

    app.add_route(integrity, "/api/v1/_test/integrity")
    app.add_route(overflow, "/api/v1/_test/overflow")
    app.add_route(fine, "/api/v1/_test/fine")
    async with serve_app(app) as url, ClientSession() as http:
        async with http.get(url + "/api/v1/_test/integrity") as response:
            assert response.status == 409
            assert (await response.json())["error"]["code"] == "INTEGRITY_CONFLICT"
        async with http.get(url + "/api/v1/_test/overflow") as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "VALUE_OUT_OF_RANGE"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 40 + b"1" + b"}" * 40,
        b'{"code": ' + b"9" * 5000 + b"}",
        b'{"code": NaN}',
    ],
    ids=["nested-100000", "nested-40", "int-5000-digits", "nan"],
)
async def test_json_nested_too_deep_or_with_huge_integers_is_malformed(
    client: Client, body: bytes
) -> None:
    response = await client.post(
        "/api/v1/auth/wx-login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400, response.text
    assert response.json["error"]["code"] == "MALFORMED_JSON"
