"""Storage: segment catalogue, per-camera chains, destruction register, legal holds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:48:08.871300
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=40), nullable=False),
        sa.Column("procedure_number", sa.String(length=100), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("placed_by", sa.String(length=128), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=128), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_holds_procedure_number"), ["procedure_number"], unique=False
        )

    op.create_table(
        "camera_chains",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_chains_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_camera_chains")),
    )
    op.create_table(
        "destructions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("camera_code", sa.String(length=32), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_destructions_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destructions")),
    )
    with op.batch_alter_table("destructions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_destructions_camera_id"), ["camera_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_destructions_destroyed_at"), ["destroyed_at"], unique=False
        )

    op.create_table(
        "hold_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_hold_items_camera_id_cameras")
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["legal_holds.id"], name=op.f("fk_hold_items_hold_id_legal_holds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_items")),
    )
    with op.batch_alter_table("hold_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_items_camera_id"), ["camera_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hold_items_hold_id"), ["hold_id"], unique=False)

    op.create_table(
        "segments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Double(), nullable=False),
        sa.Column("keyframes_ms", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chain_seq", sa.BigInteger(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recovered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_segments_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("camera_id", "chain_seq", name=op.f("uq_segments_camera_id")),
        sa.UniqueConstraint("path", name=op.f("uq_segments_path")),
    )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index("ix_segments_camera_start", ["camera_id", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_segments_end_at"), ["end_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_segments_state"), ["state"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segments_state"))
        batch_op.drop_index(batch_op.f("ix_segments_end_at"))
        batch_op.drop_index("ix_segments_camera_start")

    op.drop_table("segments")
    with op.batch_alter_table("hold_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_items_hold_id"))
        batch_op.drop_index(batch_op.f("ix_hold_items_camera_id"))

    op.drop_table("hold_items")
    with op.batch_alter_table("destructions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_destructions_destroyed_at"))
        batch_op.drop_index(batch_op.f("ix_destructions_camera_id"))

    op.drop_table("destructions")
    op.drop_table("camera_chains")
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_procedure_number"))

    op.drop_table("legal_holds")
