"""Blueprints, grouped under /api/v1."""

from __future__ import annotations

from sanic import Blueprint

from miniprogram_api.routes.system import bp as system_bp

api_v1 = Blueprint.group(system_bp, url_prefix="/api/v1")
