"""Reference data with labels, and values accepted as code or exact label wherever people type
them (the job profile, job search filters, the roster); a refused value lists the allowed ones."""

from __future__ import annotations

from datetime import date

from backend.accounts.models import Role, TraineeCategory
from backend.accounts.service import TraineeInput, register_trainee
from backend.security.idcard import make_id_number
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_staff, make_user


async def _trainee_user(education: str = "本科", major: str = "市场营销"):  # type: ignore[no-untyped-def]
    user = await make_user()
    trainee = await register_trainee(
        data=TraineeInput(
            name="林小青",
            id_number=make_id_number("350102", date(2002, 3, 4), 17),
            category=TraineeCategory.UNEMPLOYED_GRADUATE,
            education=education,
            major=major,
        )
    )
    trainee.user_id = user.id
    await trainee.save()
    return user


async def test_every_list_gives_codes_with_chinese_labels(client: Client) -> None:
    headers = auth(await make_user())
    districts = (await client.get("/api/v1/reference/districts", headers=headers)).json
    assert {"code": "350102", "label": "鼓楼区", "level": ""} in districts["items"]
    assert districts["total"] == 13
    levels = (await client.get("/api/v1/reference/education-levels", headers=headers)).json
    assert {"code": "bachelor", "label": "本科", "level": ""} in levels["items"]
    categories = (await client.get("/api/v1/reference/trainee-categories", headers=headers)).json
    # 第三条: 离校未就业高校毕业生、就业困难人员为重点…
    assert {"code": "unemployed_graduate", "label": "离校未就业高校毕业生", "level": ""} in (
        categories["items"]
    )


async def test_occupations_are_searchable_by_name_or_code_prefix(client: Client) -> None:
    headers = auth(await make_user())
    found = (await client.get("/api/v1/reference/occupations?q=护理", headers=headers)).json
    assert {"code": "4-10-01-05", "label": "养老护理员", "level": "occupation"} in found["items"]
    by_code = (await client.get("/api/v1/reference/occupations?q=4-01", headers=headers)).json
    assert by_code["items"][0] == {"code": "4-01", "label": "批发与零售服务人员", "level": "medium"}
    assert all(i["code"].startswith("4-01") for i in by_code["items"])


async def test_the_job_profile_takes_labels_and_stores_codes(client: Client) -> None:
    headers = auth(await _trainee_user())
    body = {"desired_occupations": ["养老护理员", "4-01-02-01"], "districts": ["台江区"]}
    response = await client.put(
        "/api/v1/me/job-profile", json={**body, "education": "大专"}, headers=headers
    )
    assert response.status == 200, response.text
    assert [o["code"] for o in response.json["desired_occupations"]] == ["4-10-01-05", "4-01-02-01"]
    assert response.json["districts"] == ["350103"]
    assert response.json["education"] == "junior_college"


async def test_a_refused_value_lists_the_allowed_ones(client: Client) -> None:
    headers = auth(await _trainee_user())
    response = await client.put(
        "/api/v1/me/job-profile", json={"education": "中学"}, headers=headers
    )
    assert response.status == 400, response.text
    error = response.json["error"]
    assert error["code"] == "EDUCATION_UNKNOWN"
    assert {"code": "bachelor", "label": "本科"} in error["details"]["allowed"]
    assert "本科" in error["message"]


async def test_job_search_filters_take_labels(client: Client) -> None:
    headers = auth(await _trainee_user())
    response = await client.get(
        "/api/v1/jobs?district=鼓楼区&education=本科&occupation=销售人员", headers=headers
    )
    assert response.status == 200, response.text
    refused = await client.get("/api/v1/jobs?district=火星区", headers=headers)
    assert refused.status == 400 and refused.json["error"]["code"] == "DISTRICT_UNKNOWN"


async def test_the_job_profile_is_prefilled_from_the_roster_when_first_opened(
    client: Client,
) -> None:
    headers = auth(await _trainee_user(education="中专", major="护理"))
    response = await client.get("/api/v1/me/job-profile", headers=headers)
    assert response.status == 200, response.text
    assert response.json["exists"] is False
    assert (response.json["education"], response.json["major"]) == ("high_school", "护理")


async def test_the_roster_takes_education_codes_as_well_as_words(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    created = await client.post(
        "/api/v1/classes",
        json={
            "institution_id": inst.id,
            "title": "学员班",
            "district_code": "350102",
            "start_date": "2027-03-01",
            "end_date": "2027-03-07",
        },
        headers=auth(admin),
    )
    row = {
        "name": "郑一",
        "id_number": make_id_number("350102", date(2001, 6, 1), 3),
        "phone": "13905910123",
        "category": "离校未就业高校毕业生",
        "education": "bachelor",
    }
    response = await client.post(
        f"/api/v1/classes/{created.json['id']}/roster", json={"rows": [row]}, headers=auth(admin)
    )
    assert response.status == 201, response.text
    bad = {**row, "id_number": make_id_number("350102", date(2001, 6, 2), 4), "education": "小学生"}
    response = await client.post(
        f"/api/v1/classes/{created.json['id']}/roster", json={"rows": [bad]}, headers=auth(admin)
    )
    assert response.status in (400, 422), response.text
    assert "本科" in response.text  # the allowed words are listed
