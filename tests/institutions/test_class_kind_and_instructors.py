"""师资班 (第十条) at class creation, and the 第十九条 instructor count at both ends."""

from __future__ import annotations

from typing import Any

from backend import clock
from backend.accounts.models import Role
from backend.certificates.models import Certificate
from backend.certificates.render import certificate_wording
from backend.classes.models import ClassKind, ClassStatus, Enrolment
from tests.api.test_class_plans import Plan
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
)


def class_body(institution_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "institution_id": institution_id,
        "title": "求职能力实训师资班",
        "district_code": "350102",
        "start_date": "2027-03-01",
        "end_date": "2027-03-07",
        "contract_amount": "50000.00",
        **extra,
    }


async def test_an_instructor_class_is_created_as_such_and_pays_50_50(client: Client) -> None:
    # 第十条: 师资班可以由市级人社部门主办，也可择优选择第三方机构组织实施;
    # 第二十四条: 合同签订…支付合同金额的50%作为预付款，培训任务全部完成后支付剩下的50%
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    response = await client.post(
        "/api/v1/classes", json=class_body(inst.id, kind="instructor_class"), headers=auth(admin)
    )
    assert response.status == 201, response.text
    assert response.json["kind"] == "instructor_class"
    subsidy = await client.get(
        f"/api/v1/classes/{response.json['id']}/subsidy", headers=auth(admin)
    )
    assert subsidy.status == 200, subsidy.text
    assert [t["share"] for t in subsidy.json["tranches"]] == ["0.50", "0.50"]
    plain = await client.post("/api/v1/classes", json=class_body(inst.id), headers=auth(admin))
    assert plain.json["kind"] == "trainee_class"


async def test_an_unknown_class_kind_is_a_400_listing_the_kinds(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    response = await client.post(
        "/api/v1/classes", json=class_body(inst.id, kind="teacher_class"), headers=auth(admin)
    )
    assert response.status == 400, response.text
    problem = response.json["error"]["details"]["fields"][0]
    assert problem["field"] == "kind"
    assert "trainee_class" in problem["problem"] and "instructor_class" in problem["problem"]


def test_an_instructor_class_certificate_says_it_is_one() -> None:
    # 第十一条: 师资培训 — its certificate is not the trainee class's (nor the 第十三条 师资证书)
    assert certificate_wording("instructor_class")[0] == "求职能力实训师资班结业证书"
    assert certificate_wording("trainee_class")[0] == "求职能力实训结业证书"


async def test_verifying_an_instructor_class_certificate_names_it(client: Client) -> None:
    inst = await make_institution()
    klass = await make_class(inst, status=ClassStatus.COMPLETED, kind=ClassKind.INSTRUCTOR_CLASS)
    trainee = await make_trainee()
    await enrol(klass, trainee)
    enrolment = await Enrolment.get(training_class_id=klass.id)
    await Certificate.create(number="FZQZ-2026-T1", enrolment=enrolment, issued_at=clock.now())
    response = await client.get("/api/v1/certificates/FZQZ-2026-T1/verify")
    assert response.json["certificate_title"] == "求职能力实训师资班结业证书"


async def test_five_instructors_are_refused_with_the_article_19_message(client: Client) -> None:
    # 第十九条: 每期学员班配备2-4名授课讲师
    plan = await Plan(client).setup()
    class_id = await plan.draft()
    five = [plan.instructors[0].id, plan.instructors[1].id, plan.instructors[2].id]
    five += [(await make_instructor())[0].id for _ in range(2)]
    path = f"/classes/{class_id}/instructors"
    response = await plan.call("PUT", path, json={"instructor_ids": five})
    assert response.status == 422, response.text
    assert response.json["error"]["code"] == "INSTRUCTOR_COUNT"
    assert (
        "第十九条" in response.json["error"]["message"]
        and "5名" in response.json["error"]["message"]
    )
    response = await plan.call("PUT", path, json={"instructor_ids": []})
    assert response.status == 422 and response.json["error"]["code"] == "INSTRUCTOR_COUNT"
    # one alone may be saved in a draft; submission refuses it with the same code
    response = await plan.call("PUT", path, json={"instructor_ids": five[:1]})
    assert response.status == 200, response.text
