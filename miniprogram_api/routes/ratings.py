"""Rating figures of the daily feedback (每日意见), shared by its routes and the HR dashboard.

A module of models only: the dashboard reads them without importing the supervision routes
(and, with them, importing the supervision package earlier than the route order does).
"""

from __future__ import annotations

from pydantic import BaseModel


class Averages(BaseModel):
    """Averages (two decimals; null when there is no rating); overall = mean of the three."""

    content: float | None
    instructor: float | None
    organisation: float | None
    overall: float | None


class Sums(BaseModel):
    """Sums of the ratings, from which the averages come."""

    content: int
    instructor: int
    organisation: int
