"""Scope of the kinds that need no class table: districts (HR by its grants) and institutions.

The check (one object) and the query filter (a `Q`) side by side. `backend/classes/scope.py`
re-exports these with the class and trainee kinds; import from there above the classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.expressions import Q

from backend.accounts.access import Actor
from backend.accounts.models import Institution, Role

# --- districts: HR by its grants (a city-wide grant covers every district) -------------------


def hr_districts(actor: Actor) -> set[str | None]:
    """The districts of the actor's HR grants (None stands for the whole city)."""
    return {g.district_code for g in actor.grants if g.role is Role.HR_ADMIN}


def district_covers(actor: Actor, district_code: str | None) -> bool:
    """The check: an HR grant covers this district (a city-wide grant covers all)."""
    return district_code is not None and actor.hr_covers(district_code)


def districts_in_scope(actor: Actor, *, field: str = "district_code") -> Q:
    """The filter of `district_covers` over rows located by `field` (e.g.
    "training_class__district_code"): every row for a city-wide grant, none without a grant."""
    districts = hr_districts(actor)
    if None in districts:
        # An empty Q() vanishes from an OR: a city-wide grant must match every row.
        return Q(id__isnull=False)
    if not districts:
        return Q(id=-1)
    covered: dict[str, Any] = {f"{field}__in": sorted(d for d in districts if d is not None)}
    return Q(**covered)


# --- institutions: HR by district, or the institution's own admin ---------------------------


def institution_covers(actor: Actor, institution: Institution, roles: Iterable[Role]) -> bool:
    """True if the actor acts on this institution (or its plans, cases) in one of `roles`."""
    roles = set(roles)
    if Role.HR_ADMIN in roles and actor.hr_covers(institution.district_code):
        return True
    return Role.INSTITUTION_ADMIN in roles and institution.id in actor.institutions(
        Role.INSTITUTION_ADMIN
    )


def institutions_in_scope(
    actor: Actor, roles: Iterable[Role], *, field: str = "id", district_field: str = "district_code"
) -> Q:
    """The filter of `institution_covers`: over institutions (`field` "id"), or over rows that
    name an institution and a district (e.g. `field="institution_id"`)."""
    roles = set(roles)
    conditions = Q(id=-1)
    own = actor.institutions(Role.INSTITUTION_ADMIN)
    if Role.INSTITUTION_ADMIN in roles and own:
        mine: dict[str, Any] = {f"{field}__in": sorted(own)}
        conditions |= Q(**mine)
    if Role.HR_ADMIN in roles:
        conditions |= districts_in_scope(actor, field=district_field)
    return conditions
