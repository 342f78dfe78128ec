"""Course materials per session (第二十一条(二) 教学服务): files and links by its instructors.

A file's type is decided by its content, never by its name or the client's Content-Type:
PDF, PNG, JPEG, GIF, WebP, PowerPoint (.pptx: a zip holding ppt/presentation.xml; .ppt: an
OLE file, accepted only under a .ppt name since OLE also holds Word and Excel files). Files
above PRACTICE_MATERIAL_MAX_BYTES are refused. A file is stored under a random name in
PRACTICE_MATERIALS_DIR (the uploaded name is kept only as a label), written in a thread, and
served only to people of the class with its sniffed type and as an attachment.
"""

from __future__ import annotations

import asyncio
import secrets
import zipfile
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.classes.models import ClassSession, Enrolment, EnrolmentStatus
from backend.classes.scope import authorize_class
from backend.errors import InvalidInput, NotFound
from backend.practice.models import Material, MaterialKind
from backend.practice.schemas import (
    MaterialListOut,
    MaterialOut,
    MyMaterialsOut,
    ScheduleMaterialsOut,
)
from backend.runtime import runtime

PUBLISHERS = {Role.INSTRUCTOR}
LEARNERS = frozenset({Role.TRAINEE})  # a trainee reads the materials of their own sessions
READERS = {
    Role.TRAINEE,
    Role.INSTRUCTOR,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTITUTION_ADMIN,
    Role.HR_ADMIN,
}
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PPT = "application/vnd.ms-powerpoint"
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes, filename: str = "") -> str | None:
    """The content type of an allowed material file, judged by its bytes; None if not allowed."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return PPTX if "ppt/presentation.xml" in names else None
    if data.startswith(_OLE) and filename.lower().endswith(".ppt"):
        return PPT
    return None


def storage_dir() -> Path:
    """PRACTICE_MATERIALS_DIR, created on first use."""
    folder = Path(runtime().settings.practice_materials_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _out(m: Material) -> MaterialOut:
    url = m.url if m.kind is MaterialKind.LINK else f"/api/v1/practice/materials/{m.id}/file"
    return MaterialOut(
        id=m.id,
        session_id=m.session_id,
        title=m.title,
        kind=m.kind,
        url=url,
        content_type=m.content_type,
        size=m.size,
        created_at=m.created_at,
    )


async def _session(actor: Actor, session_id: int, roles: set[Role]) -> ClassSession:
    require_role(actor, roles)
    session = await ClassSession.get_or_none(id=session_id)
    if session is None:
        raise NotFound("课次不存在", code="SESSION_NOT_FOUND")
    try:
        await authorize_class(actor, session.training_class_id, roles)
    except NotFound:
        raise NotFound("课次不存在或不在您的管理范围内", code="SESSION_NOT_FOUND") from None
    return session


async def publish_file(
    *, actor: Actor, session_id: int, title: str, filename: str, data: bytes
) -> MaterialOut:
    """An instructor of the class publishes a file for a session (type checked by content)."""
    session = await _session(actor, session_id, PUBLISHERS)
    if not data:
        raise InvalidInput("请在 file 字段上传文件", code="FILE_MISSING")
    cap = runtime().settings.practice_material_max_bytes
    if len(data) > cap:
        raise InvalidInput(
            f"文件过大，最大{cap // (1024 * 1024) or 1}MB", code="MATERIAL_TOO_LARGE"
        )
    filename = Path(unquote(filename).replace("\\", "/")).name  # a label, never a path
    content_type = sniff(data, filename)
    if content_type is None:
        raise InvalidInput(
            "只能上传PDF、PPT/PPTX课件或PNG、JPEG、GIF、WebP图片", code="MATERIAL_TYPE_REFUSED"
        )
    name = secrets.token_hex(16)
    await asyncio.to_thread((storage_dir() / name).write_bytes, data)
    material = await Material.create(
        session_id=session.id,
        title=(title.strip() or filename or "课件")[:100],
        kind=MaterialKind.FILE,
        content_type=content_type,
        size=len(data),
        storage_name=name,
        original_name=filename[:200],
        published_by_id=actor.user_id,
        created_at=clock.now(),
    )
    return _out(material)


async def publish_link(*, actor: Actor, session_id: int, title: str, url: str) -> MaterialOut:
    """An instructor of the class publishes a link for a session."""
    session = await _session(actor, session_id, PUBLISHERS)
    material = await Material.create(
        session_id=session.id,
        title=title.strip(),
        kind=MaterialKind.LINK,
        url=url.strip(),
        published_by_id=actor.user_id,
        created_at=clock.now(),
    )
    return _out(material)


async def session_materials(
    *, actor: Actor, session_id: int, limit: int, offset: int
) -> MaterialListOut:
    """Materials of a session, for the people of its class."""
    session = await _session(actor, session_id, READERS)
    query = Material.filter(session_id=session.id)
    rows = await query.order_by("created_at", "id").offset(offset).limit(limit)
    return MaterialListOut(
        items=[_out(m) for m in rows], total=await query.count(), limit=limit, offset=offset
    )


async def _material(actor: Actor, material_id: int, roles: set[Role]) -> Material:
    require_role(actor, roles)
    material = await Material.get_or_none(id=material_id)
    if material is None:
        raise NotFound("资料不存在", code="MATERIAL_NOT_FOUND")
    try:
        await _session(actor, material.session_id, roles)
    except NotFound:
        raise NotFound("资料不存在", code="MATERIAL_NOT_FOUND") from None
    return material


async def material_file(*, actor: Actor, material_id: int) -> tuple[Material, bytes]:
    """A stored file and its record, for the people of its class."""
    material = await _material(actor, material_id, READERS)
    if material.kind is not MaterialKind.FILE or not material.storage_name:
        raise NotFound("该资料是链接，没有文件", code="MATERIAL_NOT_FOUND")
    path = storage_dir() / material.storage_name
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise NotFound("资料文件已丢失，请联系讲师重新上传", code="MATERIAL_FILE_MISSING") from None
    return material, data


async def remove_material(*, actor: Actor, material_id: int) -> None:
    """An instructor of the class removes a material (and its file)."""
    material = await _material(actor, material_id, PUBLISHERS)
    await material.delete()
    if material.storage_name:
        await asyncio.to_thread((storage_dir() / material.storage_name).unlink, True)


async def my_materials(*, actor: Actor, limit: int, offset: int) -> MyMaterialsOut:
    """The trainee's schedule (sessions of the classes enrolled in) with each one's materials."""
    require_role(actor, LEARNERS)
    class_ids = await Enrolment.filter(
        trainee_id=actor.trainee_id, status=EnrolmentStatus.ENROLLED
    ).values_list("training_class_id", flat=True)
    query = ClassSession.filter(training_class_id__in=list(class_ids))
    sessions = await query.order_by("starts_at", "id").offset(offset).limit(limit)
    materials: dict[int, list[MaterialOut]] = {}
    for m in await Material.filter(session_id__in=[s.id for s in sessions]).order_by("id"):
        materials.setdefault(m.session_id, []).append(_out(m))
    return MyMaterialsOut(
        items=[
            ScheduleMaterialsOut(
                session_id=s.id,
                class_id=s.training_class_id,
                topic=s.topic,
                starts_at=s.starts_at,
                materials=materials.get(s.id, []),
            )
            for s in sessions
        ],
        total=await query.count(),
        limit=limit,
        offset=offset,
    )
