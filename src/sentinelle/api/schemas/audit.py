"""Journal shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sentinelle.audit.models import Entry, VerifyReport


class AuditEntryOut(BaseModel):
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
    hash: str

    @classmethod
    def of(cls, e: Entry) -> AuditEntryOut:
        return cls(
            seq=e.seq,
            at=e.at,
            actor_kind=e.actor_kind,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            camera_id=e.camera_id,
            reason=e.reason,
            details=e.details,
            hash=e.hash,
        )


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    first_bad_seq: int | None
    problem: str

    @classmethod
    def of(cls, r: VerifyReport) -> VerifyOut:
        return cls(
            ok=r.ok,
            checked=r.checked,
            last_seq=r.last_seq,
            last_hash=r.last_hash,
            first_bad_seq=r.first_bad_seq,
            problem=r.problem,
        )
