"""People and organisations: users, WeChat identities, roles, institutions, instructors, trainees.

ID-card and phone numbers are never stored in clear: `*_enc` holds AES-GCM ciphertext (with its
key id) and `*_hash` a keyed HMAC for equality lookups (see backend/security/pii.py).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    """The roles: every endpoint checks role and scope."""

    TRAINEE = "trainee"
    CLASS_TEACHER = "class_teacher"
    STAFF = "staff"
    INSTRUCTOR = "instructor"
    INSTITUTION_ADMIN = "institution_admin"
    HR_ADMIN = "hr_admin"


ROLE_LABELS: dict[Role, str] = {
    Role.TRAINEE: "学员",
    Role.CLASS_TEACHER: "专职班主任",
    Role.STAFF: "工作人员",
    Role.INSTRUCTOR: "授课讲师",
    Role.INSTITUTION_ADMIN: "培训机构管理员",
    Role.HR_ADMIN: "人社部门管理员",
}


class TraineeCategory(StrEnum):
    """Target groups of 第三条."""

    UNEMPLOYED_GRADUATE = "unemployed_graduate"  # 离校未就业高校毕业生
    GRADUATING_STUDENT = "graduating_student"  # 毕业学年高校毕业生（含技工院校）
    REGISTERED_UNEMPLOYED_YOUTH = "registered_unemployed_youth"  # 登记失业青年
    HARD_TO_EMPLOY = "hard_to_employ"  # 就业困难人员
    VETERAN = "veteran"  # 退役军人
    OTHER_YOUTH = "other_youth"  # 其他青年群体


TRAINEE_CATEGORY_LABELS: dict[TraineeCategory, str] = {
    TraineeCategory.UNEMPLOYED_GRADUATE: "离校未就业高校毕业生",
    TraineeCategory.GRADUATING_STUDENT: "毕业学年高校毕业生",
    TraineeCategory.REGISTERED_UNEMPLOYED_YOUTH: "登记失业青年",
    TraineeCategory.HARD_TO_EMPLOY: "就业困难人员",
    TraineeCategory.VETERAN: "退役军人",
    TraineeCategory.OTHER_YOUTH: "其他青年",
}


class InstitutionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # HR suspended it in the registry (第六条(二)): no new plans
    DISQUALIFIED = "disqualified"  # 第九条: no new plans


class InstructorStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # 第十六条 暂停选派
    REVOKED = "revoked"  # 第十六条 取消师资资格


class Institution(Model):
    """A training institution (培训机构) or the public employment service itself."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    credit_code = fields.CharField(max_length=18, unique=True)  # 统一社会信用代码
    district_code = fields.CharField(max_length=6)
    status = fields.CharEnumField(InstitutionStatus, default=InstitutionStatus.ACTIVE)
    contact_name = fields.CharField(max_length=50, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "institution"


class User(Model):
    """Anyone who logs in: roles come from grants, the trainee role from a bound roster row."""

    id = fields.IntField(primary_key=True)
    display_name = fields.CharField(max_length=50, default="")
    is_active = fields.BooleanField(default=True)
    # Bumped to revoke every token issued before (logout everywhere, re-binding, disabling).
    token_version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"


class WeChatIdentity(Model):
    """One WeChat identity per person: unique per user and per (appid, openid)."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="wechat", on_delete=fields.CASCADE
    )
    user_id: int
    appid = fields.CharField(max_length=64)
    openid = fields.CharField(max_length=128)
    unionid = fields.CharField(max_length=128, null=True, db_index=True)
    oa_openid = fields.CharField(max_length=128, null=True, unique=True)
    session_key_enc = fields.TextField(null=True)  # stays on the server, encrypted
    phone_enc = fields.TextField(null=True)
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "wechat_identity"
        unique_together = (("appid", "openid"),)


class RoleGrant(Model):
    """A role held by a user, with its scope: an institution, a district, or the whole city."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="grants", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharEnumField(Role, max_length=32)
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="grants", null=True, on_delete=fields.RESTRICT
    )
    institution_id: int | None
    # For hr_admin: a district code, or NULL for the whole city.
    district_code = fields.CharField(max_length=6, null=True)
    granted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="grants_given", null=True, on_delete=fields.SET_NULL
    )
    granted_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "role_grant"
        indexes = (("user_id", "role"),)


class Instructor(Model):
    """A certified instructor (授课讲师) in HR's registry (第十三、十六条)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50)
    user: fields.OneToOneNullableRelation[User] = fields.OneToOneField(
        "models.User", related_name="instructor", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    certificate_no = fields.CharField(max_length=40, null=True, unique=True)  # 师资证书编号
    status = fields.CharEnumField(InstructorStatus, default=InstructorStatus.ACTIVE)
    phone_enc = fields.TextField(null=True)
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="instructors", null=True, on_delete=fields.SET_NULL
    )
    institution_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instructor"


class Trainee(Model):
    """A job seeker on a roster (学员): binds to a WeChat user by name + ID-card number."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50)
    id_number_enc = fields.TextField()
    id_number_hash = fields.CharField(max_length=64, unique=True)
    phone_enc = fields.TextField(null=True)
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    gender = fields.CharField(max_length=8, default="")
    birth_date = fields.DateField(null=True)
    category = fields.CharEnumField(TraineeCategory, max_length=40)
    education = fields.CharField(max_length=20, default="")
    school = fields.CharField(max_length=100, default="")
    major = fields.CharField(max_length=100, default="")
    graduation_year = fields.IntField(null=True)
    user: fields.OneToOneNullableRelation[User] = fields.OneToOneField(
        "models.User", related_name="trainee", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    bound_at = fields.DatetimeField(null=True)
    # HR waived the phone match for the next binding (the person changed numbers); audited.
    phone_check_waived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "trainee"


class Invitation(Model):
    """A one-time, expiring code that grants a role: only its keyed hash is stored."""

    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    role = fields.CharEnumField(Role, max_length=32)
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "models.Institution", related_name="invitations", null=True, on_delete=fields.CASCADE
    )
    institution_id: int | None
    district_code = fields.CharField(max_length=6, null=True)
    instructor: fields.ForeignKeyNullableRelation[Instructor] = fields.ForeignKeyField(
        "models.Instructor", related_name="invitations", null=True, on_delete=fields.CASCADE
    )
    instructor_id: int | None
    expires_at = fields.DatetimeField()
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_created", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    redeemed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_redeemed", null=True, on_delete=fields.SET_NULL
    )
    redeemed_by_id: int | None
    redeemed_at = fields.DatetimeField(null=True)
    note = fields.CharField(max_length=200, default="")
    invitee_name = fields.CharField(max_length=50, default="")  # the name the inviter gave
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
