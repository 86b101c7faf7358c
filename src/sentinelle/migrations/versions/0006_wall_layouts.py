"""Live wall: saved layouts per user, shared as presets.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wall_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grid", sa.Integer(), nullable=False),
        sa.Column("tiles", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_wall_layouts_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_layouts")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_wall_layouts_owner_id")),
    )
    with op.batch_alter_table("wall_layouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wall_layouts_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_wall_layouts_shared"), ["shared"], unique=False)


def downgrade() -> None:
    op.drop_table("wall_layouts")
