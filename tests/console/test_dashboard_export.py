"""The dashboard's data downloads as xlsx (every chart's data as a workbook), with the
same figures as the JSON the charts are drawn from."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.classes.models import ClassStatus
from tests.support.client import Client
from tests.support.factories import auth, make_class, make_institution, make_staff

QUERY = "by=institution&start=2026-01-01&end=2026-12-31"


async def test_the_dashboard_workbook_has_a_row_per_group_with_the_charted_figures(
    client: Client,
) -> None:
    inst = await make_institution("350102", name="=恶意名称培训学校")
    await make_class(inst, status=ClassStatus.APPROVED)
    hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    figures = (await client.get(f"/api/v1/dashboard?{QUERY}", headers=auth(hr))).json
    download = await client.get(f"/api/v1/dashboard.xlsx?{QUERY}", headers=auth(hr))
    assert download.status == 200
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(download.body)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["'=恶意名称培训学校", "合计"]  # a name is never a formula
    total = figures["total"]
    assert rows[-1][1:3] == (total["attendance"]["expected"], total["attendance"]["attended"])
    assert rows[-1][7:11] == (
        total["employment"]["claimed"]["employed"],
        total["employment"]["claimed"]["rate"],
        total["employment"]["verified"]["employed"],
        total["employment"]["verified"]["rate"],
    )  # 第二十三条: claimed and verified side by side
    assert rows[-1][11] == float(total["subsidy"]["total"])
