"""Evidence of an employment outcome (第二十三条): the files HR checks a claim against.

A labour contract or offer letter, a screenshot of the social-insurance enrolment record, a
business licence for self-employment. Files are judged by their content (JPEG, PNG or PDF magic
bytes, never the name or the client's content type), limited in size (EVIDENCE_MAX_BYTES),
stored under random names in EVIDENCE_DIR (a directory nothing serves) and read back only
through the API, by those in the trainee's scope.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.classes.scope import authorize_trainee
from backend.employment.models import (
    EmploymentEvidence,
    EmploymentRecord,
    EvidenceKind,
    Verification,
)
from backend.errors import Conflict, InvalidInput, NotFound
from backend.runtime import runtime

# (magic bytes, content type, file extension): the only kinds of file accepted.
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
UPLOADERS = (Role.TRAINEE, Role.INSTRUCTOR, Role.INSTITUTION_ADMIN)
READERS = (
    Role.TRAINEE,
    Role.INSTRUCTOR,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTITUTION_ADMIN,
    Role.HR_ADMIN,
)


@dataclass(frozen=True)
class EvidenceFile:
    """A stored file read back: its row and bytes."""

    evidence: EmploymentEvidence
    data: bytes


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the file's first bytes, or a refusal (no I/O)."""
    for magic, content_type, extension in MAGIC:
        if data.startswith(magic):
            return content_type, extension
    raise InvalidInput("证明材料仅支持 JPG、PNG 图片或 PDF 文件", code="EVIDENCE_TYPE_REFUSED")


def _directory() -> Path:
    return Path(runtime().settings.evidence_dir)


def _write(name: str, data: bytes) -> None:
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: a random name never overwrites another file.
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


async def _record_in_scope(
    actor: Actor, record_id: int, roles: tuple[Role, ...]
) -> EmploymentRecord:
    record = await EmploymentRecord.get_or_none(id=record_id)
    if record is None:
        raise NotFound("就业记录不存在", code="EMPLOYMENT_RECORD_NOT_FOUND")
    await authorize_trainee(actor, record.trainee_id, roles)
    return record


async def add_evidence(
    *, actor: Actor, record_id: int, kind: str, filename: str, data: bytes
) -> EmploymentEvidence:
    """Store a file as evidence of a record not yet verified (size and type checked)."""
    record = await _record_in_scope(actor, record_id, UPLOADERS)
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        raise InvalidInput("请注明材料类型（kind）", code="EVIDENCE_KIND_INVALID") from None
    if record.verification is Verification.VERIFIED:
        raise Conflict("该就业记录已核实，不能再补充材料", code="EVIDENCE_RECORD_VERIFIED")
    limit = runtime().settings.evidence_max_bytes
    if not data:
        raise InvalidInput("证明材料文件为空", code="EVIDENCE_EMPTY")
    if len(data) > limit:
        raise InvalidInput(
            f"证明材料不能超过 {limit // 1024} KB",
            code="EVIDENCE_TOO_LARGE",
            details={"max_bytes": limit},
        )
    content_type, extension = sniff(data)
    name = secrets.token_hex(16) + extension
    await asyncio.to_thread(_write, name, data)
    try:
        return await EmploymentEvidence.create(
            record_id=record.id,
            kind=evidence_kind,
            stored_name=name,
            original_name=Path(filename or "").name[:200],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by_id=actor.user_id,
        )
    except BaseException:
        # No row, no file: an orphan would be unreachable evidence nobody can account for.
        await asyncio.to_thread((_directory() / name).unlink, True)
        raise


async def read_evidence(*, actor: Actor, evidence_id: int) -> EvidenceFile:
    """A stored evidence file, for those in the trainee's scope."""
    evidence = await EmploymentEvidence.get_or_none(id=evidence_id)
    if evidence is None:
        raise NotFound("证明材料不存在", code="EVIDENCE_NOT_FOUND")
    await _record_in_scope(actor, evidence.record_id, READERS)
    data = await asyncio.to_thread((_directory() / evidence.stored_name).read_bytes)
    return EvidenceFile(evidence, data)


async def evidence_of(record_ids: list[int]) -> dict[int, list[EmploymentEvidence]]:
    """The evidence files of each record, oldest first."""
    found: dict[int, list[EmploymentEvidence]] = {r: [] for r in record_ids}
    for item in await EmploymentEvidence.filter(record_id__in=record_ids).order_by("id"):
        found[item.record_id].append(item)
    return found
