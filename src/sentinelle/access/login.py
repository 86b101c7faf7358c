"""Authentication use cases: password then TOTP (or TOTP enrolment), sessions, bearer tokens.

A login is one or two steps. The password step either opens a session (roles without MFA and
no TOTP enrolled) or returns a short-lived challenge for the second step: a TOTP code, or the
enrolment of a first secret for roles that must use MFA. Every failure counts towards lockout
and is journalled; the counters and the journal entry are committed even though the caller
then receives an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
from sqlalchemy.orm import Session

from sentinelle.access import errors, policy, repository
from sentinelle.access.models import MFA_REQUIRED_ROLES, Principal, Role
from sentinelle.access.passwords import hash_password, new_token, token_digest, verify_password
from sentinelle.access.tables import LoginChallengeRow, SessionRow, UserRow
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.clock import local_date
from sentinelle.core.errors import SentinelleError
from sentinelle.runtime import Runtime

CHALLENGE_TTL = timedelta(minutes=5)
TOTP_PURPOSE = "totp-secrets"
TOTP_ISSUER = "Sentinelle"
TOUCH_INTERVAL = timedelta(seconds=60)  # how stale last-use times may be


class LoginStage(StrEnum):
    DONE = "done"
    TOTP = "totp"
    ENROL = "enrol"


@dataclass(frozen=True, slots=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime
    user_id: int


@dataclass(frozen=True, slots=True)
class LoginStep:
    stage: LoginStage
    challenge: str | None = None
    provisioning_uri: str | None = None
    totp_secret: str | None = None
    session: IssuedSession | None = None


def do_login(rt: Runtime, username: str, password: str, client: str = "") -> LoginStep:
    """First step: check the password (with lockout) and say what comes next."""
    now = rt.now()
    failure: SentinelleError | None = None
    with rt.db.write() as s:
        user = repository.find_user(s, username, lock=True)  # counters: one attempt at a time
        if user is None or not verify_password(user.password_hash, password):
            failure = _fail(rt, s, user, username, now, "password")
        else:
            failure = _refuse_if_blocked(rt, s, user, now)
        if failure is None and user is not None:
            step = _after_password(rt, s, user, now, client)
    if failure is not None:
        raise failure
    return step


def do_login_mfa(rt: Runtime, challenge: str, code: str, client: str = "") -> IssuedSession:
    """Second step: a TOTP code for an enrolled user, or the first code of a new secret."""
    now = rt.now()
    failure: SentinelleError | None = None
    with rt.db.write() as s:
        row = repository.get_challenge(s, token_digest(challenge))
        if row is None or row.used or now >= row.expires_at:
            raise errors.challenge_invalid()
        user = repository.get_user(s, row.user_id, lock=True)
        failure = _refuse_if_blocked(rt, s, user, now)
        if failure is None:
            box = rt.box(TOTP_PURPOSE)
            sealed = row.pending_secret_sealed or user.mfa_secret_sealed
            step = _matching_step(box.open(sealed), code, now) if sealed else None
            if step is None or step <= user.mfa_last_step:
                failure = _fail(rt, s, user, user.username, now, "totp")
            else:
                row.used = True
                user.mfa_last_step = step
                if row.pending_secret_sealed:
                    user.mfa_secret_sealed = row.pending_secret_sealed
                    record(
                        s,
                        EntryDraft(_actor(user), AuditAction.MFA_ENROLLED, "user", str(user.id)),
                        now,
                    )
                issued = _open_session(rt, s, user, now, client)
    if failure is not None:
        raise failure
    return issued


def do_logout(rt: Runtime, token: str) -> None:
    now = rt.now()
    with rt.db.write() as s:
        row = repository.get_session(s, token_digest(token))
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = now
        user = repository.get_user(s, row.user_id)
        record(s, EntryDraft(_actor(user), AuditAction.LOGOUT, "user", str(user.id)), now)


def resolve_session(rt: Runtime, token: str) -> tuple[Principal, str]:
    """The principal behind a session cookie and the session's CSRF token, or not_authenticated.

    Reads only; the session's last use is written at most once a minute.
    """
    now = rt.now()
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    digest = token_digest(token)
    with rt.db.read() as s:
        row = repository.get_session(s, digest)
        if row is None or row.revoked_at is not None:
            raise errors.not_authenticated()
        if not policy.session_alive(row.last_seen_at, row.expires_at, now, idle):
            raise errors.not_authenticated()
        user = repository.get_user(s, row.user_id)
        if not user.active:
            raise errors.not_authenticated()
        principal, csrf = principal_of(rt, user), row.csrf_token
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        with rt.db.write() as s:
            repository.touch_session(s, digest, now)
    return principal, csrf


def resolve_api_token(rt: Runtime, token: str) -> Principal:
    """The principal behind a bearer token; its last use is written at most once a minute."""
    now = rt.now()
    with rt.db.read() as s:
        row = repository.find_token(s, token_digest(token))
        if row is None or row.revoked_at is not None or now >= row.expires_at:
            raise errors.not_authenticated()
        user = repository.get_user(s, row.user_id)
        if not user.active or policy.is_locked(user.locked_until, now):
            raise errors.not_authenticated()
        principal = principal_of(rt, user)
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        with rt.db.write() as s:
            repository.touch_token(s, row.id, now)
    return principal


def principal_of(rt: Runtime, user: UserRow) -> Principal:
    today = local_date(rt.now(), rt.settings.timezone)
    facts = [
        policy.HabilitationFacts(
            designated_on=h.designated_on,
            expires_on=h.expires_on,
            sworn=h.sworn,
            revoked=h.revoked_at is not None,
            all_cameras=h.all_cameras,
            group_ids=h.group_ids,
        )
        for h in user.habilitations
    ]
    return policy.principal_for(user.id, user.username, Role(user.role), facts, today)


def _after_password(
    rt: Runtime, s: Session, user: UserRow, now: datetime, client: str
) -> LoginStep:
    if user.mfa_secret_sealed is not None:
        return LoginStep(LoginStage.TOTP, challenge=_new_challenge(s, user, now, None))
    if Role(user.role) in MFA_REQUIRED_ROLES:
        secret = pyotp.random_base32()
        sealed = rt.box(TOTP_PURPOSE).seal(secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)
        return LoginStep(
            LoginStage.ENROL,
            challenge=_new_challenge(s, user, now, sealed),
            provisioning_uri=uri,
            totp_secret=secret,
        )
    return LoginStep(LoginStage.DONE, session=_open_session(rt, s, user, now, client))


def _new_challenge(s: Session, user: UserRow, now: datetime, sealed: str | None) -> str:
    token, digest = new_token()
    stage = LoginStage.ENROL if sealed else LoginStage.TOTP
    s.add(
        LoginChallengeRow(
            token_hash=digest,
            user_id=user.id,
            stage=str(stage),
            pending_secret_sealed=sealed,
            expires_at=now + CHALLENGE_TTL,
            used=False,
        )
    )
    return token


def _open_session(
    rt: Runtime, s: Session, user: UserRow, now: datetime, client: str
) -> IssuedSession:
    token, digest = new_token()
    csrf, _ = new_token()
    expires = now + timedelta(hours=rt.settings.session_max_hours)
    s.add(
        SessionRow(
            token_hash=digest,
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
            client=client[:200],
        )
    )
    user.failed_logins = 0
    user.last_login_at = now
    record(
        s,
        EntryDraft(
            _actor(user), AuditAction.LOGIN, "user", str(user.id), details={"client": client[:200]}
        ),
        now,
    )
    return IssuedSession(token=token, csrf_token=csrf, expires_at=expires, user_id=user.id)


def _refuse_if_blocked(
    rt: Runtime, s: Session, user: UserRow, now: datetime
) -> SentinelleError | None:
    if not user.active:
        _login_failed(s, user, "disabled", now)
        return errors.account_disabled()
    if policy.is_locked(user.locked_until, now):
        _login_failed(s, user, "locked", now)
        return errors.account_locked(rt.settings.lockout_minutes)
    return None


def _fail(
    rt: Runtime, s: Session, user: UserRow | None, username: str, now: datetime, step: str
) -> SentinelleError:
    """Count a failed step, lock the account at the threshold, journal it; return the error."""
    if user is None:
        actor = Actor.system("login")
        username = _loggable_username(username)
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.LOGIN_FAILED,
                "username",
                username[:64],
                details={"why": "unknown_user"},
            ),
            now,
        )
        return errors.invalid_credentials()
    if policy.is_locked(user.locked_until, now):
        return errors.account_locked(rt.settings.lockout_minutes)
    state = policy.after_failed_login(
        user.failed_logins, now, rt.settings.lockout_threshold, rt.settings.lockout_minutes
    )
    user.failed_logins = state.failed_logins
    user.locked_until = state.locked_until
    _login_failed(s, user, step, now)
    if state.locked_until is not None:
        record(
            s,
            EntryDraft(
                Actor.system("login"),
                AuditAction.ACCOUNT_LOCKED,
                "user",
                str(user.id),
                details={"until": state.locked_until.isoformat()},
            ),
            now,
        )
        return errors.account_locked(rt.settings.lockout_minutes)
    return errors.invalid_mfa_code() if step == "totp" else errors.invalid_credentials()


def _login_failed(s: Session, user: UserRow, why: str, now: datetime) -> None:
    record(
        s,
        EntryDraft(
            _actor(user), AuditAction.LOGIN_FAILED, "user", str(user.id), details={"why": why}
        ),
        now,
    )


def _loggable_username(attempted: str) -> str:
    """An unknown username as it may be journalled: people type passwords into the username
    field, and the journal keeps what it holds for years."""
    try:
        return policy.check_username(attempted)
    except SentinelleError:
        return "(not a valid username)"


def do_change_own_password(rt: Runtime, user_id: int, current: str, new: str) -> None:
    """Change one's password: a wrong current password counts towards lockout like a failed
    login; a change ends every session of the account (log in again with the new password)."""
    now = rt.now()
    failure: SentinelleError | None = None
    with rt.db.write() as s:
        user = repository.get_user(s, user_id, lock=True)
        if not verify_password(user.password_hash, current):
            failure = _fail(rt, s, user, user.username, now, "password")
        else:
            policy.check_password(new, user.username)
            user.password_hash = hash_password(new)
            user.password_changed_at = now
            repository.revoke_user_sessions(s, user.id, now)
            record(
                s,
                EntryDraft(
                    _actor(user),
                    AuditAction.USER_PASSWORD_CHANGED,
                    "user",
                    str(user.id),
                    details={"username": user.username},
                ),
                now,
            )
    if failure is not None:
        raise failure


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The TOTP time step (±1 for clock drift) whose code equals `code`, if any."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    base = totp.timecode(now)
    for offset in (0, -1, 1):
        if totp.generate_otp(base + offset) == code:
            return int(base + offset)
    return None


def _actor(user: UserRow) -> Actor:
    return Actor.user(user.id, user.username)
