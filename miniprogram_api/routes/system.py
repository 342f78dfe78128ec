"""Liveness and dependency checks."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.db import ping_db
from miniprogram_api.auth import public
from miniprogram_api.validation import response_model

bp = Blueprint("system")
log = logging.getLogger("jobready.health")


class HealthOut(BaseModel):
    """Health of the API and what it depends on."""

    status: str
    database: str
    redis: str
    version: str


async def _check(coro: object, limit: float = 2.0) -> str:
    try:
        await asyncio.wait_for(coro, limit)  # type: ignore[arg-type]
        return "ok"
    except Exception as exc:
        log.warning("health check failed: %r", exc)
        return "error"


@bp.get("/health")
@openapi.summary("健康检查：数据库与 Redis")
@response_model(HealthOut)
@public
async def health(request: Request) -> HTTPResponse:
    """Report the database (and Redis if configured); 503 when something is down."""
    database = await _check(ping_db())
    redis = getattr(request.app.ctx, "redis", None)
    redis_state = await _check(redis.ping()) if redis is not None else "not_configured"
    healthy = database == "ok" and redis_state in ("ok", "not_configured")
    body = HealthOut(
        status="ok" if healthy else "degraded",
        database=database,
        redis=redis_state,
        version="0.1.0",
    )
    return json(body.model_dump(), status=200 if healthy else 503)
