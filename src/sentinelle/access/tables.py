"""Access tables: users, habilitations (+ their camera groups), sessions, login steps, tokens."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.db.base import Base


class UserRow(Base):
    """An individual account (no shared accounts). Never deleted: deactivated."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    password_changed_at: Mapped[datetime]
    mfa_secret_sealed: Mapped[str | None] = mapped_column(sa.Text)
    mfa_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    habilitations: Mapped[list[HabilitationRow]] = relationship(
        back_populates="user", order_by="HabilitationRow.id", lazy="selectin"
    )

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_secret_sealed is not None


class HabilitationGroupRow(Base):
    """One camera group in a habilitation's scope."""

    __tablename__ = "habilitation_groups"

    habilitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("habilitations.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("camera_groups.id"), primary_key=True)


class HabilitationRow(Base):
    """Who designated a person to see images, for which cameras, until when (rule 6)."""

    __tablename__ = "habilitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    designated_by: Mapped[str] = mapped_column(sa.String(200))
    designation_ref: Mapped[str] = mapped_column(sa.String(200), default="")
    designated_on: Mapped[date]
    expires_on: Mapped[date]
    all_cameras: Mapped[bool] = mapped_column(default=False)
    sworn: Mapped[bool] = mapped_column(default=False)
    training_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]

    user: Mapped[UserRow] = relationship(back_populates="habilitations")

    groups: Mapped[list[HabilitationGroupRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def group_ids(self) -> frozenset[int]:
        return frozenset(g.group_id for g in self.groups)


class SessionRow(Base):
    """A console session: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client: Mapped[str] = mapped_column(sa.String(200), default="")


class LoginChallengeRow(Base):
    """The second step of a login: a TOTP code, or the enrolment of a first TOTP secret."""

    __tablename__ = "login_challenges"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(16))
    pending_secret_sealed: Mapped[str | None] = mapped_column(sa.Text)
    expires_at: Mapped[datetime]
    used: Mapped[bool] = mapped_column(default=False)


class ApiTokenRow(Base):
    """A long-lived bearer token for scripts, acting as its owner (hash stored, never the token)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
