from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sentinelle.audit.chain import canonical, entry_hash
from sentinelle.audit.models import GENESIS_HASH, Actor, AuditAction, EntryDraft
from sentinelle.audit.repository import EntryFilter
from sentinelle.audit.service import do_export, do_verify, record
from sentinelle.audit.verify import verify_chain, verify_journal
from sentinelle.core.clock import FakeClock
from sentinelle.runtime import Runtime
from tests.audit.helpers import tamper

ALICE = Actor.user(7, "alice")


def _append(rt: Runtime, n: int, camera_id: int | None = None, actor: Actor = ALICE) -> None:
    for i in range(n):
        with rt.db.write() as s:
            record(
                s,
                EntryDraft(
                    actor,
                    AuditAction.CAMERA_UPDATED,
                    "camera",
                    str(i),
                    camera_id=camera_id,
                    reason=f"r{i}",
                    details={"i": i, "é": "ü"},
                ),
                rt.now(),
            )


def _verify(rt: Runtime) -> tuple[bool, int | None, str]:
    with rt.db.read() as s:
        report = verify_chain(s)
    return report.ok, report.first_bad_seq, report.problem


def test_entries_chain_from_genesis_and_verify(rt: Runtime) -> None:
    _append(rt, 5)
    with rt.db.read() as s:
        report = verify_chain(s)
        first = s.execute(sa.text("SELECT prev_hash, hash FROM audit_entries WHERE seq = 1")).one()
    assert report.ok
    assert report.checked == 5
    assert report.last_seq == 5
    assert first.prev_hash == GENESIS_HASH


def test_empty_journal_verifies(rt: Runtime) -> None:
    assert _verify(rt) == (True, None, "")


def test_altered_entry_is_named(rt: Runtime) -> None:
    _append(rt, 6)
    tamper(rt, "UPDATE audit_entries SET reason = 'nothing to see' WHERE seq = 4")
    ok, bad, problem = _verify(rt)
    assert (ok, bad) == (False, 4)
    assert "altered" in problem


def test_altered_details_or_time_are_detected(rt: Runtime) -> None:
    _append(rt, 3)
    tamper(rt, "UPDATE audit_entries SET at_us = at_us + 1 WHERE seq = 2")
    assert _verify(rt)[:2] == (False, 2)


def test_deleted_entry_is_named(rt: Runtime) -> None:
    _append(rt, 6)
    tamper(rt, "DELETE FROM audit_entries WHERE seq = 3")
    ok, bad, problem = _verify(rt)
    assert (ok, bad) == (False, 3)
    assert "missing" in problem


def test_reordered_entries_are_detected(rt: Runtime) -> None:
    _append(rt, 6)
    tamper(
        rt,
        "UPDATE audit_entries SET seq = -1 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = 4",
        "UPDATE audit_entries SET seq = 4 WHERE seq = -1",
    )
    ok, bad, _ = _verify(rt)
    assert (ok, bad) == (False, 3)


def test_removed_tail_is_detected_through_the_head(rt: Runtime) -> None:
    _append(rt, 4)
    tamper(rt, "DELETE FROM audit_entries WHERE seq = 4")
    ok, bad, problem = _verify(rt)
    assert not ok
    assert bad == 4
    assert "head" in problem


def test_rewritten_head_is_detected(rt: Runtime) -> None:
    _append(rt, 2)
    tamper(rt, "UPDATE audit_head SET last_hash = :h", h="f" * 64)
    assert not _verify(rt)[0]


def test_journal_refuses_update_and_delete(rt: Runtime) -> None:
    _append(rt, 2)
    for statement in (
        "UPDATE audit_entries SET reason = 'x'",
        "DELETE FROM audit_entries",
        "DELETE FROM audit_head",
        "UPDATE audit_head SET last_seq = 1",
    ):
        with pytest.raises(sa.exc.DatabaseError, match=r"append-only|head"), rt.db.write() as s:
            s.execute(sa.text(statement))
    assert _verify(rt) == (True, None, "")


def test_entry_disappears_with_a_rolled_back_change(rt: Runtime) -> None:
    _append(rt, 1)

    def failing_change() -> None:
        with rt.db.write() as s:
            record(s, EntryDraft(ALICE, AuditAction.CAMERA_CREATED, "camera", "9"), rt.now())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_change()
    _append(rt, 1)
    with rt.db.read() as s:
        report = verify_chain(s)
    assert report.ok
    assert report.checked == 2


def test_concurrent_writers_keep_one_chain(rt: Runtime) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            _append(rt, 15, actor=Actor.user(1, name))
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.db.read() as s:
        report = verify_chain(s)
    assert report.ok
    assert report.checked == 60


