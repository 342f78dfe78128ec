"""The `jobready` command line: serve, worker, migrate, demo, the stand-ins, admin helpers."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.logs import configure_logging
from miniprogram_api.ops_cli import settings_or_exit

log = logging.getLogger("jobready.cli")

DEFAULT_HOST = "127.0.0.1"
DEMO_DIR = Path("demo-data")


def _setup_logging(settings: Settings) -> None:
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)


def _run_api(
    settings: Settings,
    host: str,
    port: int,
    *,
    worker: bool,
    extra: Any = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve the API; its port opens only once it can answer (miniprogram_api/serving.py)."""
    from backend.runtime import configure
    from miniprogram_api.app import create_app
    from miniprogram_api.serving import run_api

    configure(settings)
    app = create_app(settings)
    if worker:
        _attach_scheduler(app, settings)
    if extra is not None:
        extra(app)
    run_api(
        app, host=host, port=port, shutdown_timeout=settings.shutdown_timeout, on_ready=on_ready
    )


# Share of SHUTDOWN_TIMEOUT the in-process worker may spend finishing claimed outbox work.
WORKER_STOP_SHARE = 0.4


def _attach_scheduler(app: Any, settings: Settings) -> None:
    """Dev mode: the worker's scheduler runs inside the API process."""
    from jobs.scheduler import build_scheduler

    @app.after_server_start
    async def start_scheduler(app: Any) -> None:
        app.ctx.scheduler = build_scheduler()
        app.ctx.scheduler.start()

    @app.before_server_stop
    async def stop_scheduler(app: Any) -> None:
        from jobs.worker_jobs import shutdown as finish_claimed_work

        scheduler = getattr(app.ctx, "scheduler", None)
        if scheduler is None:  # stopped during start-up
            return
        scheduler.pause()
        await finish_claimed_work(settings.shutdown_timeout * WORKER_STOP_SHARE)
        scheduler.shutdown(wait=False)


def cmd_serve(args: argparse.Namespace) -> None:
    """Run the HTTP API (in dev mode the worker's scheduler too)."""
    settings = settings_or_exit()
    _setup_logging(settings)
    worker = settings.dev and not args.no_worker
    _run_api(settings, args.host, args.port, worker=worker)


def cmd_worker(args: argparse.Namespace) -> None:
    """Run the scheduler process."""
    from backend.runtime import configure
    from jobs.scheduler import run_worker

    settings = settings_or_exit()
    _setup_logging(settings)
    configure(settings)
    asyncio.run(run_worker(settings))


def cmd_run_job(args: argparse.Namespace) -> None:
    """Run one worker job now (`--list` names them): for operators, demos and tests."""
    import jobs.tasks  # noqa: F401 - registers the jobs
    from jobs.runner import REGISTRY

    specs = {spec.name: spec for spec in REGISTRY}
    if args.list or not args.name:
        for spec in REGISTRY:
            doc = (spec.func.__doc__ or "").strip().splitlines()[0:1]
            print(f"{spec.name:28} {doc[0] if doc else ''}")
        raise SystemExit(0 if args.list else 2)
    if args.name not in specs:
        print(
            f"jobready: no job named {args.name!r} (see: jobready run-job --list)", file=sys.stderr
        )
        raise SystemExit(2)
    settings = settings_or_exit()
    _setup_logging(settings)
    ok, result = asyncio.run(_run_one_job(settings, specs[args.name].func))
    print(
        json.dumps({"job": args.name, "ok": ok, "result": result}, ensure_ascii=False, default=str)
    )
    raise SystemExit(0 if ok else 1)


