"""Registry: each camera's field-of-view sector for the map (direction, angle, depth).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = ("azimuth_deg", "view_angle_deg", "view_range_m")


def upgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
