"""Disclosures: anonymised copies of exported files for third parties (issue 6 item 6).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:34:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("camera_code", sa.String(length=32), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=16), nullable=False),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Double(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("tracks", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("plan_saved_by", sa.String(length=200), nullable=False),
        sa.Column("plan_saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("render_requested_by_kind", sa.String(length=16), nullable=False),
        sa.Column("render_requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("render_requested_by_id", sa.Integer(), nullable=True),
        sa.Column("viewers", sa.JSON(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=False),
        sa.Column("error_message", sa.String(length=2000), nullable=False),
        sa.Column("work_dir", sa.String(length=1000), nullable=False),
        sa.Column("package_path", sa.String(length=1000), nullable=False),
        sa.Column("output_sha256", sa.String(length=64), nullable=False),
        sa.Column("log_sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_disclosures_camera_id_cameras")
        ),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_disclosures_export_id_exports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
        sa.UniqueConstraint("reference", name=op.f("uq_disclosures_reference")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosures_export_id"), ["export_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosures_status"))
        batch_op.drop_index(batch_op.f("ix_disclosures_export_id"))

    op.drop_table("disclosures")
