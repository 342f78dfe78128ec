"""The command line: migrate, and `admin invite` printing a code a script can use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Settings
from backend.security.invitation_codes import is_well_formed_code
from tests.support.client import Client
from tests.support.factories import auth, make_user

# Each test runs the command line in a subprocess (and migrates a database).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _jobready(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "miniprogram_api.cli", *args],
        cwd=ROOT / "tests",
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_then_invite_prints_only_the_code_on_stdout(tmp_path: Path) -> None:
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    migrated = _jobready("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    invited = _jobready("admin", "invite", "--role", "hr_admin", env=env)
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.strip()
    assert is_well_formed_code(code)
    assert invited.stdout == code + "\n"
    assert "hr_admin" in invited.stderr and "expires" in invited.stderr


def test_invite_for_an_unknown_institution_fails_clearly(tmp_path: Path) -> None:
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    assert _jobready("migrate", env=env).returncode == 0
    invited = _jobready("admin", "invite", "--role", "staff", "--institution", "99", env=env)
    assert invited.returncode == 1
    assert invited.stdout == ""
    assert "培训机构不存在" in invited.stderr


async def test_code_from_the_cli_lets_the_first_hr_admin_in(
    client: Client, settings: Settings
) -> None:
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": settings.database_url}
    invited = _jobready("admin", "invite", "--role", "hr_admin", env=env)
    assert invited.returncode == 0, invited.stderr
    user = await make_user()
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": invited.stdout.strip()}, headers=auth(user)
    )
    assert response.status == 200, response.json
    assert response.json["roles"] == ["hr_admin"]
    assert response.json["scopes"] == [
        {"role": "hr_admin", "institution_id": None, "district_code": None}
    ]


async def test_roster_import_from_the_cli_shows_progress_and_lists_every_problem(
    settings: Settings, tmp_path: Path
) -> None:
    from datetime import date
    from io import BytesIO

    from openpyxl import load_workbook

    from backend.classes.models import ClassStatus, Enrolment
    from backend.classes.roster_import import build_template
    from backend.security.idcard import make_id_number
    from tests.support.factories import make_class, make_institution

    # room for all 250 (a roster may not take a class beyond its capacity)
    klass = await make_class(await make_institution(), status=ClassStatus.DRAFT, capacity=300)
    book = load_workbook(BytesIO(build_template()))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for n in range(250):
        row = {
            "姓名*": f"学员{chr(0x4E00 + n)}",
            "人员类别*": "退役军人",
            "手机号码*": f"1390000{n:04d}",
            "身份证号码*": make_id_number("350102", date(2000, 1, 1 + n % 28), n),
        }
        sheet.append([row.get(h) for h in headers])
    good = tmp_path / "good.xlsx"
    book.save(good)
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": settings.database_url}
    checked = _jobready(
        "admin", "import-roster", "--class-id", str(klass.id), "--dry-run", str(good), env=env
    )
    assert checked.returncode == 0, checked.stderr
    assert "251/251" in checked.stderr  # the sheet rows, the example row included
    assert "250 rows checked" in checked.stderr
    assert await Enrolment.filter(training_class_id=klass.id).count() == 0
    done = _jobready("admin", "import-roster", "--class-id", str(klass.id), str(good), env=env)
    assert done.returncode == 0, done.stderr
    assert await Enrolment.filter(training_class_id=klass.id).count() == 250
    sheet.append(["", "无名", "123", "1", "外星人"])
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    refused = _jobready("admin", "import-roster", "--class-id", str(klass.id), str(bad), env=env)
    assert refused.returncode == 1
    assert "第253行" in refused.stderr


def test_run_job_lists_the_worker_jobs_and_runs_one_now(tmp_path: Path) -> None:
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    listed = _jobready("run-job", "--list", env=env)
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert {"dispatch_outbox", "advance_classes", "sync_job_postings"} <= set(names)
    assert _jobready("migrate", env=env).returncode == 0
    ran = _jobready("run-job", "advance_classes", env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == {
        "job": "advance_classes",
        "ok": True,
        "result": 0,
    }
    unknown = _jobready("run-job", "no_such_job", env=env)
    assert unknown.returncode == 2 and "run-job --list" in unknown.stderr


def test_run_job_reports_a_failing_job_with_exit_status_1(tmp_path: Path) -> None:
    env = {"JOBREADY_DEV": "1", "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    ran = _jobready("run-job", "advance_classes", env=env)  # no migrations: no tables
    assert ran.returncode == 1
    assert json.loads(ran.stdout.strip().splitlines()[-1])["ok"] is False
