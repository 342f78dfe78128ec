"""Who is acting, in which roles: the actor, its grants and the role checks.

Role checks say *which kind* of person may call something; scope checks (which objects that
person may touch) read the classes and live in `backend/classes/scope.py`, one floor up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.accounts.models import Role
from backend.db import fetch_rows
from backend.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Grant:
    """One role with its scope (institution, or district for HR; None district = whole city)."""

    role: Role
    institution_id: int | None = None
    district_code: str | None = None


@dataclass(frozen=True)
class Actor:
    """The person behind a request, with everything scope checks need."""

    user_id: int
    display_name: str
    grants: tuple[Grant, ...]
    trainee_id: int | None = None
    instructor_id: int | None = None

    @property
    def roles(self) -> frozenset[Role]:
        """Every role the actor holds (trainee from the bound roster row)."""
        roles = {g.role for g in self.grants}
        if self.trainee_id is not None:
            roles.add(Role.TRAINEE)
        return frozenset(roles)

    def has_any(self, roles: Iterable[Role]) -> bool:
        """True if the actor holds at least one of these roles."""
        return bool(self.roles & set(roles))

    def institutions(self, *roles: Role) -> set[int]:
        """Institutions the actor acts for in these roles."""
        return {
            g.institution_id
            for g in self.grants
            if g.role in roles and g.institution_id is not None
        }

    def hr_covers(self, district_code: str) -> bool:
        """True if an HR grant covers this district (a city-wide grant covers all)."""
        return any(
            g.role is Role.HR_ADMIN and g.district_code in (None, district_code)
            for g in self.grants
        )


def check_account(row: dict[str, Any] | None, *, token_version: int | None) -> dict[str, Any]:
    """Refuse a missing or disabled account, and a token issued before the last revocation.

    `row` is the account's `app_user` row (at least `is_active` and `token_version`).
    """
    if row is None or not row["is_active"]:
        raise Unauthenticated("账号不存在或已停用，请重新登录", code="ACCOUNT_DISABLED")
    if token_version is not None and row["token_version"] != token_version:
        raise Unauthenticated("登录已失效，请重新登录", code="TOKEN_REVOKED")
    return row


_ACTOR_SQL = """
SELECT u.id, u.display_name, u.is_active, u.token_version, t.id AS trainee_id,
       i.id AS instructor_id, g.role, g.institution_id, g.district_code
FROM app_user u
LEFT JOIN trainee t ON t.user_id = u.id
LEFT JOIN instructor i ON i.user_id = u.id
LEFT JOIN role_grant g ON g.user_id = u.id AND g.revoked_at IS NULL
WHERE u.id = $1
"""


async def load_actor(user_id: int, *, token_version: int | None = None) -> Actor:
    """Build the actor of a user in one query (user, bindings, one row per live grant).

    With `token_version` (from a session token) a token issued before the last revocation
    is refused. This runs on every authenticated request: keep it to one query.
    """
    rows = await fetch_rows(_ACTOR_SQL, user_id)
    row = check_account(rows[0] if rows else None, token_version=token_version)
    return Actor(
        user_id=row["id"],
        display_name=row["display_name"],
        grants=tuple(
            Grant(Role(r["role"]), r["institution_id"], r["district_code"])
            for r in rows
            if r["role"] is not None
        ),
        trainee_id=row["trainee_id"],
        instructor_id=row["instructor_id"],
    )


def require_role(actor: Actor, roles: Iterable[Role]) -> None:
    """Refuse with 403 unless the actor holds one of the roles."""
    roles = set(roles)
    if not actor.has_any(roles):
        raise Forbidden("您的身份无权执行此操作", code="ROLE_FORBIDDEN")


def is_city_hr(actor: Actor) -> bool:
    """True if the actor holds a city-wide HR grant (市级人社部门)."""
    return any(g.role is Role.HR_ADMIN and g.district_code is None for g in actor.grants)


def require_city_hr(actor: Actor, article: str) -> None:
    """Refuse with 403 unless the actor is city-level HR (the article reserves the act to them)."""
    require_role(actor, {Role.HR_ADMIN})
    if not is_city_hr(actor):
        raise Forbidden(
            f"该事项由市级人社部门办理（{article}），区县人社部门无权操作",
            code="CITY_HR_REQUIRED",
            details={"article": article},
        )
