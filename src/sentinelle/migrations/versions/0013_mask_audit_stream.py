"""Privacy: which stream of the camera each mask audit sampled — `main` (recorded and shown)
or `sub` (the live-only sub-stream the wall shows). Audits before this one sampled the main
stream.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mask_audits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stream", sa.String(8), server_default="main", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("mask_audits", schema=None) as batch_op:
        batch_op.drop_column("stream")
