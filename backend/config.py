"""Settings: the only place environment variables are read.

Every setting is declared once below (name, type, default, description). README's configuration
table is checked against this list by a test, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any

# Values that are fine on a developer's laptop and fatal anywhere else.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"
DEV_PII_KEYS = "dev1:ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMTIzNDU="
DEV_PII_HASH_KEY = "ZGV2LW9ubHktcGlpLWhhc2gta2V5LTMyLWJ5dGVzISE="
DEV_WECHAT_APPID = "wx-demo-appid"
DEV_WECHAT_SECRET = "demo-secret"
DEV_WECHAT_PUSH_TOKEN = "dev-push-token"

# 第十五条: the four parts of an instructor's annual evaluation, named in EVALUATION_WEIGHTS.
EVALUATION_COMPONENTS = ("satisfaction", "volume", "followup", "employment")

# Logical template keys (`followup_survey`) and WeChat template ids (letters, digits, - and _).
_TEMPLATE_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_WECHAT_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_QUIET_HOURS = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _setting(
    default: Any,
    env: str,
    doc: str,
    *,
    secret: bool = False,
    required: bool = True,
    hidden: bool = False,
) -> Any:
    """A setting; a `secret` one must be set outside dev mode unless it is not `required`.

    `secret` and `hidden` ones (keys, passwords in URLs) never appear in the repr (logs,
    tracebacks)."""
    meta = {"env": env, "doc": doc, "secret": secret, "required": required}
    return field(default=default, repr=not (secret or hidden), metadata=meta)


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe for the chosen mode."""


