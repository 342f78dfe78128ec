"""Job postings synced from the recruitment site, the sync log, profiles, applications, pushes.

Salaries are whole yuan per month in integers: sites publish them that way, they are compared
and ranked, never summed or paid, and an integer is as exact as a Decimal here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from backend.occupations import Education


class Deactivation(StrEnum):
    """Why a posting stopped being offered."""

    REMOVED = "removed"  # the site listed it as removed
    EXPIRED = "expired"  # its closing date passed
    VANISHED = "vanished"  # a full listing of the site no longer contains it


class JobPosting(Model):
    """A posting of the recruitment site, unique by source and external id, with its index terms."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200)
    employer = fields.CharField(max_length=200)
    district_code = fields.CharField(max_length=6)
    address = fields.CharField(max_length=300, default="")
    occupation_code = fields.CharField(max_length=16)
    occupation_name = fields.CharField(max_length=100, default="")
    salary_min = fields.IntField(default=0)  # yuan per month, 0 = negotiable
    salary_max = fields.IntField(default=0)
    education = fields.CharEnumField(Education, max_length=16, default=Education.NONE)
    experience_years = fields.SmallIntField(default=0)
    headcount = fields.IntField(default=1)
    description = fields.TextField(default="")
    url = fields.CharField(max_length=500, default="")
    published_at = fields.DatetimeField()
    site_updated_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    deactivated_at = fields.DatetimeField(null=True)
    deactivation = fields.CharEnumField(Deactivation, max_length=16, null=True)
    content_hash = fields.CharField(max_length=40)
    # The search index: jieba terms with their frequency (JSON object), kept by the sync.
    terms = fields.TextField(default="{}")
    doc_len = fields.IntField(default=0)
    # Position in the index's change log (JobIndexState.seq when this row last changed).
    change_seq = fields.BigIntField(default=0, db_index=True)
    seen_run_id = fields.IntField(null=True)
    first_seen_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "job_posting"
        # external_id first: the sync looks postings up by a page of external ids.
        unique_together = (("external_id", "source"),)
        indexes = (("active", "expires_at"),)


class JobSyncCursor(Model):
    """Where the next incremental sync of a source resumes, and who holds the sync lease."""

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=32, unique=True)
    changes_cursor = fields.CharField(max_length=200, default="")
    removed_cursor = fields.CharField(max_length=200, default="")
    lease_owner = fields.CharField(max_length=64, default="")
    lease_until = fields.DatetimeField(null=True)
    last_success_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "job_sync_cursor"


class SyncStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some items failed mapping, the rest is stored
    FAILED = "failed"  # the site could not be read to the end (resumes from the cursor)


class JobSyncRun(Model):
    """The log of one sync run: what was fetched, added, changed, removed, and what failed."""

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=32)
    full = fields.BooleanField(default=False)
    status = fields.CharEnumField(SyncStatus, max_length=16, default=SyncStatus.RUNNING)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    pages = fields.IntField(default=0)
    fetched = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    unchanged = fields.IntField(default=0)
    removed = fields.IntField(default=0)
    expired = fields.IntField(default=0)
    vanished = fields.IntField(default=0)
    errors = fields.IntField(default=0)
    retries = fields.IntField(default=0)
    error_samples: Any = fields.JSONField(default=list)
    message = fields.TextField(default="")

    class Meta:
        table = "job_sync_run"
        indexes = (("source", "started_at"),)


class JobIndexState(Model):
    """The change counter of the posting index: readers reload rows changed after their seq."""

    id = fields.IntField(primary_key=True)
    epoch = fields.CharField(max_length=32)  # new value = readers rebuild from scratch
    seq = fields.BigIntField(default=0)

    class Meta:
        table = "job_index_state"


