"""Limits per identity; a 200-seat class on one Wi-Fi is never refused;
every 429 says when to come back."""

from __future__ import annotations

from tests.support.client import Client
from tests.support.factories import auth, make_trainee, make_user, new_id_number

VENUE_WIFI = {"X-Forwarded-For": "203.0.113.7"}  # not honoured (PROXIES_COUNT=0): one address


async def test_a_200_seat_class_logs_in_and_binds_from_one_address(client: Client) -> None:
    statuses = set()
    for n in range(200):
        response = await client.post("/api/v1/auth/wx-login", json={"code": f"test-seat{n}"})
        statuses.add(response.status)
    assert statuses == {200}
    binds = set()
    for n in range(40):  # binding attempts of 40 different people, one address
        user = await make_user(phone="13800138000")
        id_number = new_id_number()
        await make_trainee(f"学员{n}", id_number=id_number)
        response = await client.post(
            "/api/v1/auth/bind-trainee",
            json={"name": f"学员{n}", "id_number": id_number},
            headers=auth(user),
        )
        binds.add(response.status)
    assert binds == {200}


async def test_guessing_one_roster_row_from_many_accounts_is_limited_per_row(
    client: Client,
) -> None:
    id_number = new_id_number()
    await make_trainee("周全", id_number=id_number)
    statuses = []
    for n in range(12):
        user = await make_user()
        response = await client.post(
            "/api/v1/auth/bind-trainee",
            json={"name": f"猜{n}", "id_number": id_number},
            headers=auth(user),
        )
        statuses.append(response.status)
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]


async def test_every_429_carries_retry_after(client: Client) -> None:
    user = await make_user()
    for _ in range(6):
        response = await client.post(
            "/api/v1/auth/bind-trainee",
            json={"name": "猜测", "id_number": new_id_number()},
            headers=auth(user),
        )
    assert response.status == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 600
    assert response.json["error"]["details"]["retry_after"] == int(response.headers["Retry-After"])