@dataclass(frozen=True)
class Settings:
    """Typed configuration of the API, the worker and the CLI."""

    dev: bool = _setting(
        False, "JOBREADY_DEV", "Development mode: allows the built-in dev secrets, text logs."
    )
    database_url: str = _setting(
        "sqlite://jobready.sqlite3",
        "DATABASE_URL",
        "Database: `sqlite://PATH` (embedded default) or `postgres://user:pw@host:5432/db` (a pool "
        "of up to 20 connections per process; `?maxsize=N` changes it).",
        hidden=True,
    )
    redis_url: str = _setting(
        "",
        "REDIS_URL",
        "Redis for WeChat tokens and rate limits; empty = in-process stores.",
        hidden=True,
    )
    secret_key: str = _setting(
        DEV_SECRET_KEY,
        "SECRET_KEY",
        "Signs session tokens, QR codes and display links (≥ 32 characters).",
        secret=True,
    )
    pii_encryption_keys: str = _setting(
        DEV_PII_KEYS,
        "PII_ENCRYPTION_KEYS",
        "AES-256-GCM keys for ID-card and phone numbers: `kid:base64(32 bytes)[,kid:…]`, "
        "first is current; older keys still decrypt (rotation).",
        secret=True,
    )
    pii_hash_key: str = _setting(
        DEV_PII_HASH_KEY,
        "PII_HASH_KEY",
        "Key (base64, ≥ 32 bytes) of the HMAC used to look up encrypted ID-card and phone numbers.",
        secret=True,
    )
    wechat_api_base: str = _setting(
        "https://api.weixin.qq.com",
        "WECHAT_API_BASE",
        "Base URL of the WeChat API (the local stand-in in demos and tests).",
    )
    wechat_appid: str = _setting(DEV_WECHAT_APPID, "WECHAT_APPID", "Mini-program AppID.")
    wechat_secret: str = _setting(
        DEV_WECHAT_SECRET, "WECHAT_SECRET", "Mini-program AppSecret.", secret=True
    )
    wechat_oa_appid: str = _setting(
        "", "WECHAT_OA_APPID", "Official-account AppID for template messages (optional)."
    )
    wechat_oa_secret: str = _setting(
        "", "WECHAT_OA_SECRET", "Official-account AppSecret (optional).", hidden=True
    )
    wechat_push_token: str = _setting(
        DEV_WECHAT_PUSH_TOKEN,
        "WECHAT_PUSH_TOKEN",
        "Token configured for the message-push callback `/wechat/callback`.",
        secret=True,
    )
    wechat_push_aes_key: str = _setting(
        "",
        "WECHAT_PUSH_AES_KEY",
        "EncodingAESKey of the callback (empty = plaintext mode); when set, the callback accepts "
        "only encrypted pushes (`encrypt_type=aes` with `msg_signature`).",
        hidden=True,
    )
    wechat_timeout: float = _setting(5.0, "WECHAT_TIMEOUT", "Seconds before a WeChat call fails.")
    recruitment_api_base: str = _setting(
        "http://127.0.0.1:8602",
        "RECRUITMENT_API_BASE",
        "Base URL of the recruitment site's JSON interface (the simulator in demos and tests).",
    )
    token_ttl_seconds: int = _setting(
        86400, "TOKEN_TTL_SECONDS", "Lifetime of a session token issued at login."
    )
    request_max_size: int = _setting(
        5 * 1024 * 1024,
        "REQUEST_MAX_SIZE",
        "Largest request body in bytes (a roster workbook fits; Sanic's default is 100 MB).",
    )
    request_timeout: float = _setting(
        15.0, "REQUEST_TIMEOUT", "Seconds to receive a whole request (Sanic's default is 60)."
    )
    response_timeout: float = _setting(
        30.0, "RESPONSE_TIMEOUT", "Seconds a handler may take before the client gets a 503."
    )
    keep_alive_timeout: float = _setting(
        15.0, "KEEP_ALIVE_TIMEOUT", "Seconds an idle keep-alive connection stays open."
    )
    log_level: str = _setting("INFO", "LOG_LEVEL", "Log level (DEBUG, INFO, WARNING, ERROR).")
    log_format: str = _setting(
        "", "LOG_FORMAT", "`json` or `text`; empty = text in dev mode, JSON lines otherwise."
    )
    proxies_count: int = _setting(
        0,
        "PROXIES_COUNT",
        "Proxies in front of the API: their X-Forwarded-For gives client IPs for rate limits.",
    )
    public_base_url: str = _setting(
        "http://127.0.0.1:8000",
        "PUBLIC_BASE_URL",
        "URL at which people reach the API (used in links: certificate QR codes, the projector "
        "page); outside dev mode it must be an https URL other than localhost.",
    )
    metrics_token: str = _setting(
        "",
        "METRICS_TOKEN",
        "Bearer token that `/metrics` (Prometheus) requires outside dev mode; empty = `/metrics` "
        "is closed outside dev mode (open in dev mode).",
        secret=True,
        required=False,
    )
    attendance_qr_step_seconds: int = _setting(
        15,
        "ATTENDANCE_QR_STEP_SECONDS",
        "Seconds each check-in code is shown before the next (第二十条 attendance; ≥ 5).",
    )
    attendance_qr_grace_steps: int = _setting(
        1,
        "ATTENDANCE_QR_GRACE_STEPS",
        "Earlier codes still accepted (1 = the previous one), for a phone that read the code as it "
        "changed; 0-4.",
    )
    attendance_opens_before_minutes: int = _setting(
        30,
        "ATTENDANCE_OPENS_BEFORE_MINUTES",
        "Minutes before a session starts that check-in opens (0-240).",
    )
    attendance_late_after_minutes: int = _setting(
        10,
        "ATTENDANCE_LATE_AFTER_MINUTES",
        "Minutes after the start from which a check-in counts as late (0-180).",
    )
    completion_attendance_threshold: float = _setting(
        0.80,
        "COMPLETION_ATTENDANCE_THRESHOLD",
        "第二十二条 completion: share of the class's sessions a trainee who passed the assessment "
        "must attend (present or late, confirmed) to complete and get a certificate; 0 < x ≤ 1.",
    )
    evaluation_weights: str = _setting(
        "satisfaction=0.40,volume=0.20,followup=0.20,employment=0.20",
        "EVALUATION_WEIGHTS",
        "第十五条 instructor annual evaluation: weight of each part, `name=weight,…` with every "
        f"part of {', '.join(f'`{c}`' for c in EVALUATION_COMPONENTS)}, each ≥ 0, summing to 1.",
    )

    wechat_template_ids: str = _setting(
        "",
        "WECHAT_TEMPLATE_IDS",
        "Mini-program subscribe template ids (公众平台 → 订阅消息) per logical template: "
        "`key=id[,key=…]` with keys `followup_survey`, `notice`, `job_push`; a key not given "
        "keeps its built-in id (`tpl-…`, which only the local stand-in accepts).",
    )
    wechat_oa_template_ids: str = _setting(
        "",
        "WECHAT_OA_TEMPLATE_IDS",
        "Official-account template ids per logical template, `key=id[,key=…]`; a key not given "
        "keeps its built-in id (`followup_survey` has one), `key=` (empty) removes it (no "
        "template-message fallback for that template).",
    )
    wechat_long_term_templates: str = _setting(
        "",
        "WECHAT_LONG_TERM_TEMPLATES",
        "Logical templates set up as long-term subscribe templates (长期订阅, only for accounts "
        "that qualify), comma-separated: one accept allows every later send; empty = none.",
    )
    notify_quiet_hours: str = _setting(
        "21:00-08:00",
        "NOTIFY_QUIET_HOURS",
        "Asia/Shanghai hours without pushes (subscribe and template messages wait), "
        "`HH:MM-HH:MM`, may span midnight; equal start and end = no quiet hours.",
    )
    notify_daily_cap: int = _setting(
        5,
        "NOTIFY_DAILY_CAP",
        "Pushes per user per Asia/Shanghai day; one beyond waits for the next morning (the end "
        "of the quiet hours); ≥ 1.",
    )
    outbox_lease_seconds: int = _setting(
        120,
        "OUTBOX_LEASE_SECONDS",
        "Seconds a worker holds a claimed outbox message (renewed while it is being sent); a "
        "crashed worker's messages are taken over after it; ≥ 30.",
    )
    outbox_max_attempts: int = _setting(
        8,
        "OUTBOX_MAX_ATTEMPTS",
        "Attempts of an outbox message before it falls back to the inbox and a phone-call task "
        "(an application to the recruitment site is marked failed); 1-50.",
    )
    employment_gate_basis: str = _setting(
        "verified",
        "EMPLOYMENT_GATE_BASIS",
        "第二十四条 last tranche: which employment rate the 80% gate reads, `verified` (outcomes "
        "HR verified) or `claimed` (every reported outcome); both are always shown side by side.",
    )
    spot_check_min_items: int = _setting(
        5,
        "SPOT_CHECK_MIN_ITEMS",
        "Spot check before the last tranche: HR checks at least this many of a class's employment "
        "claims (all of them when fewer); ≥ 1.",
    )
    spot_check_share: float = _setting(
        0.20,
        "SPOT_CHECK_SHARE",
        "Spot check: share of a class's employment claims HR checks when that is more than "
        "SPOT_CHECK_MIN_ITEMS (rounded up); 0 < x ≤ 1.",
    )
    evidence_dir: str = _setting(
        "jobready-evidence",
        "EVIDENCE_DIR",
        "Directory for employment evidence files (contracts, offer letters, licences), outside "
        "any served directory; stored under random names, read only through the API.",
    )
    evidence_max_bytes: int = _setting(
        4194304,
        "EVIDENCE_MAX_BYTES",
        "Largest employment evidence file in bytes (JPEG, PNG or PDF, judged by content); "
        "a larger request is refused first by REQUEST_MAX_SIZE.",
    )
    outbox_concurrency: int = _setting(
        8,
        "OUTBOX_CONCURRENCY",
        "Outbox messages a worker has on their way at once (sent, or sent and not yet recorded): "
        "the most a crash can send twice (at-least-once, docs/outbox.md); 1-256.",
    )
    wechat_max_connections: int = _setting(
        16,
        "WECHAT_MAX_CONNECTIONS",
        "Connections of the process's one HTTP pool to WeChat (every call: login, messages, "
        "codes, tokens); at least OUTBOX_CONCURRENCY, so logins never wait behind pushes; 1-512.",
    )

    event_template_keys: str = _setting(
        "",
        "EVENT_TEMPLATE_KEYS",
        "Logical template of workflow events per kind, `kind=template_key[,…]` (kinds in "
        "`backend/events/service.py`, templates `work_todo`, `work_result`, `class_reminder`, "
        "`attendance_warning`, `certificate_notice`); a kind not given keeps its default.",
    )
    session_reminder_time: str = _setting(
        "18:00",
        "SESSION_REMINDER_TIME",
        "Asia/Shanghai time (`HH:MM`) at which trainees and instructors are reminded of the next "
        "day's sessions.",
    )
    plan_deadline_reminder_days: int = _setting(
        3,
        "PLAN_DEADLINE_REMINDER_DAYS",
        "Working days before its 第十八条 submission deadline that an institution is reminded "
        "of an unsubmitted plan (1-10).",
    )
    certificate_issuer: str = _setting(
        "福州市人力资源和社会保障局",
        "CERTIFICATE_ISSUER",
        "Issuing authority printed on certificates and their verification page (第二十二条).",
    )
    # -- practice (模拟实训, 第二十一条(四); online tests, 第二十二条) --
    llm_api_base: str = _setting(
        "",
        "LLM_API_BASE",
        "Base URL of an OpenAI-compatible chat-completions API for mock-interview feedback "
        "(e.g. `http://127.0.0.1:8000/v1` of vLLM or Ollama); empty = the rule-based basic mode.",
    )
    llm_model: str = _setting("qwen2.5-7b-instruct", "LLM_MODEL", "Model name sent to the API.")
    llm_api_key: str = _setting(
        "", "LLM_API_KEY", "Bearer key of the model API (empty = none, e.g. a local server)."
    )
    llm_timeout: float = _setting(
        20.0, "LLM_TIMEOUT", "Seconds one model call may take before it is retried (1-120)."
    )
    llm_retries: int = _setting(
        1, "LLM_RETRIES", "Extra tries of a model call after a timeout, 429 or 5xx (0-5)."
    )
    llm_max_concurrency: int = _setting(
        32,
        "LLM_MAX_CONCURRENCY",
        "Model calls in flight per API process; more wait their turn (rate cap, 1-1000).",
    )
    llm_daily_calls_per_trainee: int = _setting(
        60,
        "LLM_DAILY_CALLS_PER_TRAINEE",
        "Model calls per trainee per Asia/Shanghai day (cost cap); beyond it the answer gets "
        "basic-mode feedback; ≥ 1.",
    )
    llm_max_tokens: int = _setting(
        900, "LLM_MAX_TOKENS", "`max_tokens` of each model call (cost cap per call, 100-8000)."
    )
    assessment_online_test_weight: float = _setting(
        0.5,
        "ASSESSMENT_ONLINE_TEST_WEIGHT",
        "第二十二条 assessment: share of a trainee's assessment score that comes from the class's "
        "online test; the rest is the instructor's practical score (0 ≤ x ≤ 1; 1 = the test "
        "alone).",
    )
    practice_materials_dir: str = _setting(
        "materials-data",
        "PRACTICE_MATERIALS_DIR",
        "Folder where course-material files are stored under random names.",
    )
    practice_material_max_bytes: int = _setting(
        5 * 1024 * 1024,
        "PRACTICE_MATERIAL_MAX_BYTES",
        "Largest course-material file in bytes (PDF, slides, images); ≥ 1024.",
    )
    shutdown_timeout: float = _setting(
        10.0,
        "SHUTDOWN_TIMEOUT",
        "Seconds `serve`, `worker` and `demo` take at most to stop on SIGINT/SIGTERM (requests in "
        "flight finish, claimed outbox work is released); past it, or on a second Ctrl-C, the "
        "process exits at once; 1-300.",
    )
    business_clock: str = _setting(
        "",
        "JOBREADY_CLOCK",
        "Development only (refused otherwise): the business clock of the API and the worker, "
        "`fixed:2026-12-08T08:40` (frozen, Asia/Shanghai) or `shift:+9h30m` (the real time moved); "
        "empty = the real time.",
    )
    web_login_ticket_seconds: int = _setting(
        120,
        "WEB_LOGIN_TICKET_SECONDS",
        "Lifetime of a console login QR code (扫码登录): it must be scanned, confirmed and "
        "redeemed by the browser that asked for it within this time; 30-600.",
    )
    docs_enabled: bool = _setting(
        False,
        "DOCS_ENABLED",
        "Serve the API docs (Swagger UI from files shipped in the package) at /docs outside "
        "dev mode; in dev mode they are always served; `/api/v1/openapi.json` always is.",
    )

    def __post_init__(self) -> None:
        self._refuse_invalid_rule_figures()
        self._refuse_invalid_lifecycle_settings()
        if not self.dev:
            self._refuse_unsafe_deployment()

    def _refuse_invalid_lifecycle_settings(self) -> None:
        """SHUTDOWN_TIMEOUT's range; JOBREADY_CLOCK's syntax, and only in dev mode."""
        from backend.clock import parse_business_clock

        if not 1 <= self.shutdown_timeout <= 300:  # also refuses NaN
            raise SettingsError(
                f"SHUTDOWN_TIMEOUT must be between 1 and 300 seconds, got {self.shutdown_timeout!r}"
            )
        if self.business_clock and not self.dev:
            raise SettingsError(
                "JOBREADY_CLOCK is for development only: unset it (or set JOBREADY_DEV=1)"
            )
        try:
            parse_business_clock(self.business_clock)
        except ValueError as exc:
            raise SettingsError(f"JOBREADY_CLOCK: {exc}") from None

    def _refuse_invalid_rule_figures(self) -> None:
        """Figures of the regulation's rules are checked in every mode: a bad one is no default."""
        threshold = self.completion_attendance_threshold
        if not 0 < threshold <= 1:  # also refuses NaN
            raise SettingsError(
                "COMPLETION_ATTENDANCE_THRESHOLD must be a fraction with 0 < x ≤ 1 "
                f"(80% is 0.80), got {threshold!r}"
            )
        parse_evaluation_weights(self.evaluation_weights)
        for env, value, low, high in (
            ("ATTENDANCE_QR_STEP_SECONDS", self.attendance_qr_step_seconds, 5, 600),
            ("ATTENDANCE_QR_GRACE_STEPS", self.attendance_qr_grace_steps, 0, 4),
            ("ATTENDANCE_OPENS_BEFORE_MINUTES", self.attendance_opens_before_minutes, 0, 240),
            ("ATTENDANCE_LATE_AFTER_MINUTES", self.attendance_late_after_minutes, 0, 180),
            ("OUTBOX_MAX_ATTEMPTS", self.outbox_max_attempts, 1, 50),
            ("PLAN_DEADLINE_REMINDER_DAYS", self.plan_deadline_reminder_days, 1, 10),
            ("OUTBOX_CONCURRENCY", self.outbox_concurrency, 1, 256),
            ("WECHAT_MAX_CONNECTIONS", self.wechat_max_connections, 1, 512),
            ("WEB_LOGIN_TICKET_SECONDS", self.web_login_ticket_seconds, 30, 600),
        ):
            if not low <= value <= high:
                raise SettingsError(f"{env} must be between {low} and {high}, got {value!r}")
        for env, value, low in (
            ("NOTIFY_DAILY_CAP", self.notify_daily_cap, 1),
            ("OUTBOX_LEASE_SECONDS", self.outbox_lease_seconds, 30),
        ):
            if value < low:
                raise SettingsError(f"{env} must be at least {low}, got {value!r}")
        self._refuse_invalid_notification_figures()
        self._refuse_invalid_practice_figures()
        self._refuse_invalid_integrity_figures()

    def _refuse_invalid_integrity_figures(self) -> None:
        """The employment gate, spot checks and evidence."""
        if self.employment_gate_basis not in ("verified", "claimed"):
            raise SettingsError(
                "EMPLOYMENT_GATE_BASIS must be verified or claimed, "
                f"got {self.employment_gate_basis!r}"
            )
        if self.spot_check_min_items < 1:
            raise SettingsError(
                f"SPOT_CHECK_MIN_ITEMS must be at least 1, got {self.spot_check_min_items!r}"
            )
        if not 0 < self.spot_check_share <= 1:
            raise SettingsError(
                f"SPOT_CHECK_SHARE must be a fraction with 0 < x ≤ 1, got {self.spot_check_share!r}"
            )
        if self.evidence_max_bytes < 1:
            raise SettingsError(
                f"EVIDENCE_MAX_BYTES must be positive, got {self.evidence_max_bytes!r}"
            )

    def _refuse_invalid_practice_figures(self) -> None:
        """The model-call caps and the online-test share of the assessment."""
        if not 0 <= self.assessment_online_test_weight <= 1:  # also refuses NaN
            raise SettingsError(
                "ASSESSMENT_ONLINE_TEST_WEIGHT must be between 0 and 1, "
                f"got {self.assessment_online_test_weight!r}"
            )
        for env, value, low, high in (
            ("LLM_TIMEOUT", self.llm_timeout, 1, 120),
            ("LLM_RETRIES", self.llm_retries, 0, 5),
            ("LLM_MAX_CONCURRENCY", self.llm_max_concurrency, 1, 1000),
            ("LLM_MAX_TOKENS", self.llm_max_tokens, 100, 8000),
            ("LLM_DAILY_CALLS_PER_TRAINEE", self.llm_daily_calls_per_trainee, 1, 100000),
            ("PRACTICE_MATERIAL_MAX_BYTES", self.practice_material_max_bytes, 1024, 1 << 31),
        ):
            if not low <= value <= high:
                raise SettingsError(f"{env} must be between {low} and {high}, got {value!r}")
        if self.llm_api_base and not self.llm_api_base.startswith(("http://", "https://")):
            raise SettingsError(f"LLM_API_BASE must be an http(s) URL, got {self.llm_api_base!r}")

    def _refuse_invalid_notification_figures(self) -> None:
        """The syntax of the template and quiet-hour settings; unknown template keys are refused
        when a process starts (`backend.notifications.templates.check_template_settings`), once
        every domain has registered its templates."""
        _ = self.quiet_hours, self.template_ids, self.oa_template_ids, self.long_term_templates
        _ = self.session_reminder_at

    def _refuse_unsafe_deployment(self) -> None:
        """Outside dev mode a default secret or a local link is a deployment mistake: say which."""
        problems = deployment_problems(self)
        if problems:
            raise SettingsError(
                "refusing to start outside dev mode: "
                + "; ".join(problems)
                + " (set them in the environment or .env, or JOBREADY_DEV=1 for local development)"
            )

    @cached_property  # parsed once per Settings object (frozen)
    def quiet_hours(self) -> tuple[time, time]:
        """NOTIFY_QUIET_HOURS as (start, end), Asia/Shanghai; equal = no quiet hours."""
        return parse_quiet_hours(self.notify_quiet_hours)

    @cached_property  # parsed once per Settings object (frozen)
    def session_reminder_at(self) -> time:
        """SESSION_REMINDER_TIME as a time of day, Asia/Shanghai."""
        return parse_time_of_day(self.session_reminder_time, "SESSION_REMINDER_TIME")

    @cached_property  # parsed once per Settings object (frozen)
    def template_ids(self) -> dict[str, str]:
        """WECHAT_TEMPLATE_IDS: logical template key → subscribe template id."""
        return parse_template_ids(self.wechat_template_ids, "WECHAT_TEMPLATE_IDS")

    @cached_property  # parsed once per Settings object (frozen)
    def oa_template_ids(self) -> dict[str, str]:
        """WECHAT_OA_TEMPLATE_IDS: logical template key → official-account id ("" = none)."""
        return parse_template_ids(self.wechat_oa_template_ids, "WECHAT_OA_TEMPLATE_IDS", empty=True)

    @cached_property  # parsed once per Settings object (frozen)
    def long_term_templates(self) -> frozenset[str]:
        """WECHAT_LONG_TERM_TEMPLATES: the logical keys of long-term subscribe templates."""
        return parse_template_keys(self.wechat_long_term_templates, "WECHAT_LONG_TERM_TEMPLATES")

    @property
    def effective_log_format(self) -> str:
        """The log format after applying the mode's default."""
        return self.log_format or ("text" if self.dev else "json")

    @property
    def is_postgres(self) -> bool:
        """True when the database is PostgreSQL."""
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


