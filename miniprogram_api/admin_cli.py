"""`jobready admin …`: helpers for operators, e.g. the first HR admin's invitation code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from typing import Any

from backend.accounts.models import Role


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
    invite.set_defaults(func=cmd_invite)


def cmd_invite(args: argparse.Namespace) -> None:
    """Print the code alone on stdout (for scripts), details on stderr."""
    from miniprogram_api.cli import _settings

    settings = _settings()
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
        )
    except DomainError as exc:
        print(f"jobready: {exc.message} ({exc.code})", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await close_db()
    return code, invitation.expires_at
