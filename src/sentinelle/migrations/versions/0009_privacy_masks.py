"""Privacy masks: versioned polygon sets per camera, and the latches of failed audits.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mask_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("polygons", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_mask_sets_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_sets")),
        sa.UniqueConstraint("camera_id", "version", name=op.f("uq_mask_sets_camera_id")),
    )
    with op.batch_alter_table("mask_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mask_sets_camera_id"), ["camera_id"], unique=False)
    op.create_table(
        "mask_latches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("forced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forced_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("confirm_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_mask_latches_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_latches")),
    )
    with op.batch_alter_table("mask_latches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mask_latches_camera_id"), ["camera_id"], unique=False)


def downgrade() -> None:
    op.drop_table("mask_latches")
    op.drop_table("mask_sets")