class JobProfile(Model):
    """What a trainee looks for: occupations, districts, salary floor, education, skills."""

    id = fields.IntField(primary_key=True)
    trainee: fields.OneToOneRelation = fields.OneToOneField(
        "models.Trainee", related_name="job_profile", on_delete=fields.CASCADE
    )
    trainee_id: int
    desired_occupations: Any = fields.JSONField(default=list)  # occupation or group codes
    districts: Any = fields.JSONField(default=list)  # district codes, empty = anywhere
    salary_floor = fields.IntField(null=True)  # yuan per month
    education = fields.CharEnumField(Education, max_length=16, null=True)
    major = fields.CharField(max_length=100, default="")
    skills: Any = fields.JSONField(default=list)
    intention = fields.TextField(default="")
    currently_employed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "job_profile"


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # recorded, waiting to be forwarded (retried until it arrives)
    DELIVERED = "delivered"  # the site acknowledged it
    FAILED = "failed"  # the site refused it for good (e.g. the posting closed)


APPLICATION_STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.PENDING: "投递中",
    ApplicationStatus.DELIVERED: "已投递至招聘网站",
    ApplicationStatus.FAILED: "投递未成功",
}


class JobApplication(Model):
    """A resume delivery of a trainee to one posting, forwarded through the outbox."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="job_applications", on_delete=fields.CASCADE
    )
    trainee_id: int
    posting: fields.ForeignKeyRelation[JobPosting] = fields.ForeignKeyField(
        "models.JobPosting", related_name="applications", on_delete=fields.RESTRICT
    )
    posting_id: int
    message = fields.CharField(max_length=300, default="")
    status = fields.CharEnumField(
        ApplicationStatus, max_length=16, default=ApplicationStatus.PENDING
    )
    site_reference = fields.CharField(max_length=64, default="")
    submission = fields.IntField(default=1)  # raised when a failed delivery is tried again
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job_application"
        unique_together = (("trainee", "posting"),)


class JobPush(Model):
    """A posting pushed to a trainee: never the same posting to the same trainee twice."""

    id = fields.BigIntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="job_pushes", on_delete=fields.CASCADE
    )
    trainee_id: int
    posting: fields.ForeignKeyRelation[JobPosting] = fields.ForeignKeyField(
        "models.JobPosting", related_name="pushes", on_delete=fields.CASCADE
    )
    posting_id: int
    pushed_on = fields.DateField()  # Asia/Shanghai day
    score = fields.FloatField(default=0)
    outbox_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_push"
        unique_together = (("trainee", "posting"),)
        indexes = (("trainee_id", "pushed_on"),)


# What a list of postings shows (not the description or the index terms).
LISTED_FIELDS = (
    "id",
    "title",
    "employer",
    "district_code",
    "occupation_code",
    "occupation_name",
    "salary_min",
    "salary_max",
    "education",
    "experience_years",
    "published_at",
    "expires_at",
    "active",
)


# --- employment outcomes (第二十一条(三), 第二十三条): read and written by outcomes.py ---


class EmploymentStatus(StrEnum):
    EMPLOYED = "employed"  # 单位就业
    SELF_EMPLOYED = "self_employed"  # 自主创业 / 灵活就业
    FURTHER_STUDY = "further_study"  # 升学 (not counted as employed)
    UNEMPLOYED = "unemployed"


EMPLOYED_STATES = (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED)


class OutcomeSource(StrEnum):
    SURVEY = "survey"  # the trainee's follow-up survey answer
    TRAINEE = "trainee"  # the trainee reporting in the mini-program
    INSTRUCTOR = "instructor"  # an instructor's follow-up service
    SITE = "site"  # the recruitment site (an application that led to a hire)


class Verification(StrEnum):
    """HR's check of a claimed outcome (第二十三条): never decided by the one who reported it."""

    PENDING = "pending"  # claimed, not checked yet
    VERIFIED = "verified"  # HR confirmed it (call-back, insurance record, contract seen)
    REFUSED = "refused"  # HR found it not true or not proven, with a reason


VERIFICATION_LABELS = {
    Verification.PENDING: "待核实",
    Verification.VERIFIED: "已核实",
    Verification.REFUSED: "核实未通过",
}


