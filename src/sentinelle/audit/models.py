"""Journal types: actors, actions, entries and verification reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class ActorKind(StrEnum):
    USER = "user"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: a user (by id and username at the time), the CLI (OS user) or the system."""

    kind: ActorKind
    name: str
    user_id: int | None = None

    @classmethod
    def system(cls, component: str = "sentinelle") -> Actor:
        return cls(ActorKind.SYSTEM, component)

    @classmethod
    def cli(cls, os_user: str) -> Actor:
        return cls(ActorKind.CLI, os_user)

    @classmethod
    def user(cls, user_id: int, username: str) -> Actor:
        return cls(ActorKind.USER, username, user_id)


class AuditAction(StrEnum):
    """Every kind of journalled action. Values are stable: they are stored and exported."""

    # accounts and access
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    ACCOUNT_LOCKED = "auth.account_locked"
    LOGOUT = "auth.logout"
    MFA_ENROLLED = "auth.mfa_enrolled"
    MFA_RESET = "auth.mfa_reset"
    TOKEN_CREATED = "auth.token_created"
    TOKEN_REVOKED = "auth.token_revoked"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_PASSWORD_CHANGED = "user.password_changed"
    HABILITATION_GRANTED = "habilitation.granted"
    HABILITATION_REVOKED = "habilitation.revoked"
    # registry
    AUTHORISATION_CREATED = "authorisation.created"
    AUTHORISATION_UPDATED = "authorisation.updated"
    AUTHORISATION_EXPIRED = "authorisation.expired"
    ZONE_CREATED = "zone.created"
    ZONE_UPDATED = "zone.updated"
    CAMERA_CREATED = "camera.created"
    CAMERA_UPDATED = "camera.updated"
    CAMERA_STATUS_CHANGED = "camera.status_changed"
    CAMERA_LEFT_LAWFUL_SERVICE = "camera.left_lawful_service"
    CAMERA_STREAM_PROBED = "camera.stream_probed"  # a stream tested before registering
    CAMERA_GROUP_CREATED = "camera_group.created"
    CAMERA_GROUP_UPDATED = "camera_group.updated"
    # storage
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    FOOTAGE_DESTROYED = "storage.footage_destroyed"
    STORAGE_SPACE_LOW = "storage.space_low"
    STORAGE_SPACE_EXHAUSTED = "storage.space_exhausted"
    REGISTER_EXPORTED = "register.exported"
    # access to video and evidence
    PLAYBACK_OPENED = "video.playback_opened"
    LIVE_STARTED = "video.live_started"
    LIVE_STOPPED = "video.live_stopped"
    SNAPSHOT_TAKEN = "video.snapshot_taken"
    EXPORT_REQUESTED = "export.requested"
    EXPORT_COMPLETED = "export.completed"
    EXPORT_FAILED = "export.failed"
    EXPORT_CANCELLED = "export.cancelled"
    EXPORT_DOWNLOADED = "export.downloaded"
    EXPORT_JOURNAL_EXPORTED = "export.journal_exported"
    DISCLOSURE_REQUESTED = "disclosure.requested"  # an anonymised copy of an exported file
    DISCLOSURE_VIEWED = "disclosure.frames_viewed"  # the review screen shows the source frames
    DISCLOSURE_PLAN_SAVED = "disclosure.plan_saved"
    DISCLOSURE_RENDER_REQUESTED = "disclosure.render_requested"
    DISCLOSURE_COMPLETED = "disclosure.completed"
    DISCLOSURE_FAILED = "disclosure.failed"
    DISCLOSURE_CANCELLED = "disclosure.cancelled"
    DISCLOSURE_DOWNLOADED = "disclosure.downloaded"
    SIGNING_CERTIFICATE_CREATED = "signing.certificate_created"
    SIGNING_CERTIFICATE_IMPORTED = "signing.certificate_imported"
    # the live wall
    LAYOUT_SAVED = "wall.layout_saved"
    LAYOUT_DELETED = "wall.layout_deleted"
    # privacy masks
    MASKS_SET = "privacy.masks_set"
    MASK_MODE_SET = "privacy.mode_set"
    MASK_SERVER_FORCED = "privacy.server_forced"
    MASK_CAMERA_CONFIRMED_FIXED = "privacy.camera_confirmed_fixed"
    MASK_AUDIT_FAILED = "privacy.audit_failed"  # a camera's own mask failed an audit
    MASK_AUDIT_INCONCLUSIVE = "privacy.audit_inconclusive"  # a streak told nothing
    MASK_REFERENCE_VIEWED = "privacy.reference_viewed"  # the editor's picture, an image access
    # the journal itself
    JOURNAL_EXPORTED = "audit.exported"
    JOURNAL_VERIFIED = "audit.verified"


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a caller asks to journal; `record()` adds time, sequence and hashes."""

    actor: Actor
    action: AuditAction
    target_type: str = ""
    target_id: str = ""
    camera_id: int | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """One committed journal entry."""

    seq: int
    at: datetime
    actor_kind: str
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    camera_id: int | None
    reason: str
    details: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of a verification: `first_bad_seq` names the first entry that does not hold."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    first_bad_seq: int | None = None
    problem: str = ""
