"""Instructor registry profiles (第十、十二、十三、十四条), the annual evaluation where instructors
are chosen (第十五条), HR assignment requests and refusals (第十六条(四)), training (第二十六条)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from backend import clock
from backend.accounts.models import Role
from backend.supervision.models import InstructorEvaluation
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_instructor, make_staff

PROFILE = {
    "name": "张讲师",
    "certificate_no": "FZQZSX-2026-00031",
    "phone": "13905910031",
    "organisation": "福州市公共就业服务中心",
    "qualifications": ["求职能力实训师资班结业（2025年）", "中级职业指导师"],
    "specialities": ["简历制作", "模拟面试"],
    "certificate_date": "2026-03-15",
    "bio": "从事职业指导工作8年。",
}


@pytest.fixture(autouse=True)
def june_2026() -> Iterator[None]:
    clock.set_clock(lambda: datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    yield
    clock.set_clock(None)


async def test_city_hr_registers_an_instructor_with_a_profile(client: Client) -> None:
    # 第十三条: 由福州市人力资源和社会保障局核发《求职能力实训师资证书》
    hr = await make_staff(Role.HR_ADMIN)
    created = await client.post("/api/v1/instructors", json=PROFILE, headers=auth(hr))
    assert created.status == 201, created.text
    assert created.json["specialities"] == ["简历制作", "模拟面试"]
    assert created.json["certificate_date"] == "2026-03-15"
    path = f"/api/v1/instructors/{created.json['id']}"
    profile = (await client.get(path, headers=auth(hr))).json
    assert profile["organisation"] == "福州市公共就业服务中心"
    assert profile["qualifications"][1] == "中级职业指导师"
    assert profile["phone_masked"] == "139****0031" and "13905910031" not in str(profile)
    changed = await client.patch(path, json={"specialities": ["职业规划"]}, headers=auth(hr))
    assert changed.status == 200 and changed.json["specialities"] == ["职业规划"]
    district = await make_staff(Role.HR_ADMIN, district_code="350102")
    refused = await client.patch(path, json={"bio": "改"}, headers=auth(district))
    assert refused.status == 403 and refused.json["error"]["code"] == "CITY_HR_REQUIRED"


async def test_institutions_see_the_annual_evaluation_when_choosing_instructors(
    client: Client,
) -> None:
    # 第十五条: 评价结果作为后续师资选聘、调配的依据
    instructor, _ = await make_instructor()
    await InstructorEvaluation.create(
        instructor=instructor, year=2025, findings="授课认真", snapshot={"score": "86.5"}
    )
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=await make_institution())
    listed = await client.get("/api/v1/instructors", headers=auth(admin))
    row = next(i for i in listed.json["items"] if i["id"] == instructor.id)
    assert row["last_evaluation"] == {"year": 2025, "score": "86.5", "findings": "授课认真"}
    profile = await client.get(f"/api/v1/instructors/{instructor.id}", headers=auth(admin))
    assert profile.json["evaluations"][0]["score"] == "86.5"


async def test_three_refused_assignments_last_year_are_flagged(client: Client) -> None:
    # 第十六条（四）: 上一年度累计三次拒不接受人社部门调配管理
    instructor, instructor_user = await make_instructor()
    assert instructor_user is not None
    hr = await make_staff(Role.HR_ADMIN, district_code="350104")
    clock.set_clock(lambda: datetime(2025, 5, 1, 2, 0, tzinfo=UTC))
    for n in range(3):
        made = await client.post(
            f"/api/v1/instructors/{instructor.id}/assignments",
            json={"request": f"请承担第{n + 1}期授课任务"},
            headers=auth(hr),
        )
        assert made.status == 201, made.text
        path = f"/api/v1/instructor-assignments/{made.json['id']}/answer"
        no_reason = await client.post(path, json={"accepted": False}, headers=auth(instructor_user))
        assert no_reason.status == 400
        answer = await client.post(
            path, json={"accepted": False, "reason": "时间冲突"}, headers=auth(instructor_user)
        )
        assert answer.status == 200 and answer.json["answer"] == "refused", answer.text
    clock.set_clock(lambda: datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    profile = (await client.get(f"/api/v1/instructors/{instructor.id}", headers=auth(hr))).json
    assert profile["refusals_last_year"] == 3 and profile["refusal_ground"] is True
    assert [a["refusal_reason"] for a in profile["assignments"]] == ["时间冲突"] * 3


async def test_annual_instructor_training_is_recorded(client: Client) -> None:
    # 第二十六条: 人社部门要积极做好师资培养
    instructor, _ = await make_instructor()
    hr = await make_staff(Role.HR_ADMIN)
    body = {
        "year": 2026,
        "title": "2026年师资能力提升培训",
        "trained_on": "2026-05-20",
        "hours": "16",
    }
    response = await client.post(
        f"/api/v1/instructors/{instructor.id}/trainings", json=body, headers=auth(hr)
    )
    assert response.status == 201, response.text
    profile = (await client.get(f"/api/v1/instructors/{instructor.id}", headers=auth(hr))).json
    assert profile["trained_this_year"] is True
    assert profile["trainings"][0]["hours"] == "16.0"
    wrong = await client.post(
        f"/api/v1/instructors/{instructor.id}/trainings",
        json={**body, "trained_on": "2025-12-01"},
        headers=auth(hr),
    )
    assert wrong.status == 400
