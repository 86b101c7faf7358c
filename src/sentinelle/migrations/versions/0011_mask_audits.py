"""Privacy: the mask audits of each camera, the footage flagged after a failed audit, and the
audits administrators ask for.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _camera_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["camera_id"], ["cameras.id"], name=op.f(f"fk_{table}_camera_id_cameras")
    )


def upgrade() -> None:
    op.create_table(
        "mask_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("mask_version", sa.Integer(), nullable=False),
        _camera_fk("mask_audits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_audits")),
    )
    with op.batch_alter_table("mask_audits", schema=None) as batch_op:
        batch_op.create_index("ix_mask_audits_camera_at", ["camera_id", "at"], unique=False)
    op.create_table(
        "mask_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("from_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["mask_audits.id"], name=op.f("fk_mask_flags_audit_id_mask_audits")
        ),
        _camera_fk("mask_flags"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_flags")),
    )
    with op.batch_alter_table("mask_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mask_flags_camera_id"), ["camera_id"], unique=False)
    op.create_table(
        "mask_audit_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        _camera_fk("mask_audit_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_audit_requests")),
    )
    with op.batch_alter_table("mask_audit_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mask_audit_requests_camera_id"), ["camera_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("mask_audit_requests")
    op.drop_table("mask_flags")
    op.drop_table("mask_audits")
