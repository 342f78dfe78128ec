"""Blueprints, grouped under /api/v1."""

from __future__ import annotations

from sanic import Blueprint

from miniprogram_api.routes.auth import bp as auth_bp
from miniprogram_api.routes.people import bp as people_bp
from miniprogram_api.routes.system import bp as system_bp

api_v1 = Blueprint.group(system_bp, auth_bp, people_bp, url_prefix="/api/v1")