_DEV_DEFAULTS = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "PII_ENCRYPTION_KEYS": DEV_PII_KEYS,
    "PII_HASH_KEY": DEV_PII_HASH_KEY,
    "WECHAT_SECRET": DEV_WECHAT_SECRET,
    "WECHAT_PUSH_TOKEN": DEV_WECHAT_PUSH_TOKEN,
}
_LOCAL_HOSTS = ("localhost", "127.", "0.0.0.0", "[::1]", "::1")


def deployment_problems(settings: Settings) -> list[str]:
    """Everything that stops `settings` from running outside dev mode, each naming its setting.

    The API, the worker and `jobready check-config` all ask this; the template ids, which need
    every domain's templates registered, are checked by `check_template_settings`.
    """
    return [
        *_secret_problems(settings),
        *_public_url_problems(settings),
        *_missing_address_problems(settings),
    ]


def _missing_address_problems(settings: Settings) -> list[str]:
    """Who the service is to WeChat and where postings come from cannot be left out."""
    problems = []
    if settings.wechat_appid.strip() in ("", DEV_WECHAT_APPID):
        problems.append("WECHAT_APPID must be the mini-program's AppID (公众平台 → 开发管理)")
    if not settings.recruitment_api_base.strip().startswith(("http://", "https://")):
        problems.append("RECRUITMENT_API_BASE must be the recruitment site's interface URL")
    return problems


