"""Ingest: camera health events (gaps with their reason, stream facts).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "camera_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_events_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_events")),
    )
    with op.batch_alter_table("camera_events", schema=None) as batch_op:
        batch_op.create_index("ix_camera_events_camera_at", ["camera_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("camera_events", schema=None) as batch_op:
        batch_op.drop_index("ix_camera_events_camera_at")
    op.drop_table("camera_events")
