"""`jobready admin …`: helpers for operators, e.g. the first HR admin's invitation code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from backend.accounts.models import Role
from backend.progress import CliProgress
from miniprogram_api.ops_cli import add_gen_secrets_parser, settings_or_exit


def add_admin_parser(sub: Any) -> None:
    """Register `jobready admin` and its subcommands."""
    admin = sub.add_parser("admin", help="operator helpers")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    invite = admin_sub.add_parser("invite", help="print a one-time invitation code")
    invite.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r != Role.TRAINEE]
    )
    invite.add_argument("--institution", type=int, default=None, help="institution id")
    invite.add_argument("--district", default=None, help="district code (HR); omit for the city")
    invite.add_argument("--instructor", type=int, default=None, help="instructor id (registry)")
    invite.add_argument("--hours", type=int, default=72, help="validity in hours")
    invite.add_argument("--name", default="", help="the invitee's name (shown once redeemed)")
    invite.set_defaults(func=cmd_invite)
    roster = admin_sub.add_parser(
        "import-roster", help="import a roster workbook into a draft class"
    )
    roster.add_argument("--class-id", type=int, required=True)
    roster.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
    roster.add_argument(
        "file", help="the .xlsx file (the template of GET /api/v1/classes/roster-template.xlsx)"
    )
    roster.set_defaults(func=cmd_import_roster)
    add_gen_secrets_parser(admin_sub)


def cmd_invite(args: argparse.Namespace) -> None:
    """Print the code alone on stdout (for scripts), details on stderr."""
    settings = settings_or_exit()
    code, expires = asyncio.run(_invite(settings, args))
    print(code)
    scope = args.district or (f"institution {args.institution}" if args.institution else "city")
    print(
        f"invitation for role {args.role} ({scope}); single use; expires {expires.isoformat()}",
        file=sys.stderr,
    )


async def _invite(settings: Any, args: argparse.Namespace) -> tuple[str, Any]:
    from backend.accounts.service import create_invitation
    from backend.db import close_db, open_db
    from backend.errors import DomainError
    from backend.runtime import configure

    configure(settings)
    await open_db(settings.database_url)
    try:
        invitation, code = await create_invitation(
            role=Role(args.role),
            institution_id=args.institution,
            district_code=args.district,
            instructor_id=args.instructor,
            ttl=timedelta(hours=args.hours),
            note="jobready admin invite",
            invitee_name=args.name,
        )
    except DomainError as exc:
        print(f"jobready: {exc.message} ({exc.code})", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await close_db()
    return code, invitation.expires_at


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A progress bar on stderr, for long admin work (`backend.progress`: one for every CLI)."""
    display = CliProgress(label)

    def draw(done: int, total: int) -> None:
        total = max(total, done, 1)
        filled = int(30 * done / total)
        line = f"{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        display.update(done, total, line=line, last=done >= total)

    return draw


def cmd_import_roster(args: argparse.Namespace) -> None:
    """Check (and unless --dry-run, import) a roster workbook; every problem is listed."""
    settings = settings_or_exit()
    data = Path(args.file).read_bytes()
    code = asyncio.run(_import_roster(settings, args.class_id, data, args.dry_run))
    raise SystemExit(code)


async def _import_roster(settings: Any, class_id: int, data: bytes, dry_run: bool) -> int:
    from backend.accounts.access import Actor, Grant
    from backend.classes.models import TrainingClass
    from backend.classes.roster_import import RosterFileError, import_roster
    from backend.db import close_db, open_db
    from backend.errors import DomainError
    from backend.runtime import configure

    configure(settings)
    await open_db(settings.database_url)
    try:
        klass = await TrainingClass.get_or_none(id=class_id)
        if klass is None:
            print(f"jobready: class {class_id} does not exist", file=sys.stderr)
            return 1
        # The operator acts as the class's institution (the CLI is an admin tool on the server).
        actor = Actor(0, "命令行", (Grant(Role.INSTITUTION_ADMIN, klass.institution_id),))
        result = await import_roster(
            actor=actor,
            class_id=class_id,
            xlsx=data,
            dry_run=dry_run,
            progress=progress_bar("花名册"),
        )
    except RosterFileError as exc:
        print(f"jobready: {exc.reason}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"jobready: {exc.message}", file=sys.stderr)
        for problem in exc.details.get("problems", []):
            print(
                f"  第{problem['row']}行 {problem['column']}: {problem['reason']}", file=sys.stderr
            )
        return 1
    finally:
        await close_db()
    verb = "checked" if dry_run else "imported"
    print(f"{result.checked if dry_run else result.imported} rows {verb}", file=sys.stderr)
    return 0
