"""Storage: the chain link of a segment the server masked binds its mask version and digest
(recording-and-storage.md, Chain). Segments burnt in before this revision were linked
without it: their links, and those of every later catalogued segment of the same camera,
are computed again with the new rule, and the camera's chain head moved. Links of destroyed
segments are left as the register states them (the check takes them as anchors). Exports
already made keep the links they state, checked by the verifier they carry.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:45:00
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from sentinelle.db.base import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

_segments = sa.table(
    "segments",
    sa.column("id", sa.Integer),
    sa.column("camera_id", sa.Integer),
    sa.column("chain_seq", sa.BigInteger),
    sa.column("chain_hash", sa.String),
    sa.column("sha256", sa.String),
    sa.column("start_at", UtcDateTime),
    sa.column("end_at", UtcDateTime),
    sa.column("bytes", sa.BigInteger),
    sa.column("mask_version", sa.Integer),
    sa.column("mask_digest", sa.String),
)
_chains = sa.table(
    "camera_chains",
    sa.column("camera_id", sa.Integer),
    sa.column("last_seq", sa.BigInteger),
    sa.column("last_hash", sa.String),
)
_register = sa.table(
    "destructions",
    sa.column("camera_id", sa.Integer),
    sa.column("last_seq", sa.BigInteger),
    sa.column("last_hash", sa.String),
)


def _link(prev: str, row: sa.Row[Any]) -> str:
    start: datetime = row.start_at
    end: datetime = row.end_at
    text = f"{prev}|{row.sha256}|{row.camera_id}|{start.isoformat()}|{end.isoformat()}"
    text += f"|{row.bytes}"
    if row.mask_version is not None:
        text += f"|mask={row.mask_version}:{row.mask_digest or ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    cameras = bind.execute(
        sa.select(_segments.c.camera_id).where(_segments.c.mask_version.is_not(None)).distinct()
    ).scalars()
    anchors = {
        (r.camera_id, r.last_seq): r.last_hash
        for r in bind.execute(
            sa.select(_register.c.camera_id, _register.c.last_seq, _register.c.last_hash)
        )
    }
    for camera_id in list(cameras):
        _relink(bind, camera_id, anchors)


def _relink(bind: sa.Connection, camera_id: int, anchors: dict[tuple[int, int], str]) -> None:
    rows = bind.execute(
        sa.select(_segments)
        .where(_segments.c.camera_id == camera_id)
        .order_by(_segments.c.chain_seq)
    ).all()
    prev_seq, prev_hash, touched = None, "", False
    for row in rows:
        if prev_seq is not None and row.chain_seq == prev_seq + 1:
            link = prev_hash
        elif row.chain_seq == 1:
            link = GENESIS
        else:
            link = anchors.get((camera_id, row.chain_seq - 1), "")
        touched = touched or row.mask_version is not None
        new = _link(link, row) if touched and link else row.chain_hash
        if new != row.chain_hash:
            bind.execute(_segments.update().where(_segments.c.id == row.id).values(chain_hash=new))
        prev_seq, prev_hash = row.chain_seq, new
    head = bind.execute(sa.select(_chains).where(_chains.c.camera_id == camera_id)).first()
    if head is not None and prev_seq is not None and head.last_seq == prev_seq:
        bind.execute(
            _chains.update().where(_chains.c.camera_id == camera_id).values(last_hash=prev_hash)
        )


def downgrade() -> None:
    """Links are not put back: a downgraded checker would report the burnt-in segments'
    links as broken, which is what they then are for it."""
