"""Evidence: export jobs, the export journal; storage: read holds of running jobs, and the
segments' (camera, start) index widened to cover timeline queries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_camera_start")
        batch_op.create_index(
            "ix_segments_camera_span", ["camera_id", "start_at", "end_at", "state"], unique=False
        )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=16), nullable=False),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("requisition", sa.String(length=100), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("camera_ids", sa.JSON(), nullable=False),
        sa.Column("range_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("range_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=False),
        sa.Column("error_message", sa.String(length=2000), nullable=False),
        sa.Column("out_dir", sa.String(length=1000), nullable=False),
        sa.Column("package_path", sa.String(length=1000), nullable=False),
        sa.Column("zip_path", sa.String(length=1000), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
        sa.UniqueConstraint("reference", name=op.f("uq_exports_reference")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_status"), ["status"], unique=False)
    op.create_table(
        "export_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("camera_code", sa.String(length=32), nullable=False),
        sa.Column("images_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("images_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Double(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exporter_kind", sa.String(length=16), nullable=False),
        sa.Column("exporter_name", sa.String(length=200), nullable=False),
        sa.Column("exporter_id", sa.Integer(), nullable=True),
        sa.Column("requisition", sa.String(length=100), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_export_lines_camera_id_cameras")
        ),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_export_lines_export_id_exports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_lines")),
    )
    with op.batch_alter_table("export_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_lines_export_id"), ["export_id"], unique=False)
        batch_op.create_index("ix_export_lines_exported_at", ["exported_at"], unique=False)
    op.create_table(
        "read_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_read_holds_camera_id_cameras")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_holds")),
    )
    with op.batch_alter_table("read_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_read_holds_camera_id"), ["camera_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_read_holds_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_camera_span")
        batch_op.create_index("ix_segments_camera_start", ["camera_id", "start_at"], unique=False)
    op.drop_table("read_holds")
    op.drop_table("export_lines")
    op.drop_table("exports")
