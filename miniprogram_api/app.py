"""create_app(): settings, ORM, blueprints, error mapping, OpenAPI, request ids."""

from __future__ import annotations

import itertools
import logging
import re
import time
import uuid
from json import dumps as json_dumps

from sanic import Request, Sanic
from sanic.response import HTTPResponse
from sanic_ext import Extend
from sanic_ext.extensions.openapi.builders import SpecificationBuilder
from tortoise.contrib.sanic import register_tortoise

import backend.employment.push  # noqa: F401 - registers the job_push template (consent, callback)
from backend.config import Settings, load_settings
from backend.db import connect_db, tortoise_config
from backend.logs import request_id_var
from backend.notifications.events import check_event_template_keys
from backend.notifications.templates import check_template_settings
from backend.runtime import Runtime, configure
from miniprogram_api.console import console_bp, docs_bp, docs_page
from miniprogram_api.contract import finish_document
from miniprogram_api.display.routes import bp as display_bp
from miniprogram_api.errors import JsonErrorHandler
from miniprogram_api.hardening import refuse_hidden_docs, refuse_out_of_range_ids, security_headers
from miniprogram_api.metrics import install_metrics
from miniprogram_api.routes import api_v1
from miniprogram_api.routes.wechat_callback import bp as wechat_callback_bp

log = logging.getLogger("jobready.api")
access_log = logging.getLogger("jobready.access")

_app_numbers = itertools.count(1)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _assign_request_id(request: Request) -> None:
    incoming = request.headers.get("x-request-id", "")
    rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request.ctx.rid = rid
    request.ctx.started = time.perf_counter()
    request_id_var.set(rid)


def _finish_request(request: Request, response: HTTPResponse) -> None:
    rid = getattr(request.ctx, "rid", "") or request_id_var.get()
    response.headers["X-Request-ID"] = rid
    started = getattr(request.ctx, "started", None)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status,
        extra={"status": response.status, "elapsed_ms": elapsed_ms, "path": request.path},
    )


def _configure(app: Sanic, settings: Settings) -> None:
    app.config.REQUEST_MAX_SIZE = settings.request_max_size
    app.config.REQUEST_TIMEOUT = settings.request_timeout
    app.config.RESPONSE_TIMEOUT = settings.response_timeout
    app.config.KEEP_ALIVE_TIMEOUT = settings.keep_alive_timeout
    app.config.PROXIES_COUNT = settings.proxies_count
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS_URL_PREFIX = "/docs"
    # /docs is Swagger UI from files shipped in the package (miniprogram_api/console.py), not
    # sanic-ext's stock pages, which load their scripts and fonts from CDNs.
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_UI_REDOC = False
    app.config.OAS_UI_SWAGGER = True
    app.config.OAS_PATH_TO_SWAGGER_HTML = str(docs_page(settings))
    app.config.CORS = False
    app.config.HEALTH = False
    # sanic-ext's automatic HEAD and OPTIONS routes are added after the router is final, one
    # re-compilation per route: ~10 s of start-up for ~170 routes on this machine (the
    # mini-program sends neither method; CORS is off).
    app.config.HTTP_AUTO_HEAD = False
    app.config.HTTP_AUTO_OPTIONS = False


def create_app(
    settings: Settings | None = None, *, manage_orm: bool = True, name: str | None = None
) -> Sanic:
    """Build the API application (one per process; tests may build several)."""
    settings = settings or load_settings()
    check_template_settings(settings)  # every template is registered by now
    check_event_template_keys(settings)
    rt = configure(settings)
    app = Sanic(
        name or f"jobready_{next(_app_numbers)}",
        error_handler=JsonErrorHandler(),
        configure_logging=False,
    )
    _configure(app, settings)
    Extend(app)
    app.ext.openapi.describe(
        "JobReady API", version="1.0.0", description="求职能力实训小程序后端接口（/api/v1）"
    )
    app.ext.openapi.add_security_scheme("bearer", "http", scheme="bearer", bearer_format="JWT")
    app.blueprint(api_v1)
    app.blueprint(display_bp)
    app.blueprint(wechat_callback_bp)
    app.blueprint(console_bp)
    if settings.dev or settings.docs_enabled:
        app.blueprint(docs_bp)
    app.add_route(_openapi_document, "/api/v1/openapi.json", name="openapi_document")
    app.after_server_start(_snapshot_openapi)
    app.on_request(_assign_request_id, priority=100)
    app.on_request(_docs_ui_document)
    app.on_response(_finish_request, priority=-100)
    app.on_request(refuse_hidden_docs, priority=90)
    app.on_request(refuse_out_of_range_ids, priority=90)
    app.on_response(security_headers, priority=-90)
    if manage_orm:
        register_tortoise(app, config=tortoise_config(settings.database_url))
        app.before_server_start(_connect_database)
    _register_services(app, settings, rt)
    install_metrics(app, settings)
    return app


def _register_services(app: Sanic, settings: Settings, rt: Runtime) -> None:
    """Start and stop what routes share: the Redis client; the runtime's clients at the end."""

    @app.before_server_start
    async def open_services(app: Sanic) -> None:
        app.ctx.redis = None
        if settings.redis_url:
            from redis.asyncio import Redis

            app.ctx.redis = Redis.from_url(settings.redis_url, socket_timeout=2)

    @app.after_server_stop
    async def close_services(app: Sanic) -> None:
        if getattr(app.ctx, "redis", None) is not None:
            await app.ctx.redis.aclose()
        await rt.close()


async def _connect_database(app: Sanic) -> None:
    """Connect now, before the port opens: no request's first query opens the connection."""
    await connect_db()


async def _openapi_document(request: Request) -> HTTPResponse:
    """The OpenAPI 3 document, completed by `miniprogram_api.contract` on first request."""
    app = request.app
    if getattr(app.ctx, "openapi", None) is None:  # asked for as the server starts
        await _snapshot_openapi(app)
    if getattr(app.ctx, "openapi_body", None) is None:
        app.ctx.openapi = finish_document(app.ctx.openapi, app)
        app.ctx.openapi_body = json_dumps(app.ctx.openapi, ensure_ascii=False)
    return HTTPResponse(app.ctx.openapi_body, content_type="application/json")


async def _docs_ui_document(request: Request) -> HTTPResponse | None:
    """The docs UI (/docs) reads sanic-ext's own JSON route: give it the completed document."""
    if request.path == "/docs/openapi.json":
        return await _openapi_document(request)
    return None


async def _snapshot_openapi(app: Sanic) -> None:
    """Take sanic-ext's document once this app's routes are final (its builder is global)."""
    app.ctx.openapi = SpecificationBuilder().build(app).serialize()
    app.ctx.openapi_body = None