def test_canonical_form_is_unambiguous() -> None:
    base = (1, 10, "user", 1, "a", "x", "camera", "1", None, "ab", "c", GENESIS_HASH)
    shifted = (1, 10, "user", 1, "a", "x", "camera", "1", None, "a", "bc", GENESIS_HASH)
    assert canonical(base) != canonical(shifted)
    assert entry_hash(GENESIS_HASH, base) != entry_hash(GENESIS_HASH, shifted)


def test_export_filters_and_carries_hashes(rt: Runtime, clock: FakeClock) -> None:
    _append(rt, 2, camera_id=3)
    clock.advance(timedelta(days=1))
    _append(rt, 1, camera_id=4, actor=Actor.user(8, "bob"))
    since = clock.now() - timedelta(hours=1)
    text = do_export(rt, Actor.cli("dpo"), EntryFilter(since=since), "json", "inspection")
    rows = json.loads(text)
    assert [r["actor_name"] for r in rows] == ["bob"]
    assert all(len(r["hash"]) == 64 for r in rows)
    text = do_export(rt, Actor.cli("dpo"), EntryFilter(camera_id=3), "csv", "inspection")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["camera_id"] for r in table] == ["3", "3"]
    with rt.db.read() as s:
        actions = s.execute(sa.text("SELECT action FROM audit_entries ORDER BY seq")).scalars()
        assert list(actions)[-2:] == ["audit.exported", "audit.exported"]


def test_verification_is_itself_journalled(rt: Runtime) -> None:
    _append(rt, 2)
    report = do_verify(rt, Actor.cli("dpo"))
    assert report.ok
    assert _verify(rt) == (True, None, "")
    with rt.db.read() as s:
        last = s.execute(sa.text("SELECT action, details FROM audit_entries WHERE seq = 3")).one()
    assert last.action == "audit.verified"
    assert json.loads(last.details)["checked"] == 2


def test_parallel_verification_agrees_with_the_reference(rt: Runtime) -> None:
    _append(rt, 30)
    report = verify_journal(rt.db, workers=3, min_parallel=1)
    assert (report.ok, report.checked, report.last_seq) == (True, 30, 30)
    tamper(rt, "UPDATE audit_entries SET reason = 'x' WHERE seq = 17")
    report = verify_journal(rt.db, workers=3, min_parallel=1)
    assert (report.ok, report.first_bad_seq) == (False, 17)
    tamper(rt, "UPDATE audit_entries SET reason = 'r16' WHERE seq = 17")  # restore content
    tamper(rt, "DELETE FROM audit_entries WHERE seq = 11")  # at a range boundary
    report = verify_journal(rt.db, workers=3, min_parallel=1)
    assert (report.ok, report.first_bad_seq) == (False, 11)


def test_several_entries_in_one_transaction_chain_in_order(rt: Runtime) -> None:
    _append(rt, 1)
    with rt.db.write() as s:
        for i in range(3):
            record(s, EntryDraft(ALICE, AuditAction.ZONE_CREATED, "zone", str(i)), rt.now())
    _append(rt, 1)
    with rt.db.read() as s:
        report = verify_chain(s)
        targets = s.execute(sa.text("SELECT target_id FROM audit_entries ORDER BY seq")).scalars()
        assert list(targets) == ["0", "0", "1", "2", "0"]
    assert (report.ok, report.checked) == (True, 5)


def test_verification_sees_one_snapshot_while_others_append(rt: Runtime) -> None:
    _append(rt, 3)
    with rt.db.snapshot() as s:
        s.execute(sa.text("SELECT last_seq FROM audit_head")).scalar_one()  # snapshot taken
        _append(rt, 2)  # committed by another transaction meanwhile
        report = verify_chain(s)
    assert (report.ok, report.checked) == (True, 3)
    assert verify_journal(rt.db).checked == 5


def test_csv_export_neutralises_spreadsheet_formulas(rt: Runtime) -> None:
    with rt.db.write() as s:
        draft = EntryDraft(
            ALICE, AuditAction.CAMERA_UPDATED, "camera", "1", reason='=HYPERLINK("http://evil","x")'
        )
        record(s, draft, rt.now())
    text = do_export(rt, Actor.cli("dpo"), EntryFilter(), "csv", "")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["reason"].startswith("'=HYPERLINK")
    raw = json.loads(do_export(rt, Actor.cli("dpo"), EntryFilter(), "json", ""))
    assert raw[0]["reason"].startswith("=HYPERLINK")  # JSON keeps values as hashed
