"""The ingest worker processes `serve` supervises: cameras shared between shards, and a
worker killed with SIGKILL restarted, its camera recorded again."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.worker import Shard
from sentinelle.runtime import Runtime
from sentinelle.storage.check import check
from sentinelle.workers.ingest import Supervisor
from tests import factories as f


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _segments(rt: Runtime) -> dict[int, int]:
    with rt.db.read() as s:
        rows = s.execute(sa.text("SELECT camera_id, count(*) FROM segments GROUP BY camera_id"))
        return {int(r[0]): int(r[1]) for r in rows}


def test_shards_split_the_cameras() -> None:
    shards = [Shard(i, 3) for i in range(3)]
    assert [[s.owns(c) for s in shards].count(True) for c in range(1, 10)] == [1] * 9


def test_a_killed_worker_is_restarted_and_its_camera_recorded_again(
    rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 3)
    rt = Runtime.open(rt.settings)  # with the site's key file, as the worker processes
    _, _, cams = f.town(rt, main_stream_url=f"file://{clip}")
    monkeypatch.setenv("SENTINELLE_DATABASE_URL", rt.settings.resolved_database_url)
    supervisor = Supervisor(rt.settings.resolved_data_dir, count=2)
    supervisor.start()
    try:
        assert _wait_for(lambda: all(_segments(rt).get(c.id, 0) >= 1 for c in cams))
        victim = supervisor.pids()[cams[0].id % 2]
        os.kill(victim, signal.SIGKILL)
        before = _segments(rt)[cams[0].id]
        assert _wait_for(lambda: supervisor.restarts == 1)
        assert victim not in supervisor.pids()
        assert _wait_for(lambda: _segments(rt)[cams[0].id] >= before + 2)
    finally:
        supervisor.stop()
    try:
        assert check(rt).ok  # the shards never recorded the same camera twice (no overlap)
    finally:
        rt.db.dispose()
