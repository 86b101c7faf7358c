"""Storage: the privacy mask version (and its digest) each segment was burnt in with.

NULL for segments recorded without server-side masking (camera mode, or before masks).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mask_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mask_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_column("mask_digest")
        batch_op.drop_column("mask_version")
