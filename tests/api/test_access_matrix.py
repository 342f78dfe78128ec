"""The role/scope matrix: every route × every role × own vs foreign object (PRODUCT.md §1).

Every route of the app must appear here (a test checks it), so each capability extends this
table. Every response is also scanned: no full ID-card or phone number may appear anywhere,
except in the audited full-value read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sanic import Sanic

from backend.accounts.models import Role, User
from backend.classes.models import StaffDuty
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
    make_user,
    new_id_number,
)

ANON, NO_ROLE = "anonymous", "no_role"
ACTORS = [ANON, NO_ROLE, *(r.value for r in Role)]
OWN, FOREIGN = "own", "foreign"


@dataclass
class World:
    """Two institutions in two districts; the actors all belong to the first."""

    users: dict[str, User | None] = field(default_factory=dict)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)


async def _side(world: World, name: str, district: str) -> dict[str, Any]:
    inst = await make_institution(district)
    klass = await make_class(inst)
    id_number, phone = new_id_number(), f"1370000{len(world.secrets):04d}"
    trainee_user = await make_user()
    trainee = await make_trainee(id_number=id_number, phone=phone, user=trainee_user)
    await enrol(klass, trainee)
    world.secrets += [id_number, phone]
    world.ids[name] = {"institution": inst.id, "class": klass.id, "trainee": trainee.id}
    return {"inst": inst, "klass": klass, "trainee_user": trainee_user}


async def build_world() -> World:
    world = World()
    own = await _side(world, OWN, "350102")
    await _side(world, FOREIGN, "350104")
    inst, klass = own["inst"], own["klass"]
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    staff = await make_staff(Role.STAFF, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    await add_staff(klass, staff, StaffDuty.STAFF)
    instructor, instructor_user = await make_instructor()
    await assign_instructor(klass, instructor)
    world.users = {
        ANON: None,
        NO_ROLE: await make_user(),
        Role.TRAINEE.value: own["trainee_user"],
        Role.CLASS_TEACHER.value: teacher,
        Role.STAFF.value: staff,
        Role.INSTRUCTOR.value: instructor_user,
        Role.INSTITUTION_ADMIN.value: await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
        Role.HR_ADMIN.value: await make_staff(Role.HR_ADMIN, district_code="350102"),
    }
    return world


@dataclass(frozen=True)
class Case:
    """A route and, per actor, the status for an own object and for a foreign one."""

    method: str
    path: str  # {trainee}, {class}, {institution} filled from the world
    expect: dict[str, tuple[int, int]]
    body: dict[str, Any] | None = None
    reveals_pii: bool = False


def _expect(default: int, **overrides: tuple[int, int]) -> dict[str, tuple[int, int]]:
    table = {actor: (default, default) for actor in ACTORS}
    table[ANON] = (401, 401)
    table.update(overrides)
    return table


STAFF_VIEW = {
    r: (200, 404) for r in ("class_teacher", "staff", "instructor", "institution_admin", "hr_admin")
}

CASES = {
    "health": Case("GET", "/api/v1/health", {a: (200, 200) for a in ACTORS}),
    "openapi": Case("GET", "/api/v1/openapi.json", {a: (200, 200) for a in ACTORS}),
    "wx_login": Case(
        "POST", "/api/v1/auth/wx-login", {a: (400, 400) for a in ACTORS}, {"code": "bogus"}
    ),
    "me": Case("GET", "/api/v1/me", _expect(200)),
    "bind_trainee": Case(
        "POST",
        "/api/v1/auth/bind-trainee",
        _expect(404),
        {"name": "无此人", "id_number": "11010519491231002X"},
    ),
    "redeem": Case(
        "POST", "/api/v1/auth/redeem-invitation", _expect(404), {"code": "ABCD-EFGH-JK"}
    ),
    "phone": Case("POST", "/api/v1/me/phone", _expect(400), {"code": "bogus"}),
    "get_trainee": Case(
        "GET", "/api/v1/trainees/{trainee}", _expect(403, trainee=(200, 404), **STAFF_VIEW)
    ),
    "reveal_pii": Case(
        "POST",
        "/api/v1/trainees/{trainee}/pii",
        _expect(403, institution_admin=(200, 404), hr_admin=(200, 404)),
        {"reason": "补贴材料核对"},
        reveals_pii=True,
    ),
    "unbind": Case(
        "POST",
        "/api/v1/trainees/{trainee}/unbind",
        _expect(403, hr_admin=(200, 404)),
        {"reason": "更换手机"},
    ),
    "invite": Case(
        "POST",
        "/api/v1/invitations",
        _expect(403, institution_admin=(201, 403), hr_admin=(201, 404)),
        {"role": "class_teacher", "institution_id": "{institution}"},
    ),
}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("which", [OWN, FOREIGN])
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case_name", sorted(CASES))
async def test_route_answers_each_role_as_designed(
    app: Sanic, case_name: str, actor: str, which: str
) -> None:
    case = CASES[case_name]
    world = await build_world()
    ids = world.ids[which]
    user = world.users[actor]
    headers = auth(user) if user is not None else {}
    path = case.path.format(**ids)
    kwargs: dict[str, Any] = {"headers": headers}
    if case.body is not None:
        kwargs["json"] = _fill(case.body, ids)
    _, response = await app.asgi_client.request(case.method, path, **kwargs)
    expected = case.expect[actor][0 if which == OWN else 1]
    assert response.status == expected, response.text
    if not (case.reveals_pii and response.status == 200):
        leaked = [s for s in world.secrets if s in response.text]
        assert leaked == [], f"{case_name} leaked full ID-card or phone numbers"


def test_every_route_of_the_app_is_in_the_matrix(app: Sanic) -> None:
    covered = {(c.method, c.path.split("{")[0].rstrip("/")) for c in CASES.values()}
    missing = []
    for route in app.router.routes:
        path = "/" + route.path
        if not path.startswith("/api/v1") or path.startswith("/api/v1/_"):
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            prefix = path.split("<")[0].rstrip("/")
            if (method, prefix) not in covered:
                missing.append(f"{method} {path}")
    assert missing == []


def _declared_access(handler: Any) -> Any:
    while handler is not None:
        if hasattr(handler, "route_access"):
            return handler.route_access
        handler = getattr(handler, "__wrapped__", None) or getattr(handler, "func", None)
    return None


def test_every_route_declares_who_may_call_it(app: Sanic) -> None:
    undeclared = [
        f"/{route.path}: {route.handler!r}"
        for route in app.router.routes
        if route.path.startswith("api/v1")
        and not route.methods <= {"OPTIONS", "HEAD"}
        and _declared_access(route.handler) is None
        and route.name.split(".")[-1] != "openapi_document"
    ]
    assert undeclared == []