def _secret_problems(settings: Settings) -> list[str]:
    bad = [
        env
        for f in fields(settings)
        if f.metadata.get("secret") and f.metadata.get("required")
        for env in [f.metadata["env"]]
        if not getattr(settings, f.name) or getattr(settings, f.name) == _DEV_DEFAULTS.get(env)
    ]
    problems = [f"default or empty secrets: {', '.join(bad)}"] if bad else []
    if "SECRET_KEY" not in bad and len(settings.secret_key) < 32:
        problems.append("SECRET_KEY must be at least 32 characters")
    return problems


def _public_url_problems(settings: Settings) -> list[str]:
    """Links in certificates and projector pages must reach people: https, a real host."""
    url = settings.public_base_url.strip()
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if scheme != "https" or not host or host.startswith(_LOCAL_HOSTS):
        return [
            "PUBLIC_BASE_URL must be the https address at which people reach the service "
            f"(e.g. https://jobready.example.gov.cn), got {url!r}"
        ]
    return []


def setting_specs() -> list[tuple[str, str, Any, str]]:
    """(env name, field name, default, description) of every setting, for docs and checks."""
    return [(f.metadata["env"], f.name, f.default, f.metadata["doc"]) for f in fields(Settings)]


def parse_evaluation_weights(raw: str) -> dict[str, Decimal]:
    """EVALUATION_WEIGHTS `name=weight,…` → weights in EVALUATION_COMPONENTS order, or why not."""
    weights: dict[str, Decimal] = {}
    for part in raw.split(","):
        name, weight = _evaluation_weight(part)
        if name in weights:
            raise SettingsError(f"EVALUATION_WEIGHTS gives {name} twice")
        weights[name] = weight
    missing = [name for name in EVALUATION_COMPONENTS if name not in weights]
    if missing:
        raise SettingsError(f"EVALUATION_WEIGHTS lacks a weight for: {', '.join(missing)}")
    total = sum(weights.values(), Decimal(0))
    if abs(total - 1) > Decimal("1e-9"):
        raise SettingsError(f"EVALUATION_WEIGHTS must sum to 1, they sum to {total}")
    return {name: weights[name] for name in EVALUATION_COMPONENTS}


