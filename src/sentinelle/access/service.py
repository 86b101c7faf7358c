"""Account use cases: users, habilitations and API tokens. Each owns its transaction and
writes its journal entry in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sentinelle.access import errors, policy, repository
from sentinelle.access.models import Role
from sentinelle.access.passwords import generate_password, hash_password, new_token
from sentinelle.access.tables import ApiTokenRow, HabilitationGroupRow, HabilitationRow, UserRow
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.clock import local_date
from sentinelle.core.errors import InvalidInput
from sentinelle.runtime import Runtime

API_TOKEN_PREFIX = "stl_"  # noqa: S105 - a prefix, not a secret
MAX_TOKEN_DAYS = 366


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    full_name: str
    role: Role
    organisation: str = ""
    password: str | None = None


def do_create_user(rt: Runtime, actor: Actor, new: NewUser) -> tuple[UserRow, str | None]:
    """Create an individual account. Returns the generated password when none was given."""
    username = policy.check_username(new.username)
    generated = None
    password = new.password
    if password is None:
        password = generated = generate_password()
    policy.check_password(password, username)
    if not new.full_name.strip():
        raise InvalidInput("full_name_required", "an individual account needs the person's name")
    now = rt.now()
    with rt.db.write() as s:
        if repository.username_exists(s, username):
            raise errors.username_taken(username)
        user = UserRow(
            username=username,
            full_name=new.full_name.strip(),
            organisation=new.organisation.strip(),
            role=str(new.role),
            password_hash=hash_password(password),
            password_changed_at=now,
            created_at=now,
            failed_logins=0,
            active=True,
            mfa_last_step=0,
        )
        s.add(user)
        s.flush()
        record(s, _user_entry(actor, AuditAction.USER_CREATED, user, role=user.role), now)
    return user, generated


def do_update_user(
    rt: Runtime,
    actor: Actor,
    user_id: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    full_name: str | None = None,
    organisation: str | None = None,
    reason: str = "",
) -> UserRow:
    """Change an account. A change of role or deactivation ends the person's sessions and API
    tokens (new rights start with a new login, MFA included). Nobody changes their own role or
    deactivates themselves."""
    if actor.user_id == user_id and (role is not None or active is not None):
        raise errors.self_administration("change your own role or activation")
    now = rt.now()
    with rt.db.write() as s:
        user = repository.get_user(s, user_id)
        changes: dict[str, object] = {}
        for field, value in (
            ("role", None if role is None else str(role)),
            ("active", active),
            ("full_name", full_name),
            ("organisation", organisation),
        ):
            if value is not None and getattr(user, field) != value:
                changes[field] = {"from": getattr(user, field), "to": value}
                setattr(user, field, value)
        if changes:
            if "role" in changes or active is False:
                repository.revoke_user_sessions(s, user.id, now)
                repository.revoke_user_tokens(s, user.id, now)
            record(s, _user_entry(actor, AuditAction.USER_UPDATED, user, reason, **changes), now)
    return user


def do_reset_mfa(rt: Runtime, actor: Actor, user_id: int, reason: str) -> None:
    """Forget a user's TOTP secret: they enrol a new one at next login."""
    now = rt.now()
    with rt.db.write() as s:
        user = repository.get_user(s, user_id)
        user.mfa_secret_sealed = None
        user.mfa_last_step = 0
        repository.revoke_user_sessions(s, user.id, now)
        record(s, _user_entry(actor, AuditAction.MFA_RESET, user, reason), now)


@dataclass(frozen=True, slots=True)
class NewHabilitation:
    designated_by: str
    designated_on: date
    expires_on: date
    sworn: bool
    all_cameras: bool = False
    group_ids: frozenset[int] = frozenset()
    designation_ref: str = ""
    training_on: date | None = None


