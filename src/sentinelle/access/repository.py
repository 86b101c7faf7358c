"""Access queries. Never commits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.access import errors
from sentinelle.access.tables import (
    ApiTokenRow,
    HabilitationRow,
    LoginChallengeRow,
    SessionRow,
    UserRow,
)


def get_user(session: Session, user_id: int, *, lock: bool = False) -> UserRow:
    """The user; `lock` holds the row until the transaction ends (login counters, MFA steps)."""
    user = session.get(UserRow, user_id, with_for_update=lock or None)
    if user is None:
        raise errors.user_not_found(user_id)
    return user


def find_user(session: Session, username: str, *, lock: bool = False) -> UserRow | None:
    stmt = sa.select(UserRow).where(UserRow.username == username.strip().lower())
    if lock:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def username_exists(session: Session, username: str) -> bool:
    return find_user(session, username) is not None


def list_users(session: Session, *, limit: int, offset: int) -> tuple[list[UserRow], int]:
    total = session.execute(sa.select(sa.func.count()).select_from(UserRow)).scalar_one()
    rows = session.execute(
        sa.select(UserRow).order_by(UserRow.username).limit(limit).offset(offset)
    ).scalars()
    return list(rows), int(total)


def get_habilitation(session: Session, habilitation_id: int) -> HabilitationRow:
    row = session.get(HabilitationRow, habilitation_id)
    if row is None:
        raise errors.habilitation_not_found(habilitation_id)
    return row


def get_session(session: Session, token_hash: str) -> SessionRow | None:
    return session.get(SessionRow, token_hash)


def get_challenge(session: Session, token_hash: str) -> LoginChallengeRow | None:
    """The login challenge, locked until the transaction ends (it serves once)."""
    return session.get(LoginChallengeRow, token_hash, with_for_update=True)


def find_token(session: Session, token_hash: str) -> ApiTokenRow | None:
    return session.execute(
        sa.select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)
    ).scalar_one_or_none()


def get_token(session: Session, token_id: int) -> ApiTokenRow:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise errors.token_not_found(token_id)
    return row


def list_tokens(session: Session, user_id: int) -> list[ApiTokenRow]:
    return list(
        session.execute(
            sa.select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        ).scalars()
    )


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        sa.update(SessionRow)
        .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def touch_session(session: Session, token_hash: str, now: datetime) -> None:
    session.execute(
        sa.update(SessionRow).where(SessionRow.token_hash == token_hash).values(last_seen_at=now)
    )


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    session.execute(
        sa.update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now)
    )


def revoke_user_tokens(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        sa.update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