def _evaluation_weight(part: str) -> tuple[str, Decimal]:
    name, sep, value = (s.strip() for s in part.partition("="))
    if not sep or not name:
        raise SettingsError(f"EVALUATION_WEIGHTS expects name=weight, got {part.strip()!r}")
    if name not in EVALUATION_COMPONENTS:
        raise SettingsError(
            f"EVALUATION_WEIGHTS names an unknown part {name!r} "
            f"(known: {', '.join(EVALUATION_COMPONENTS)})"
        )
    try:
        weight = Decimal(value)
    except InvalidOperation:
        raise SettingsError(f"EVALUATION_WEIGHTS: {name} must be a number, got {value!r}") from None
    if not weight.is_finite() or weight < 0:
        raise SettingsError(f"EVALUATION_WEIGHTS: {name} must be a number ≥ 0, got {value!r}")
    return name, weight


def parse_quiet_hours(raw: str) -> tuple[time, time]:
    """NOTIFY_QUIET_HOURS `HH:MM-HH:MM` → (start, end), or why not."""
    match = _QUIET_HOURS.fullmatch(raw.strip())
    hours = [int(g) for g in match.groups()] if match else []
    if not hours or hours[0] > 23 or hours[2] > 23 or hours[1] > 59 or hours[3] > 59:
        raise SettingsError(
            f"NOTIFY_QUIET_HOURS must be HH:MM-HH:MM (e.g. 21:00-08:00), got {raw!r}"
        )
    return time(hours[0], hours[1]), time(hours[2], hours[3])


