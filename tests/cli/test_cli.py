from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import record_events
from sentinelle.migrations.runner import head_revision
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.audit.helpers import tamper
from tests.storage.helpers import day_of_segments


@pytest.fixture
def run(rt: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "SENTINELLE_DATA_DIR": str(rt.settings.resolved_data_dir),
        "SENTINELLE_DATABASE_URL": rt.settings.resolved_database_url,
    }
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), env=env, input=stdin)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_db_upgrade_reports_revision(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("db", "upgrade")
    assert code == 0
    assert f"revision {head_revision()}" in out


def test_scripted_administration(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "authorisation",
        "add",
        "--reference",
        "2026/DSC/12",
        "--prefecture",
        "Drôme",
        "--issued-on",
        "2025-06-01",
        "--purpose",
        "traffic_regulation",
        "--purpose",
        "attacks_on_persons_and_property",
        "--retention-max",
        "21",
        "--retention-min",
        "7",
    )
    assert code == 0, err
    assert "until 2030-05-31: valid" in out
    assert run("zone", "add", "--authorisation", "2026/DSC/12", "--name", "Centre")[0] == 0
    base = [
        "camera",
        "add",
        "--code",
        "C1",
        "--name",
        "Parvis",
        "--zone",
        "1",
        "--kind",
        "ptz",
        "--placement",
        "public_road",
        "--field",
        "narrow",
        "--main-url",
        "rtsp://admin:hunter22@10.0.0.2/s1",
    ]
    code, _, err = run(*base, "--retention", "45")
    assert code == 5
    assert "error [retention_out_of_bounds]" in err
    code, out, err = run(*base, "--retention", "14", "--status", "in_service")
    assert code == 0, err
    code, out, _ = run("camera", "list")
    assert "rtsp://***@10.0.0.2/s1" in out
    assert "hunter22" not in out
    code, _, err = run("camera", "set-status", "C1", "out_of_service")
    assert code == 2  # --reason is required
    code, out, _ = run("camera", "set-status", "C1", "out_of_service", "--reason", "panne")
    assert (code, out.strip()) == (0, "camera C1: out_of_service")
    code, _, err = run("camera", "set-status", "NOPE", "in_service", "--reason", "x")
    assert (code, "camera_not_found" in err) == (3, True)
    code, out, _ = run("authorisation", "list")
    assert "2026/DSC/12" in out


def test_bad_dates_and_duplicates(run) -> None:  # type: ignore[no-untyped-def]
    args = [
        "authorisation",
        "add",
        "--reference",
        "R",
        "--prefecture",
        "P",
        "--purpose",
        "terrorism_prevention",
        "--retention-max",
        "10",
    ]
    code, _, err = run(*args, "--issued-on", "2025-13-01")
    assert (code, "invalid_date" in err) == (2, True)
    assert run(*args, "--issued-on", "2025-01-01")[0] == 0
    code, _, err = run(*args, "--issued-on", "2025-01-01")
    assert (code, "authorisation_reference_taken" in err) == (4, True)


def test_user_create_reads_stdin_or_generates(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        "user",
        "create",
        "--username",
        "anne",
        "--role",
        "operator",
        stdin="Corr3ct-Horse-Battery\n",
    )
    assert code == 0
    assert "password" not in out
    code, out, _ = run("user", "create", "--username", "bob", "--role", "auditor")
    assert code == 0
    assert "password (shown once):" in out
    code, _, err = run("user", "create", "--username", "weak", "--role", "operator", stdin="abc\n")
    assert (code, "weak_password" in err) == (2, True)


def test_audit_verify_and_export(run, rt: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("user", "create", "--username", "anne", "--role", "operator")
    run("user", "create", "--username", "bob", "--role", "operator")
    code, out, _ = run("audit", "verify")
    assert code == 0
    assert "journal intact" in out
    target = tmp_path / "journal.csv"
    code, _, _ = run(
        "audit", "export", "--format", "csv", "--output", str(target), "--reason", "CNIL"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["action"] for r in rows][:2] == ["user.created", "user.created"]
    tamper(rt, "UPDATE audit_entries SET actor_name = 'someone' WHERE seq = 2")
    code, _, err = run("audit", "verify")
    assert code == 1
    assert "first bad entry #2" in err
    code, _, err = run("audit", "export", "--from", "2026-01-01")
    assert (code, "naive_datetime" in err) == (2, True)


def test_demo_town_is_created_once(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("demo", "--seed-only")
    assert code == 0
    assert "admin\t" in out
    _, cameras, _ = run("camera", "list")
    assert cameras.count("VSR-") == 8
    code, out, _ = run("demo", "--seed-only")
    assert "already present" in out


def test_serve_refuses_a_public_address_without_tls(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("serve", "--host", "0.0.0.0")  # noqa: S104 - the unsafe value under test
    assert code == 2
    assert "without TLS" in err


def test_holds_register_and_storage_from_the_command_line(run, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    _, _, (cam, _) = f.town(rt)
    start = rt.now() - timedelta(days=15)
    day_of_segments(rt, cam.id, start, 4)
    code, out, err = run(
        "hold",
        "add",
        "--camera",
        "CAM-001",
        "--from",
        start.isoformat(),
        "--to",
        (start + timedelta(minutes=2)).isoformat(),
        "--ground",
        "judicial_investigation",
        "--procedure",
        "PV 2026/77",
        "--authority",
        "OPJ Martin",
        "--reason",
        "réquisition",
    )
    assert code == 0, err
    assert "hold 1 placed" in out
    code, out, _ = run("hold", "list")
    assert "PV 2026/77" in out
    code, out, _ = run("storage", "purge")
    assert "time sweep: 2 segment(s)" in out
    code, out, _ = run(
        "recordings",
        "list",
        "--camera",
        "CAM-001",
        "--from",
        start.isoformat(),
        "--to",
        rt.now().isoformat(),
    )
    assert out.count("h264") == 2
    code, out, _ = run("register", "export", "--format", "csv")
    assert "CAM-001,2" in out.replace(" ", "")
    code, out, _ = run("storage", "check")
    assert (code, "0 problem(s)" in out) == (0, True)
    assert run("hold", "release", "1", "--reason", "classement")[0] == 0
    assert "time sweep: 2 segment(s)" in run("storage", "purge")[1]
    code, _, err = run("hold", "release", "1", "--reason", "again")
    assert (code, "hold_already_released" in err) == (4, True)


def test_recordings_events_lists_gaps_with_their_reason(run, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    _, _, (cam, _) = f.town(rt)
    at = rt.now() - timedelta(minutes=10)
    record_events(
        rt,
        [
            SessionEvent(
                cam.id, EventKind.DISCONNECTED, at, "no packet for 5 s", GapReason.STALLED
            ),
            SessionEvent(cam.id, EventKind.CONNECTED, at + timedelta(minutes=2)),
        ],
    )
    window = ("--from", (at - timedelta(hours=1)).isoformat(), "--to", rt.now().isoformat())
    code, out, err = run("recordings", "events", "--camera", "CAM-001", *window)
    assert code == 0, err
    lines = [line for line in out.splitlines() if "disconnected" in line or "connected" in line]
    assert "stalled" in lines[0]
    assert "no packet for 5 s" in lines[0]
    assert "connected" in lines[1]
    code, _, err = run("recordings", "events", "--camera", "NOPE", *window)
    assert code != 0
    assert "camera_not_found" in err
