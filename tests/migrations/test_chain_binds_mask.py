"""Migration 0014: links of server-masked segments catalogued before the chain bound the mask
version are made again, so that `storage check` holds on such a store after the upgrade."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from sentinelle.core.clock import FakeClock
from sentinelle.db.engine import create_engine
from sentinelle.migrations.runner import alembic_config, upgrade
from sentinelle.runtime import Runtime
from sentinelle.storage import policy
from sentinelle.storage.check import check
from sentinelle.storage.tables import CameraChainRow, SegmentRow
from tests import factories as f
from tests.storage.helpers import segment


def _link_as_before(rt: Runtime, camera_id: int) -> None:
    """Rewrite the camera's links as catalogued before 0014 (no mask part)."""
    with rt.db.write() as s:
        rows = s.execute(
            sa.select(SegmentRow)
            .where(SegmentRow.camera_id == camera_id)
            .order_by(SegmentRow.chain_seq)
        ).scalars()
        prev = "0" * 64
        for row in rows:
            row.chain_hash = policy.chain_hash(
                prev, row.sha256, row.camera_id, row.start_at, row.end_at, row.bytes
            )
            prev = row.chain_hash
        head = s.get(CameraChainRow, camera_id)
        assert head is not None
        head.last_hash = prev


def test_old_links_of_burnt_in_segments_are_made_again(
    rt: Runtime, clock: FakeClock, db_url: str
) -> None:
    _, _, (cam, other) = f.town(rt)
    start = clock.now() - timedelta(hours=2)
    segment(rt, cam.id, start)
    segment(rt, cam.id, start + timedelta(seconds=60), mask=(2, "c" * 64))
    segment(rt, cam.id, start + timedelta(seconds=120))
    segment(rt, other.id, start)  # no masked footage: untouched
    with rt.db.read() as s:
        untouched = s.execute(
            sa.select(SegmentRow.chain_hash).where(SegmentRow.camera_id == other.id)
        ).scalar_one()
    _link_as_before(rt, cam.id)
    assert [p.code for p in check(rt).problems] == ["chain_broken"]  # the masked one
    engine = create_engine(db_url)
    command.downgrade(alembic_config(engine), "0013")
    upgrade(engine)
    engine.dispose()
    assert check(rt).ok
    segment(rt, cam.id, start + timedelta(seconds=180))  # the head moved with the links
    assert check(rt).ok
    with rt.db.read() as s:
        assert (
            s.execute(
                sa.select(SegmentRow.chain_hash).where(SegmentRow.camera_id == other.id)
            ).scalar_one()
            == untouched
        )
