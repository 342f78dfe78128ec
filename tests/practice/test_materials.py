"""Course materials: type by content, size capped, random storage names, class scope."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backend.practice.materials import PPTX, sniff, storage_dir
from backend.practice.models import Material
from tests.practice.conftest import Cohort
from tests.support.client import Client
from tests.support.factories import auth, make_session, make_trainee, make_user

PDF = b"%PDF-1.4\n% course notes\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def test_the_type_is_decided_by_the_bytes_not_the_name() -> None:
    assert sniff(PDF, "notes.exe") == "application/pdf"
    assert sniff(PNG) == "image/png"
    assert sniff(pptx(), "slides.pdf") == PPTX
    assert sniff(b"MZ\x90\x00 not a pdf", "notes.pdf") is None
    assert sniff(b"<html><script>alert(1)</script>", "notes.png") is None
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert sniff(docx.getvalue(), "slides.pptx") is None


def stored_contents() -> list[bytes]:
    """Every file in the storage folder."""
    return [p.read_bytes() for p in Path(storage_dir()).iterdir() if p.is_file()]


async def _upload(client: Client, cohort: Cohort, session_id: int, name: str, data: bytes) -> Any:
    return await client.post(
        f"/api/v1/practice/sessions/{session_id}/materials",
        files={"file": (name, data, "application/octet-stream")},
        headers=cohort.instructor_headers,
    )


async def test_an_instructor_publishes_and_trainees_see_them_in_their_schedule(
    client: Client, cohort: Cohort
) -> None:
    session = await make_session(cohort.klass)
    uploaded = await _upload(client, cohort, session.id, "../../etc/第一课.pdf", PDF)
    assert uploaded.status == 201, uploaded.text
    material = uploaded.json
    assert material["content_type"] == "application/pdf" and material["size"] == len(PDF)
    stored = await Material.get(id=material["id"])
    assert stored.storage_name and len(stored.storage_name) == 32
    assert (storage_dir() / stored.storage_name).read_bytes() == PDF
    assert stored.original_name == "第一课.pdf"  # a label only, never a path
    link = await client.post(
        f"/api/v1/practice/sessions/{session.id}/links",
        json={"title": "面试礼仪", "url": "https://example.org/etiquette"},
        headers=cohort.instructor_headers,
    )
    assert link.status == 201
    schedule = await client.get("/api/v1/practice/my-materials", headers=cohort.trainee_headers)
    assert schedule.status == 200
    entry = schedule.json["items"][0]
    assert entry["session_id"] == session.id
    assert [m["title"] for m in entry["materials"]] == ["第一课.pdf", "面试礼仪"]
    download = await client.get(material["url"], headers=cohort.trainee_headers)
    assert download.status == 200 and download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")


async def test_a_disguised_or_oversized_file_is_refused(
    client: Client, cohort: Cohort, use_settings: Callable[..., Any]
) -> None:
    session = await make_session(cohort.klass)
    fake = await _upload(client, cohort, session.id, "notes.pdf", b"<script>alert(1)</script>")
    assert fake.status == 400 and fake.json["error"]["code"] == "MATERIAL_TYPE_REFUSED"
    use_settings(practice_material_max_bytes=1024)
    big = await _upload(client, cohort, session.id, "big.pdf", PDF + b"0" * 2000)
    assert big.status == 400 and big.json["error"]["code"] == "MATERIAL_TOO_LARGE"
    assert await Material.all().count() == 0


async def test_someone_outside_the_class_cannot_download(client: Client, cohort: Cohort) -> None:
    session = await make_session(cohort.klass)
    material = (await _upload(client, cohort, session.id, "slides.pptx", pptx())).json
    outsider = await make_user()
    await make_trainee(user=outsider)
    reply = await client.get(material["url"], headers=auth(outsider))
    assert reply.status == 404
    removed = await client.delete(
        f"/api/v1/practice/materials/{material['id']}", headers=cohort.instructor_headers
    )
    assert removed.status == 204
    assert pptx() not in stored_contents()
