"""Accounts, login and habilitation shapes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.access.login import LoginStage
from sentinelle.access.models import (
    MFA_REQUIRED_ROLES,
    ROLE_PERMISSIONS,
    SCOPED_ROLES,
    VIDEO_PERMISSIONS,
    HabilitationStatus,
    Permission,
    Principal,
    Role,
)
from sentinelle.access.policy import HabilitationFacts, habilitation_status, is_locked
from sentinelle.access.tables import ApiTokenRow, HabilitationRow, UserRow


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class MfaIn(_In):
    challenge: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=6, max_length=10)


class LoginOut(BaseModel):
    """`done`: cookie set. `totp`: send a code. `enrol`: scan the URI, then send a code."""

    stage: LoginStage
    challenge: str | None = None
    provisioning_uri: str | None = None
    totp_secret: str | None = None
    csrf_token: str | None = None
    expires_at: datetime | None = None


class MeOut(BaseModel):
    user_id: int
    username: str
    role: Role
    permissions: list[str]
    video_access: bool
    all_cameras: bool
    camera_group_ids: list[int]

    @classmethod
    def of(cls, p: Principal) -> MeOut:
        return cls(
            user_id=p.user_id,
            username=p.username,
            role=p.role,
            permissions=sorted(p.permissions),
            video_access=p.video_scope.all_cameras or bool(p.video_scope.group_ids),
            all_cameras=p.video_scope.all_cameras,
            camera_group_ids=sorted(p.video_scope.group_ids),
        )


class PasswordChangeIn(_In):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserIn(_In):
    username: str = Field(min_length=3, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    organisation: str = Field(default="", max_length=200)
    password: str | None = Field(
        default=None, max_length=256, description="omit to have one generated and shown once"
    )


class UserPatch(_In):
    role: Role | None = None
    active: bool | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=2000)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    organisation: str
    role: Role
    active: bool
    mfa_enabled: bool
    locked: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, row: UserRow, now: datetime) -> UserOut:
        return cls(
            id=row.id,
            username=row.username,
            full_name=row.full_name,
            organisation=row.organisation,
            role=Role(row.role),
            active=row.active,
            mfa_enabled=row.mfa_enabled,
            locked=is_locked(row.locked_until, now),
            created_at=row.created_at,
            last_login_at=row.last_login_at,
        )


class UserCreatedOut(BaseModel):
    user: UserOut
    generated_password: str | None = Field(description="shown once when none was given")


class HabilitationIn(_In):
    designated_by: str = Field(
        min_length=1, max_length=200, examples=["Maire de Valence, arrêté n° 2026-114"]
    )
    designation_ref: str = Field(default="", max_length=200)
    designated_on: date
    expires_on: date
    sworn: bool
    all_cameras: bool = False
    group_ids: list[int] = Field(default_factory=list)
    training_on: date | None = None


class HabilitationOut(BaseModel):
    id: int
    user_id: int
    designated_by: str
    designation_ref: str
    designated_on: date
    expires_on: date
    sworn: bool
    all_cameras: bool
    group_ids: list[int]
    training_on: date | None
    status: HabilitationStatus
    revoked_at: datetime | None
    revoked_reason: str

    @classmethod
    def of(cls, row: HabilitationRow, today: date) -> HabilitationOut:
        facts = HabilitationFacts(
            row.designated_on,
            row.expires_on,
            row.sworn,
            row.revoked_at is not None,
            row.all_cameras,
            row.group_ids,
        )
        return cls(
            id=row.id,
            user_id=row.user_id,
            designated_by=row.designated_by,
            designation_ref=row.designation_ref,
            designated_on=row.designated_on,
            expires_on=row.expires_on,
            sworn=row.sworn,
            all_cameras=row.all_cameras,
            group_ids=sorted(row.group_ids),
            training_on=row.training_on,
            status=habilitation_status(facts, today),
            revoked_at=row.revoked_at,
            revoked_reason=row.revoked_reason,
        )


class RevokeIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1, le=366)


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiTokenRow) -> TokenOut:
        return cls(
            id=row.id,
            name=row.name,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


class TokenCreatedOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="the bearer token; shown once")


class RoleOut(BaseModel):
    """A role and what it may do (`access.models.ROLE_PERMISSIONS`)."""

    id: Role
    permissions: list[Permission] = Field(description="in the order of `RolesOut.permissions`")
    mfa_required: bool
    scoped_registry: bool = Field(description="sees only the cameras of its habilitations")

    @classmethod
    def of(cls, role: Role) -> RoleOut:
        granted = ROLE_PERMISSIONS[role]
        return cls(
            id=role,
            permissions=[p for p in Permission if p in granted],
            mfa_required=role in MFA_REQUIRED_ROLES,
            scoped_registry=role in SCOPED_ROLES,
        )


class RolesOut(BaseModel):
    """Every permission (in a stable order), those that also need a valid habilitation, and
    every role with its permissions."""

    permissions: list[Permission]
    video_permissions: list[Permission]
    roles: list[RoleOut]

    @classmethod
    def build(cls) -> RolesOut:
        return cls(
            permissions=list(Permission),
            video_permissions=[p for p in Permission if p in VIDEO_PERMISSIONS],
            roles=[RoleOut.of(r) for r in Role],
        )