async def _run_one_job(settings: Settings, func: Callable[..., Any]) -> tuple[bool, Any]:
    """The job's own coroutine (not the scheduler's isolating wrapper), so a failure shows."""
    from backend.db import close_db, open_db
    from backend.notifications.templates import check_template_settings
    from backend.runtime import configure, runtime
    from jobs.worker_jobs import shutdown as finish_claimed_work

    configure(settings)
    check_template_settings(settings)
    await open_db(settings.database_url)
    try:
        result = await getattr(func, "__wrapped__", func)()
        return True, result
    except Exception as exc:
        log.exception("job failed")
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        try:
            await finish_claimed_work(settings.shutdown_timeout * WORKER_STOP_SHARE)
            await runtime().close()
        except Exception:
            log.exception("could not release the job's claims and clients")
        finally:
            await close_db()  # an open SQLite connection's thread would keep the process alive


def cmd_migrate(args: argparse.Namespace) -> None:
    """Apply pending migrations to DATABASE_URL."""
    settings = settings_or_exit()
    _setup_logging(settings)
    asyncio.run(_migrate(settings.database_url))
    print(f"migrations applied: {_redact(settings.database_url)}", file=sys.stderr)


async def _migrate(database_url: str) -> None:
    from backend.db import close_db, migrate_db

    try:
        await migrate_db(database_url)
    finally:
        await close_db()