class EmploymentRecord(Model):
    """What is known, at one moment, about the employment of a trainee (the latest counts)."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="employment_records", on_delete=fields.CASCADE
    )
    trainee_id: int
    training_class: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TrainingClass",
        related_name="employment_records",
        null=True,
        on_delete=fields.SET_NULL,
    )
    training_class_id: int | None
    status = fields.CharEnumField(EmploymentStatus, max_length=16)
    employer = fields.CharField(max_length=200, default="")
    position = fields.CharField(max_length=100, default="")
    start_date = fields.DateField(null=True)
    source = fields.CharEnumField(OutcomeSource, max_length=16)
    # Evidence given with the claim: 社保参保记录 number and month, the employer's contact for a
    # call-back (files: `backend.employment.evidence`).
    insurance_record_no = fields.CharField(max_length=64, default="")
    insurance_month = fields.CharField(max_length=7, default="")  # YYYY-MM
    employer_contact = fields.CharField(max_length=50, default="")
    employer_phone = fields.CharField(max_length=20, default="")  # digits only
    verification = fields.CharEnumField(Verification, max_length=16, default=Verification.PENDING)
    verification_method = fields.CharField(max_length=200, default="")  # what HR checked
    verification_reason = fields.TextField(default="")
    verified_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="employment_verifications", null=True, on_delete=fields.SET_NULL
    )
    verified_by_id: int | None
    verified_at = fields.DatetimeField(null=True)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="employment_records", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "employment_record"
        indexes = (("trainee_id", "created_at"),)

    @property
    def verified(self) -> bool:
        """HR verified this record (the reporter never sets it)."""
        return self.verification is Verification.VERIFIED

    @property
    def employed(self) -> bool:
        """The record says the trainee works (employed or self-employed)."""
        return self.status in EMPLOYED_STATES


class ClosedClassChange(Model):
    """An employment fact recorded after the class was closed (结案): an adjustment to review."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="closed_changes", on_delete=fields.CASCADE
    )
    training_class_id: int
    record: fields.ForeignKeyRelation[EmploymentRecord] = fields.ForeignKeyField(
        "models.EmploymentRecord", related_name="closed_changes", on_delete=fields.CASCADE
    )
    record_id: int
    change = fields.CharField(max_length=16)  # reported, verified, refused
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="closed_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "closed_class_change"


# --- evidence of an outcome: files kept by evidence.py ---


class EvidenceKind(StrEnum):
    LABOUR_CONTRACT = "labour_contract"  # 劳动合同
    OFFER_LETTER = "offer_letter"  # 录用通知
    INSURANCE_RECORD = "insurance_record"  # 社保参保记录截图
    BUSINESS_LICENCE = "business_licence"  # 营业执照（自主创业）
    OTHER = "other"


EVIDENCE_KIND_LABELS = {
    EvidenceKind.LABOUR_CONTRACT: "劳动合同",
    EvidenceKind.OFFER_LETTER: "录用通知书",
    EvidenceKind.INSURANCE_RECORD: "社保参保记录",
    EvidenceKind.BUSINESS_LICENCE: "营业执照",
    EvidenceKind.OTHER: "其他材料",
}


class EmploymentEvidence(Model):
    """A file given as evidence of an employment record, stored under a random name."""

    id = fields.IntField(primary_key=True)
    record: fields.ForeignKeyRelation[EmploymentRecord] = fields.ForeignKeyField(
        "models.EmploymentRecord", related_name="evidence", on_delete=fields.CASCADE
    )
    record_id: int
    kind = fields.CharEnumField(EvidenceKind, max_length=32)
    stored_name = fields.CharField(max_length=64, unique=True)  # random, never the upload name
    original_name = fields.CharField(max_length=200, default="")
    content_type = fields.CharField(max_length=64)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    uploaded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="evidence_uploads", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "employment_evidence"
