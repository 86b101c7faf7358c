"""Roles, permissions, camera scope and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles of product.md. Every account has exactly one."""

    ADMINISTRATOR = "administrator"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    REQUISITION_AGENT = "requisition_agent"
    EXTERNAL_VIEWER = "external_viewer"
    AUDITOR = "auditor"
    TECHNICIAN = "technician"


class Permission(StrEnum):
    """What a route or use case may require. Video permissions also need a valid habilitation."""

    REGISTRY_READ = "registry.read"
    REGISTRY_WRITE = "registry.write"
    CAMERA_STATUS = "camera.status"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    HABILITATIONS_WRITE = "habilitations.write"
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    AUDIT_VERIFY = "audit.verify"
    SYSTEM_HEALTH = "system.health"
    VIDEO_LIVE = "video.live"
    VIDEO_PLAYBACK = "video.playback"
    VIDEO_EXPORT = "video.export"
    PTZ_CONTROL = "ptz.control"
    HOLDS_WRITE = "holds.write"
    REGISTER_READ = "register.read"


VIDEO_PERMISSIONS = frozenset(
    {
        Permission.VIDEO_LIVE,
        Permission.VIDEO_PLAYBACK,
        Permission.VIDEO_EXPORT,
        Permission.PTZ_CONTROL,
    }
)

_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            _P.REGISTRY_READ,
            _P.REGISTRY_WRITE,
            _P.CAMERA_STATUS,
            _P.USERS_READ,
            _P.USERS_WRITE,
            _P.HABILITATIONS_WRITE,
            _P.AUDIT_READ,
            _P.AUDIT_VERIFY,
            _P.SYSTEM_HEALTH,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            _P.REGISTRY_READ,
            _P.USERS_READ,
            _P.AUDIT_READ,
            _P.SYSTEM_HEALTH,
            _P.VIDEO_LIVE,
            _P.VIDEO_PLAYBACK,
            _P.VIDEO_EXPORT,
            _P.PTZ_CONTROL,
            _P.HOLDS_WRITE,
            _P.REGISTER_READ,
        }
    ),
    Role.OPERATOR: frozenset(
        {_P.REGISTRY_READ, _P.SYSTEM_HEALTH, _P.VIDEO_LIVE, _P.VIDEO_PLAYBACK, _P.PTZ_CONTROL}
    ),
    Role.REQUISITION_AGENT: frozenset(
        {_P.REGISTRY_READ, _P.VIDEO_PLAYBACK, _P.VIDEO_EXPORT, _P.HOLDS_WRITE, _P.REGISTER_READ}
    ),
    Role.EXTERNAL_VIEWER: frozenset(
        {_P.REGISTRY_READ, _P.VIDEO_LIVE, _P.VIDEO_PLAYBACK, _P.PTZ_CONTROL}
    ),
    Role.AUDITOR: frozenset(
        {
            _P.REGISTRY_READ,
            _P.USERS_READ,
            _P.AUDIT_READ,
            _P.AUDIT_EXPORT,
            _P.AUDIT_VERIFY,
            _P.REGISTER_READ,
        }
    ),
    Role.TECHNICIAN: frozenset({_P.REGISTRY_READ, _P.CAMERA_STATUS, _P.SYSTEM_HEALTH}),
}

# Roles that must log in with a second factor.
MFA_REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.EXTERNAL_VIEWER})
# Roles that see only the cameras of their habilitations, even in the registry.
SCOPED_ROLES = frozenset({Role.EXTERNAL_VIEWER})


class HabilitationStatus(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_SWORN = "not_sworn"


@dataclass(frozen=True, slots=True)
class CameraScope:
    """A set of cameras: every camera, or those in the listed camera groups."""

    all_cameras: bool
    group_ids: frozenset[int] = frozenset()

    @classmethod
    def everything(cls) -> CameraScope:
        return cls(all_cameras=True)

    @classmethod
    def nothing(cls) -> CameraScope:
        return cls(all_cameras=False)

    def covers(self, camera_group_ids: frozenset[int]) -> bool:
        return self.all_cameras or bool(self.group_ids & camera_group_ids)

    def union(self, other: CameraScope) -> CameraScope:
        if self.all_cameras or other.all_cameras:
            return CameraScope.everything()
        return CameraScope(False, self.group_ids | other.group_ids)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user as the rest of the system sees them for one request."""

    user_id: int
    username: str
    role: Role
    permissions: frozenset[Permission]
    video_scope: CameraScope
    registry_scope: CameraScope

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def scope_for(self, permission: Permission) -> CameraScope:
        """Cameras this principal may act on with `permission`."""
        return self.video_scope if permission in VIDEO_PERMISSIONS else self.registry_scope