def parse_time_of_day(raw: str, env: str) -> time:
    """`HH:MM` → a time of day, or why not."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"{env} must be HH:MM (e.g. 18:00), got {raw!r}")
    return time(int(match[1]), int(match[2]))


def parse_template_ids(raw: str, env: str, *, empty: bool = False) -> dict[str, str]:
    """`key=id[,key=…]` → {key: id}, or why not; `empty` allows `key=` (no id)."""
    ids: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not _TEMPLATE_KEY.fullmatch(key):
            raise SettingsError(f"{env} expects template_key=template_id, got {part!r}")
        if not (_WECHAT_TEMPLATE_ID.fullmatch(value) or (empty and not value)):
            raise SettingsError(
                f"{env}: the id of {key} must be 1-64 letters, digits, - or _, got {value!r}"
            )
        if key in ids:
            raise SettingsError(f"{env} gives {key} twice")
        ids[key] = value
    return ids


def parse_template_keys(raw: str, env: str) -> frozenset[str]:
    """Comma-separated logical template keys, or why not."""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    bad = [k for k in keys if not _TEMPLATE_KEY.fullmatch(k)]
    if bad:
        raise SettingsError(f"{env} expects template keys such as followup_survey, got {bad[0]!r}")
    return frozenset(keys)


def _parse(raw: str, kind: Any, env: str) -> Any:
    if kind in (bool, "bool"):
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise SettingsError(f"{env} must be true/false, got {raw!r}")
    try:
        if kind in (int, "int"):
            return int(raw)
        if kind in (float, "float"):
            return float(raw)
    except ValueError:
        raise SettingsError(f"{env} must be a number, got {raw!r}") from None
    return raw.strip()


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a `.env` file of KEY=VALUE lines (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    **overrides: Any,
) -> Settings:
    """Build Settings from the environment (a `.env` file fills gaps); overrides win."""
    env = dict(read_env_file(env_file)) if env_file else {}
    env.update(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = f.metadata["env"]
        if name in env:
            values[f.name] = _parse(env[name], f.type, name)
    values.update(overrides)
    return Settings(**values)
