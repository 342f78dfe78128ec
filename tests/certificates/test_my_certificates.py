"""Certificates a trainee can find, and a verification page a phone can read (第二十二条)."""

from __future__ import annotations

from backend.classes.models import ClassKind, TrainingClass
from backend.events.models import DomainEvent
from backend.notifications.models import OutboxMessage
from tests.certificates.test_certificates import _finished_class
from tests.support.client import Client
from tests.support.factories import auth

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_a_trainee_finds_the_issued_certificate_with_its_authority_and_date(
    client: Client,
) -> None:
    w = await _finished_class(client)
    path = f"/api/v1/classes/{w['klass'].id}/certificates"
    issued = (await client.post(path, headers=auth(w["hr"]))).json
    [number] = issued["numbers"]
    mine = (await client.get("/api/v1/me/certificates", headers=auth(w["holder"]))).json
    [item] = mine["items"]
    assert (item["number"], item["status"], item["certificate_title"]) == (
        number,
        "valid",
        "求职能力实训结业证书",
    )
    assert item["authority"] == "福州市人力资源和社会保障局" and item["issued_on"]
    assert item["verify_url"].endswith(f"/api/v1/certificates/{number}/verify")
    # the holder was told, once (the event of the certificate, fanned out to the trainee)
    [message] = await OutboxMessage.filter(user_id=w["holder"].id)
    assert number in message.payload["data"]["thing2"]
    assert await DomainEvent.filter(kind="certificate_issued").count() == 1
    await client.post(path, headers=auth(w["hr"]))  # issuing again issues and tells nothing
    assert await OutboxMessage.filter(user_id=w["holder"].id).count() == 1
    # the trainee who did not complete has nothing to find
    assert w["weak"].user_id is None


async def test_the_qr_opens_a_chinese_page_in_a_browser_and_json_stays_for_machines(
    client: Client,
) -> None:
    w = await _finished_class(client)
    await client.post(f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"]))
    number = (await client.get("/api/v1/me/certificates", headers=auth(w["holder"]))).json["items"][
        0
    ]["number"]
    url = f"/api/v1/certificates/{number}/verify"
    page = await client.get(url, headers=HTML)
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    assert '<meta name="viewport"' in page.text and "证书有效" in page.text
    assert "王*" in page.text and "王五" not in page.text  # the name stays masked
    assert "发证机关" in page.text and "福州市人力资源和社会保障局" in page.text
    assert '"status":' not in page.text and not page.text.lstrip().startswith("{")  # no JSON
    machine = await client.get(url)
    assert machine.json["status"] == "valid" and machine.json["authority"]
    forced = await client.get(f"{url}?format=json", headers=HTML)
    assert forced.json["number"] == number
    unknown = await client.get("/api/v1/certificates/FZQZ-0000-NONE/verify", headers=HTML)
    assert "未查询到该证书编号" in unknown.text


async def test_an_instructor_class_certificate_reads_as_a_teacher_training_one(
    client: Client,
) -> None:
    w = await _finished_class(client)
    await TrainingClass.filter(id=w["klass"].id).update(kind=ClassKind.INSTRUCTOR_CLASS)
    await client.post(f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"]))
    [item] = (await client.get("/api/v1/me/certificates", headers=auth(w["holder"]))).json["items"]
    assert item["certificate_title"] == "求职能力实训师资班结业证书"
    page = await client.get(f"/api/v1/certificates/{item['number']}/verify", headers=HTML)
    assert "师资班" in page.text
    image = await client.get(
        f"/api/v1/certificates/{item['number']}/image.png", headers=auth(w["holder"])
    )
    assert image.status == 200 and image.body[:4] == b"\x89PNG"


async def test_a_revoked_certificate_tells_its_holder_and_the_page_says_so(
    client: Client,
) -> None:
    w = await _finished_class(client)
    await client.post(f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"]))
    [item] = (await client.get("/api/v1/me/certificates", headers=auth(w["holder"]))).json["items"]
    response = await client.post(
        f"/api/v1/certificates/{item['number']}/revoke",
        json={"reason": "考核成绩造假"},
        headers=auth(w["hr"]),
    )
    assert response.status == 200
    subjects = [
        m.payload["data"]["thing1"]
        for m in await OutboxMessage.filter(user_id=w["holder"].id).order_by("id")
    ]
    assert subjects == ["结业证书已颁发", "结业证书已撤销"]
    page = await client.get(f"/api/v1/certificates/{item['number']}/verify", headers=HTML)
    assert "该证书已被撤销" in page.text
