"""Blueprints, grouped under /api/v1."""

from __future__ import annotations

from sanic import Blueprint

from miniprogram_api.routes.attendance import bp as attendance_bp
from miniprogram_api.routes.auth import bp as auth_bp
from miniprogram_api.routes.calendar import bp as calendar_bp
from miniprogram_api.routes.certificates import bp as certificates_bp
from miniprogram_api.routes.classes import bp as classes_bp
from miniprogram_api.routes.dashboard import bp as dashboard_bp
from miniprogram_api.routes.followups import bp as followups_bp
from miniprogram_api.routes.institutions import bp as institutions_bp
from miniprogram_api.routes.instructors import bp as instructors_bp
from miniprogram_api.routes.integrity import bp as integrity_bp
from miniprogram_api.routes.jobs import bp as jobs_bp
from miniprogram_api.routes.people import bp as people_bp
from miniprogram_api.routes.practice import bp as practice_bp
from miniprogram_api.routes.programme import bp as programme_bp
from miniprogram_api.routes.reference import bp as reference_bp
from miniprogram_api.routes.schedule import bp as schedule_bp
from miniprogram_api.routes.subsidies import bp as subsidies_bp
from miniprogram_api.routes.supervision import bp as supervision_bp
from miniprogram_api.routes.system import bp as system_bp
from miniprogram_api.routes.weblogin import bp as weblogin_bp
from miniprogram_api.routes.workqueue import bp as workqueue_bp

api_v1 = Blueprint.group(
    system_bp,
    auth_bp,
    people_bp,
    classes_bp,
    instructors_bp,
    schedule_bp,
    calendar_bp,
    programme_bp,
    attendance_bp,
    certificates_bp,
    followups_bp,
    subsidies_bp,
    dashboard_bp,
    jobs_bp,
    supervision_bp,
    institutions_bp,
    reference_bp,
    workqueue_bp,
    integrity_bp,
    practice_bp,
    weblogin_bp,
    url_prefix="/api/v1",
)
