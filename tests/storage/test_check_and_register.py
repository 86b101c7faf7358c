from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, sweeper
from sentinelle.storage.check import check
from sentinelle.storage.register import do_export_register
from tests import factories as f
from tests.storage.helpers import day_of_segments, file_of, segment


def _codes(rt: Runtime, **kw: bool) -> list[str]:
    return sorted(p.code for p in check(rt, **kw).problems)


def test_clean_store_checks_ok_even_after_purge(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 4)
    day_of_segments(rt, cam.id, clock.now() - timedelta(days=1), 3)
    assert check(rt, rehash=True).ok
    sweeper.sweep_time(rt)
    report = check(rt, rehash=True)
    assert (report.ok, report.segments) == (True, 3)  # chain resumes from the register


def test_check_reports_missing_resized_altered_and_orphan_files(
    rt: Runtime, clock: FakeClock
) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=1), 4)
    file_of(rt, rows[0]).unlink()
    file_of(rt, rows[1]).write_bytes(b"short")
    altered = bytearray(file_of(rt, rows[2]).read_bytes())
    altered[10] ^= 0xFF
    file_of(rt, rows[2]).write_bytes(bytes(altered))
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    (root / f"{cam.id}/stray.mp4").write_bytes(b"x")
    (root / f"{cam.id}/writing.mp4.part").write_bytes(b"x")
    assert _codes(rt) == ["file_missing", "orphan_file", "partial_segment", "size_mismatch"]
    assert "hash_mismatch" in _codes(rt, rehash=True)


def test_check_detects_a_rewritten_catalogue_row(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=1), 3)
    with rt.db.write() as s:  # a catalogue row rewritten to match a swapped file
        s.execute(
            sa.text("UPDATE segments SET sha256 = :h WHERE id = :i"),
            {"h": "a" * 64, "i": rows[1].id},
        )
    assert "chain_broken" in _codes(rt)


def test_a_burnt_in_segments_link_binds_its_mask_version(rt: Runtime, clock: FakeClock) -> None:
    """Editing the catalogue to pass camera-mode footage off as masked by the server (which
    would let it leave unmasked) breaks the chain; so does the reverse."""
    _, _, (cam, _) = f.town(rt)
    start = clock.now() - timedelta(hours=1)
    masked = segment(rt, cam.id, start, mask=(3, "d" * 64))
    plain = segment(rt, cam.id, start + timedelta(seconds=60))
    assert check(rt).ok
    for row, version, digest in ((plain, 3, "d" * 64), (masked, None, None)):
        with rt.db.write() as s:
            s.execute(
                sa.text("UPDATE segments SET mask_version = :v, mask_digest = :d WHERE id = :i"),
                {"v": version, "d": digest, "i": row.id},
            )
        problems = [(p.code, p.where) for p in check(rt).problems]
        assert ("chain_broken", row.path) in problems


def test_check_repairs_an_interrupted_deletion(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 2)
    with rt.db.write() as s:
        s.execute(
            sa.text("UPDATE segments SET state = 'deleting' WHERE id = :i"), {"i": rows[0].id}
        )
    assert _codes(rt) == ["deletion_interrupted"]
    report = check(rt, repair=True)
    assert report.repaired
    assert not file_of(rt, rows[0]).exists()


def test_register_export_for_an_inspection(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 3)
    sweeper.sweep_time(rt)
    text = do_export_register(rt, f.ADMIN, None, None, "csv")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [(r["camera_code"], r["segments"], r["reason"]) for r in lines] == [
        ("CAM-001", "3", "retention_expiry")
    ]
    page = do_export_register(rt, f.ADMIN, clock.now() - timedelta(hours=1), None, "html")
    assert "Registre des destructions" in page
    assert "fin de la durée de conservation" in page
    with rt.db.read() as s:
        actions = s.execute(sa.text("SELECT action FROM audit_entries")).scalars().all()
    assert actions.count("register.exported") == 2
    assert "storage.footage_destroyed" in actions