def _redact(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"


def cmd_demo(args: argparse.Namespace) -> None:
    """A fresh SQLite file, migrations, demo data, the stand-ins and the API: one command."""
    DEMO_DIR.mkdir(exist_ok=True)
    db_file = DEMO_DIR / "jobready-demo.sqlite3"
    for path in DEMO_DIR.glob("jobready-demo.sqlite3*"):
        path.unlink()
    wechat_port = args.port + 1
    settings = settings_or_exit(
        dev=True,
        database_url=f"sqlite://{db_file}",
        wechat_api_base=f"http://{args.host}:{wechat_port}",
        recruitment_api_base=f"http://{args.host}:{wechat_port + 1}",
        public_base_url=f"http://{args.host}:{args.port}",
        llm_api_base=f"http://{args.host}:{wechat_port + 2}/v1",  # the model stand-in
        practice_materials_dir=str(DEMO_DIR / "materials"),
    )
    _setup_logging(settings)
    print(
        f"JobReady demo is starting (SQLite: {db_file}); it says when it is ready…",
        file=sys.stderr,
        flush=True,
    )
    summary = asyncio.run(_prepare_demo(settings))
    _run_api(
        settings,
        args.host,
        args.port,
        worker=True,
        extra=lambda app: _attach_standins(app, args.host, wechat_port),
        on_ready=lambda: _print_demo_banner(settings, args.host, args.port, wechat_port, summary),
    )


async def _prepare_demo(settings: Settings) -> dict[str, Any]:
    from backend.db import close_db, migrate_db, open_db
    from backend.demo.seed import seed_demo
    from backend.runtime import configure

    configure(settings)
    await migrate_db(settings.database_url)
    await close_db()
    await open_db(settings.database_url)
    try:
        return await seed_demo()
    finally:
        await close_db()


DEMO_POSTINGS = 2000


def _attach_standins(app: Any, host: str, wechat_port: int) -> None:
    """Start the stand-ins on the API's event loop (and sync the job site once), stop them
    with the API."""
    from miniprogram_api.standins.llm import start_fake_llm
    from miniprogram_api.standins.recruitment import start_recruitment_sim
    from miniprogram_api.standins.wechat import start_fake_wechat

    @app.before_server_start
    async def start_fakes(app: Any) -> None:
        from backend.employment.sync import sync_postings
        from backend.runtime import runtime

        app.ctx.fake_wechat = await start_fake_wechat(host, wechat_port)
        app.ctx.recruitment = await start_recruitment_sim(
            host, wechat_port + 1, postings=DEMO_POSTINGS
        )
        # Job search and matches have postings from the first request on.
        report = await sync_postings(connector=runtime().recruitment, full=True)
        log.info(
            "demo: postings synced from the simulator", extra={"sync": asdict(report.summary())}
        )
        app.ctx.fake_llm = await start_fake_llm(host, wechat_port + 2, latency=0.5)

    @app.after_server_stop
    async def stop_fakes(app: Any) -> None:
        if getattr(app.ctx, "fake_wechat", None) is not None:
            await app.ctx.fake_wechat.stop()
        if getattr(app.ctx, "recruitment", None) is not None:
            await app.ctx.recruitment.stop()
        if getattr(app.ctx, "fake_llm", None) is not None:
            await app.ctx.fake_llm.stop()


CONSOLE_DEMO_LOGINS = [
    ("test-hr", "HR"),
    ("test-admin", "institution"),
    ("test-teacher", "teacher"),
    ("test-instructor1", "instructor"),
]


def _print_demo_banner(
    settings: Settings, host: str, port: int, wechat_port: int, summary: dict[str, Any]
) -> None:
    base = f"http://{host}:{port}"
    display = summary.get("display_url", "")
    env = (
        f"JOBREADY_DEV=1 DATABASE_URL={settings.database_url} "
        f"RECRUITMENT_API_BASE={settings.recruitment_api_base} "
        f"WECHAT_API_BASE={settings.wechat_api_base}"
    )
    lines = [
        "",
        f"JobReady demo is ready at {base} (SQLite: {settings.database_url.removeprefix('sqlite://')})",
        f"  API health      curl {base}/api/v1/health",
        f"  OpenAPI         curl {base}/api/v1/openapi.json",
        f"  API docs        {base}/docs",
        f"  WeChat stand-in http://{host}:{wechat_port}/_fake/requests  (what it received)",
        f"  Job site sim    http://{host}:{wechat_port + 1}/  ({DEMO_POSTINGS} postings, synced)",
        f"  Model stand-in  http://{host}:{wechat_port + 2}/_fake/requests  (mock-interview "
        "feedback; what it received)",
        f"  Log in as       curl -X POST {base}/api/v1/auth/wx-login "
        + """-d '{"code": "test-teacher"}'""",
        "                  (codes: test-hr, test-admin, test-lead, test-teacher, test-staff,",
        "                   test-instructor1..3; any other test-<x> is a new, unbound user;",
        "                   a code works once, as in WeChat: test-teacher~2 logs in again)",
        f"  Console         {base}/console/  (扫码登录: confirm the QR with the mini-program)",
        "                  one click per role (the stand-in plays the phone):",
        *(
            f"                    {label:<12}{base}/console/login?as={code}"
            for code, label in CONSOLE_DEMO_LOGINS
        ),
        f"  Data            {summary.get('description', '')}",
        f"  Check-in now    {summary.get('checkin_now', '')}",
    ]
    if display:
        lines.append(f"  Projector page  {display}")
    lines += [
        f"  Try binding     name {summary.get('sample_trainee_name')} with ID number "
        f"{summary.get('sample_trainee_id_number')} (fictitious, checksum-valid), after "
        f"""POST /api/v1/me/phone '{{"code": "phone-{summary.get("sample_trainee_phone")}"}}'""",
        "                  (binding checks the roster's phone against getPhoneNumber's)",
        "  Commands        in another terminal, from this folder, against this demo:",
        f"                  export {env}",
        "                  jobready sync-jobs        (one sync of the job site)",
        "                  jobready run-job --list   (the worker's jobs; run-job NAME runs one)",
        "  Stop            Ctrl-C (a second Ctrl-C exits at once)",
        "",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


def cmd_fake_wechat(args: argparse.Namespace) -> None:
    """Run the WeChat API stand-in until Ctrl-C."""
    from miniprogram_api.standins.wechat import run_fake_wechat

    configure_logging(level="INFO", fmt="text")
    run_fake_wechat(args.host, args.port, appid=args.appid, secret=args.secret)


def cmd_fake_llm(args: argparse.Namespace) -> None:
    """Run the language-model stand-in (OpenAI-compatible) until Ctrl-C."""
    from miniprogram_api.standins.llm import run_fake_llm

    configure_logging(level="INFO", fmt="text")
    run_fake_llm(args.host, args.port, args.latency)


def cmd_recruitment_sim(args: argparse.Namespace) -> None:
    """Run the recruitment-site simulator until Ctrl-C."""
    from miniprogram_api.standins.recruitment import run_recruitment_sim

    configure_logging(level="INFO", fmt="text")
    run_recruitment_sim(
        args.host,
        args.port,
        postings=args.postings,
        seed=args.seed,
        churn_seconds=args.churn_seconds,
    )


def cmd_sync_jobs(args: argparse.Namespace) -> None:
    """One sync of the recruitment site into the database, with a progress bar."""
    from backend.employment.cli import sync_jobs_cli

    settings = settings_or_exit()
    _setup_logging(settings)
    report = asyncio.run(sync_jobs_cli(settings, full=args.full))
    raise SystemExit(0 if report.status.value != "failed" else 1)


def cmd_makemigrations(args: argparse.Namespace) -> None:
    """Write a migration for model changes (developers only)."""
    from tortoise.cli.cli import main as tortoise_main

    os.environ.setdefault("JOBREADY_DEV", "1")
    sys.argv = ["tortoise", "-c", "backend.db.TORTOISE_ORM", "makemigrations"]
    if args.name:
        sys.argv += ["--name", args.name]
    tortoise_main()


def _server_parser(sub: Any, name: str, func: Callable[..., None], port: int, help_: str) -> Any:
    parser = sub.add_parser(name, help=help_)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=port, help="port to listen on")
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="jobready", description="JobReady backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = _server_parser(sub, "serve", cmd_serve, 8000, "run the HTTP API")
    serve.add_argument("--no-worker", action="store_true", help="dev mode: no in-process worker")
    sub.add_parser("worker", help="run the scheduler process").set_defaults(func=cmd_worker)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    run_job = sub.add_parser("run-job", help="run one worker job now (--list names them)")
    run_job.add_argument("name", nargs="?", default="", help="the job's name")
    run_job.add_argument("--list", action="store_true", help="list the jobs and exit")
    run_job.set_defaults(func=cmd_run_job)
    mk = sub.add_parser("makemigrations", help="write a migration (developers)")
    mk.add_argument("--name", default="")
    mk.set_defaults(func=cmd_makemigrations)
    _server_parser(sub, "demo", cmd_demo, 8000, "demo on SQLite with stand-ins and sample data")
    fake = _server_parser(sub, "fake-wechat", cmd_fake_wechat, 8601, "run the WeChat API stand-in")
    fake.add_argument("--appid", default="wx-demo-appid", help="AppID the stand-in accepts")
    fake.add_argument("--secret", default="demo-secret", help="AppSecret the stand-in accepts")
    llm = _server_parser(sub, "fake-llm", cmd_fake_llm, 8603, "run the language-model stand-in")
    llm.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    sim = _server_parser(
        sub, "recruitment-sim", cmd_recruitment_sim, 8602, "run the recruitment-site simulator"
    )
    sim.add_argument("--postings", type=int, default=5000, help="size of the simulated market")
    sim.add_argument("--seed", type=int, default=7, help="same seed, same market")
    sim.add_argument(
        "--churn-seconds",
        type=float,
        default=60.0,
        help="new, edited and removed postings every this many seconds (0: a still market)",
    )
    sync = sub.add_parser("sync-jobs", help="sync postings from the recruitment site")
    sync.add_argument("--full", action="store_true", help="ignore the stored cursor")
    sync.set_defaults(func=cmd_sync_jobs)
    _add_admin_commands(sub)
    return parser


def _add_admin_commands(sub: Any) -> None:
    from miniprogram_api.admin_cli import add_admin_parser
    from miniprogram_api.ops_cli import add_check_config_parser

    add_admin_parser(sub)
    add_check_config_parser(sub)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `jobready` console script."""
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
