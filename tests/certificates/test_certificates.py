"""Assessment, completion and certificates (第二十二条: 向考核合格学员颁发证书)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from backend.accounts.models import Role
from backend.certificates.models import Certificate
from backend.certificates.render import (
    QR_ORIGIN,
    QR_SIZE,
    cjk_font_path,
    qr_image,
    verification_url,
)
from backend.classes.models import ClassStatus, StaffDuty
from backend.config import Settings
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    auth,
    enrol,
    make_class,
    make_institution,
    make_session,
    make_staff,
    make_trainee,
    make_user,
)


async def _finished_class(client: Client) -> dict[str, Any]:
    inst = await make_institution()
    klass = await make_class(inst, start=date(2026, 11, 2), status=ClassStatus.COMPLETED)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    first = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    sessions = [await make_session(klass, starts_at=first + timedelta(days=d)) for d in range(5)]
    holder_user = await make_user()
    good = await make_trainee("王五", user=holder_user)
    weak = await make_trainee("赵六")
    for trainee in (good, weak):
        await enrol(klass, trainee)
    for n, session in enumerate(sessions):
        for trainee, present in ((good, n != 4), (weak, n < 3)):  # 4/5 = 80% and 3/5 = 60%
            body = {"status": "present"} if present else {"status": "absent", "reason": "未到"}
            response = await client.put(
                f"/api/v1/sessions/{session.id}/attendance/{trainee.id}",
                json=body,
                headers=auth(teacher),
            )
            assert response.status == 200, response.json
    for trainee in (good, weak):
        response = await client.post(
            f"/api/v1/classes/{klass.id}/assessments",
            json={"trainee_id": trainee.id, "score": "75"},
            headers=auth(teacher),
        )
        assert response.status == 200, response.json
    return {
        "klass": klass,
        "teacher": teacher,
        "good": good,
        "weak": weak,
        "holder": holder_user,
        "hr": await make_staff(Role.HR_ADMIN),
    }


async def test_only_trainees_who_passed_and_attended_80_percent_complete(client: Client) -> None:
    # 第二十二条 考核合格 and 第八条(五) 考勤: completion = pass and ≥ 80% of sessions attended
    w = await _finished_class(client)
    response = await client.get(
        f"/api/v1/classes/{w['klass'].id}/completion", headers=auth(w["teacher"])
    )
    items = {i["name"]: i for i in response.json["items"]}
    assert items["王五"]["attendance_rate"] == 0.8 and items["王五"]["completed"] is True
    assert items["赵六"]["attendance_rate"] == 0.6 and items["赵六"]["completed"] is False


async def _trainee_at_75_percent(client: Client) -> dict[str, Any]:
    """A finished class of 4 sessions and a trainee who passed and attended 3 of them."""
    inst = await make_institution()
    klass = await make_class(inst, start=date(2026, 11, 2), status=ClassStatus.COMPLETED)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    trainee = await make_trainee("钱七")
    await enrol(klass, trainee)
    first = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    for n in range(4):
        session = await make_session(klass, starts_at=first + timedelta(days=n))
        body = {"status": "late"} if n else {"status": "absent", "reason": "未到"}
        response = await client.put(
            f"/api/v1/sessions/{session.id}/attendance/{trainee.id}",
            json=body,
            headers=auth(teacher),
        )
        assert response.status == 200, response.json
    response = await client.post(
        f"/api/v1/classes/{klass.id}/assessments",
        json={"trainee_id": trainee.id, "score": "75"},
        headers=auth(teacher),
    )
    assert response.status == 200, response.json
    return {"klass": klass, "teacher": teacher, "hr": await make_staff(Role.HR_ADMIN)}


async def test_a_trainee_at_75_percent_completes_under_a_070_threshold_but_not_the_default(
    client: Client, use_settings: Callable[..., Settings]
) -> None:
    """第二十二条: the attendance part of completion is COMPLETION_ATTENDANCE_THRESHOLD."""
    w = await _trainee_at_75_percent(client)
    sheet = f"/api/v1/classes/{w['klass'].id}/completion"
    default = (await client.get(sheet, headers=auth(w["teacher"]))).json
    assert default["threshold"] == "0.8"
    assert default["items"][0]["attendance_rate"] == 0.75
    assert default["items"][0]["completed"] is False
    use_settings(completion_attendance_threshold=0.70)
    lowered = (await client.get(sheet, headers=auth(w["teacher"]))).json
    assert lowered["threshold"] == "0.7"
    assert lowered["items"][0]["completed"] is True and lowered["completed"] == 1
    issued = await client.post(
        f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"])
    )
    assert issued.json["issued"] == 1 and len(issued.json["numbers"]) == 1


async def test_certificate_is_issued_once_and_verifies_publicly(client: Client) -> None:
    # 第二十二条: 人社部门…向考核合格学员颁发证书
    w = await _finished_class(client)
    response = await client.post(
        f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"])
    )
    assert response.status == 201 and response.json["issued"] == 1
    again = await client.post(
        f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"])
    )
    assert again.json == {"issued": 0, "numbers": []}
    from backend.certificates.models import Certificate

    number = (await Certificate.get()).number
    assert response.json["numbers"] == [number]
    verified = await client.get(f"/api/v1/certificates/{number}/verify")
    assert verified.status == 200
    assert verified.json["status"] == "valid" and verified.json["name"] == "王*"
    assert "王五" not in verified.text and "id_number" not in verified.text
    unknown = await client.get("/api/v1/certificates/FZQZ-2026-00000-000000/verify")
    assert unknown.json["status"] == "unknown"
    response = await client.post(
        f"/api/v1/certificates/{number}/revoke",
        json={"reason": "考核成绩造假"},
        headers=auth(w["hr"]),
    )
    assert response.status == 200
    assert (await client.get(f"/api/v1/certificates/{number}/verify")).json["status"] == "revoked"


async def test_certificate_image_is_a_png_with_chinese_text_and_a_qr_code(client: Client) -> None:
    # 第二十二条: the certificate itself, for its holder (not for strangers)
    w = await _finished_class(client)
    await client.post(f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"]))
    from backend.certificates.models import Certificate

    number = (await Certificate.get()).number
    response = await client.get(
        f"/api/v1/certificates/{number}/image.png", headers=auth(w["holder"])
    )
    assert response.status == 200
    assert response.body[:8] == b"\x89PNG\r\n\x1a\n"
    assert cjk_font_path() is not None, "install fonts-wqy-microhei (see .ci/apt-packages.txt)"
    stranger = await make_user()
    denied = await client.get(f"/api/v1/certificates/{number}/image.png", headers=auth(stranger))
    assert denied.status == 403


async def test_the_qr_code_on_the_certificate_is_its_public_verification_link(
    client: Client, settings: Settings
) -> None:
    # 第二十二条: 向考核合格学员颁发证书 — one anyone can check by scanning it
    w = await _finished_class(client)
    await client.post(f"/api/v1/classes/{w['klass'].id}/certificates", headers=auth(w["hr"]))
    number = (await Certificate.get()).number
    response = await client.get(
        f"/api/v1/certificates/{number}/image.png", headers=auth(w["holder"])
    )
    image = Image.open(BytesIO(response.body)).convert("RGB")
    x, y = QR_ORIGIN
    drawn = image.crop((x, y, x + QR_SIZE, y + QR_SIZE)).tobytes()
    url = verification_url(settings.public_base_url, number)
    # QR encoding is deterministic: the code drawn is the code of this URL and of no other
    assert drawn == qr_image(url).tobytes()
    assert drawn != qr_image(verification_url(settings.public_base_url, number + "0")).tobytes()
    assert url == f"http://127.0.0.1:8000/api/v1/certificates/{number}/verify"
    verified = await client.get(urlsplit(url).path)  # what the phone opens: no login
    assert verified.status == 200
    assert (verified.json["number"], verified.json["status"]) == (number, "valid")
    assert set(verified.json) <= {
        "number",
        "status",
        "message",
        "name",
        "certificate_title",
        "class_title",
        "start_date",
        "end_date",
        "issued_on",
        "authority",
        "class_kind",
    }


async def test_certificates_wait_until_the_class_is_finished(client: Client) -> None:
    # 第二十二条: 结果评价考核 comes after the training, so do certificates
    inst = await make_institution()
    klass = await make_class(inst, status=ClassStatus.IN_PROGRESS)
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.post(f"/api/v1/classes/{klass.id}/certificates", headers=auth(hr))
    assert response.status == 422
    assert response.json["error"]["code"] == "CLASS_NOT_FINISHED"
