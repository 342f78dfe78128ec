"""City acts are city HR's (第十三条: 福州市人力资源和社会保障局核发《求职能力实训师资证书》).

Entering the working-day calendar, registering instructors and issuing instructor certificates
need a city-wide HR grant; district HR gets a clear refusal (CITY_HR_REQUIRED, 403).
"""

from __future__ import annotations

from backend.accounts.models import Role
from backend.programme.models import (
    CertificationApplication,
    CertificationCandidate,
    Screening,
)
from tests.api.test_calendar_api import BODY_2027
from tests.support.client import Client
from tests.support.factories import auth, make_staff


async def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status == 403, response.text
    assert response.json["error"]["code"] == "CITY_HR_REQUIRED"
    assert "市级人社部门" in response.json["error"]["message"]


async def test_only_city_hr_enters_the_working_day_calendar(client: Client) -> None:
    district = await make_staff(Role.HR_ADMIN, district_code="350102")
    await _refused(
        await client.put("/api/v1/calendar/2027", json=BODY_2027, headers=auth(district))
    )
    city = await make_staff(Role.HR_ADMIN)
    response = await client.put("/api/v1/calendar/2027", json=BODY_2027, headers=auth(city))
    assert response.status == 200, response.text


async def test_only_city_hr_registers_instructors(client: Client) -> None:
    # 第十三条: 由福州市人力资源和社会保障局核发《求职能力实训师资证书》
    body = {"name": "新讲师", "certificate_no": "FZQZSX-2026-00077"}
    district = await make_staff(Role.HR_ADMIN, district_code="350104")
    await _refused(await client.post("/api/v1/instructors", json=body, headers=auth(district)))
    city = await make_staff(Role.HR_ADMIN)
    response = await client.post("/api/v1/instructors", json=body, headers=auth(city))
    assert response.status == 201, response.text


async def test_only_city_hr_issues_instructor_certificates(client: Client) -> None:
    # 第十三条: 待通过选评后，由福州市人力资源和社会保障局核发《求职能力实训师资证书》
    candidate = await CertificationCandidate.create(name="候选人", screening=Screening.PASSED)
    application = await CertificationApplication.create(candidate=candidate, materials=["申请表"])
    path = f"/api/v1/certification/applications/{application.id}/decision"
    body = {"decision": "approve", "note": "评审通过"}
    district = await make_staff(Role.HR_ADMIN, district_code="350102")
    await _refused(await client.post(path, json=body, headers=auth(district)))
    city = await make_staff(Role.HR_ADMIN)
    response = await client.post(path, json=body, headers=auth(city))
    assert response.status == 200, response.text
