"""Inspections (明察暗访, 第二十八条): checklist scored 0–100, findings, averages."""

from __future__ import annotations

from typing import Any

from backend.registers.models import Inspection
from tests.supervision.support import World

FIVE = {
    "training_organisation": 90,
    "trainee_management": 80,
    "teaching_delivery": 85,
    "instructor_teaching": 95,
    "trainee_satisfaction": 70,
}


def checklist(scores: dict[str, int]) -> list[dict[str, Any]]:
    return [{"item": item, "score": score} for item, score in scores.items()]


async def inspect(world: World, user: Any = None, **body: Any) -> Any:
    payload = {"mode": "unannounced", "inspector": "市人社局 王科长", **body}
    return await world.call("POST", "/inspections", user or world.hr, json=payload)


async def test_hr_records_an_unannounced_visit_to_a_class_with_the_five_aspects(
    world: World, at: Any
) -> None:
    # 第二十八条: 检查培训机构的培训组织、学员管理、教学实施、师资授课、学员满意度等情况
    at("2026-11-25 15:00")
    response = await inspect(
        world,
        class_id=world.klass.id,
        scores=checklist(FIVE),
        findings="签到台账完整；第三课次讲师迟到10分钟",
    )
    assert response.status == 201, response.json
    body = response.json
    assert body["institution_id"] == world.inst.id and body["class_id"] == world.klass.id
    assert body["mode_label"] == "暗访" and body["inspected_on"] == "2026-11-25"
    assert body["overall_score"] == 84.0  # (90+80+85+95+70) / 5
    assert [s["label"] for s in body["scores"]] == [
        "培训组织",
        "学员管理",
        "教学实施",
        "师资授课",
        "学员满意度",
    ]


async def test_the_institution_list_averages_each_item_over_the_visits_that_scored_it(
    world: World, at: Any
) -> None:
    # 第二十八条: 进行培训机构评价 from the visits
    at("2026-11-25 15:00")
    await inspect(world, class_id=world.klass.id, scores=checklist(FIVE), inspected_on="2026-11-20")
    partial = {"training_organisation": 61, "materials_equipment": 50}
    await inspect(world, institution_id=world.inst.id, mode="open", scores=checklist(partial))
    response = await world.call("GET", f"/institutions/{world.inst.id}/inspections", world.admin)
    assert response.status == 200, response.json
    page = response.json
    assert page["total"] == 2
    assert [i["inspected_on"] for i in page["items"]] == ["2026-11-25", "2026-11-20"]
    averages = {a["item"]: (a["inspections"], a["average"]) for a in page["averages"]["items"]}
    assert averages["training_organisation"] == (2, 75.5)  # (90 + 61) / 2
    assert averages["trainee_satisfaction"] == (1, 70.0)
    assert averages["materials_equipment"] == (1, 50.0)
    assert page["averages"]["overall"] == 69.75  # (84 + 55.5) / 2: each visit weighs the same


async def test_a_checklist_is_scored_from_0_to_100_once_per_item(world: World, at: Any) -> None:
    # 第二十八条: the checklist of the aspects inspected
    at("2026-11-25 15:00")
    target = {"institution_id": world.inst.id}
    bad_lists = [
        [{"item": "teaching_delivery", "score": 101}],
        [{"item": "teaching_delivery", "score": -1}],
        [{"item": "teaching_delivery", "score": 80}, {"item": "teaching_delivery", "score": 90}],
        [{"item": "canteen", "score": 80}],
        [],
    ]
    for scores in bad_lists:
        response = await inspect(world, scores=scores, **target)
        assert response.status == 400, scores
    one = checklist({"teaching_delivery": 0})
    assert (await inspect(world, scores=one, inspected_on="2026-11-26", **target)).status == 400
    assert (await inspect(world, scores=one)).status == 400  # neither institution nor class
    assert await Inspection.all().count() == 0
    assert (await inspect(world, scores=one, **target)).status == 201


async def test_a_class_must_belong_to_the_institution_named(world: World, at: Any) -> None:
    at("2026-11-25 15:00")
    other = await World(world.client).build()
    response = await inspect(
        world,
        institution_id=other.inst.id,
        class_id=world.klass.id,
        scores=checklist({"teaching_delivery": 80}),
    )
    assert response.status == 400
    assert response.json["error"]["code"] == "CLASS_NOT_OF_INSTITUTION"


async def test_inspections_stay_within_hr_scope_and_the_institution_reads_its_own(
    world: World, at: Any
) -> None:
    # 第二十八条 各级人社部门: each within its own district
    at("2026-11-25 15:00")
    scores = checklist({"trainee_management": 75})
    assert (
        await inspect(world, world.other_hr, class_id=world.klass.id, scores=scores)
    ).status == 404
    assert (
        await inspect(world, world.other_hr, institution_id=world.inst.id, scores=scores)
    ).status == 404
    assert (
        await inspect(world, world.admin, institution_id=world.inst.id, scores=scores)
    ).status == 403
    path = f"/institutions/{world.inst.id}/inspections"
    assert (await world.call("GET", path, world.hr)).status == 200
    assert (await world.call("GET", path, world.other_hr)).status == 404
    assert (await world.call("GET", path, world.teacher)).status == 403
    other = await World(world.client).build()
    assert (await world.call("GET", path, other.admin)).status == 404