def do_grant_habilitation(
    rt: Runtime, actor: Actor, user_id: int, new: NewHabilitation
) -> HabilitationRow:
    """Record a designation (rule 6): who designated the person, for which cameras, until when.
    Nobody grants a habilitation to themselves."""
    if actor.user_id == user_id:
        raise errors.self_administration("grant yourself a habilitation")
    _check_habilitation(new, local_date(rt.now(), rt.settings.timezone))
    now = rt.now()
    with rt.db.write() as s:
        user = repository.get_user(s, user_id)
        hab = HabilitationRow(
            user_id=user.id,
            designated_by=new.designated_by.strip(),
            designation_ref=new.designation_ref.strip(),
            designated_on=new.designated_on,
            expires_on=new.expires_on,
            all_cameras=new.all_cameras,
            sworn=new.sworn,
            training_on=new.training_on,
            created_at=now,
            revoked_reason="",
            groups=[HabilitationGroupRow(group_id=g) for g in sorted(new.group_ids)],
        )
        s.add(hab)
        s.flush()
        details = {
            "user": user.username,
            "designated_by": hab.designated_by,
            "expires_on": hab.expires_on.isoformat(),
            "all_cameras": hab.all_cameras,
            "group_ids": sorted(new.group_ids),
            "sworn": hab.sworn,
        }
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.HABILITATION_GRANTED,
                "habilitation",
                str(hab.id),
                details=details,
            ),
            now,
        )
    return hab


def _check_habilitation(new: NewHabilitation, today: date) -> None:
    if not new.designated_by.strip():
        raise errors.invalid_habilitation("say who designated the person (designated_by)")
    if new.expires_on < new.designated_on:
        raise errors.invalid_habilitation("expiry is before the designation date")
    if new.expires_on < today:
        raise errors.invalid_habilitation("this habilitation would already be expired")
    if not new.all_cameras and not new.group_ids:
        raise errors.invalid_habilitation("give a scope: all cameras or at least one camera group")
    if new.training_on is not None and new.training_on > today:
        raise errors.invalid_habilitation("the training date is in the future")


def do_revoke_habilitation(
    rt: Runtime, actor: Actor, habilitation_id: int, reason: str
) -> HabilitationRow:
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the habilitation is revoked")
    now = rt.now()
    with rt.db.write() as s:
        hab = repository.get_habilitation(s, habilitation_id)
        if hab.revoked_at is None:
            hab.revoked_at = now
            hab.revoked_reason = reason.strip()
            record(
                s,
                EntryDraft(
                    actor,
                    AuditAction.HABILITATION_REVOKED,
                    "habilitation",
                    str(hab.id),
                    reason=reason.strip(),
                    details={"user_id": hab.user_id},
                ),
                now,
            )
    return hab


def do_create_token(
    rt: Runtime, actor: Actor, user_id: int, name: str, days: int
) -> tuple[ApiTokenRow, str]:
    """A bearer token for scripts acting as `user_id`; the token is shown once."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput("invalid_token_lifetime", f"token lifetime is 1-{MAX_TOKEN_DAYS} days")
    if not name.strip():
        raise InvalidInput("token_name_required", "name the token after the script that uses it")
    token, digest = new_token(API_TOKEN_PREFIX)
    now = rt.now()
    with rt.db.write() as s:
        user = repository.get_user(s, user_id)
        row = ApiTokenRow(
            user_id=user.id,
            name=name.strip(),
            token_hash=digest,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        s.add(row)
        s.flush()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.TOKEN_CREATED,
                "api_token",
                str(row.id),
                details={"user": user.username, "name": row.name, "days": days},
            ),
            now,
        )
    return row, token


def do_revoke_token(rt: Runtime, actor: Actor, token_id: int) -> None:
    now = rt.now()
    with rt.db.write() as s:
        row = repository.get_token(s, token_id)
        if row.revoked_at is None:
            row.revoked_at = now
            record(s, EntryDraft(actor, AuditAction.TOKEN_REVOKED, "api_token", str(row.id)), now)


def _user_entry(
    actor: Actor, action: AuditAction, user: UserRow, reason: str = "", **details: object
) -> EntryDraft:
    return EntryDraft(
        actor,
        action,
        "user",
        str(user.id),
        reason=reason,
        details={"username": user.username, **details},
    )
