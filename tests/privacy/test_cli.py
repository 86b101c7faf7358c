"""`sentinelle camera masks`: show, set from a file, mode, confirm-fixed; codes as exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinelle.audit.models import Actor
from sentinelle.cli.main import app
from sentinelle.privacy import service
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import rect

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(rt: Runtime) -> Run:
    env = {
        "SENTINELLE_DATA_DIR": str(rt.settings.resolved_data_dir),
        "SENTINELLE_DATABASE_URL": rt.settings.resolved_database_url,
    }
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_masks_are_set_from_a_file_shown_and_their_mode_chosen(
    rt: Runtime, run: Run, tmp_path: Path
) -> None:
    f.town(rt)
    file = tmp_path / "masks.json"
    polygons = [{"name": "fenêtres 3 place du Marché", "points": rect(0.1, 0.1, 0.3, 0.2)}]
    file.write_text(json.dumps({"polygons": polygons}), encoding="utf-8")
    code, out, err = run(
        "camera", "masks", "set", "CAM-001", "--file", str(file), "--reason", "pose"
    )
    assert code == 0, err
    assert "version 1" in out
    assert "fenêtres 3 place du Marché" in out
    code, out, err = run("camera", "masks", "mode", "CAM-001", "server", "--reason", "r")
    assert code == 0, err
    assert "pipeline burn_in" in out
    code, out, _ = run("camera", "masks", "show", "CAM-001")
    assert "version 2  mode server" in out


def test_bad_masks_and_unlatched_confirmations_fail_with_their_code(
    rt: Runtime, run: Run, tmp_path: Path
) -> None:
    _, _, (camera, _) = f.town(rt)
    file = tmp_path / "bad.json"
    file.write_text(
        json.dumps([{"name": "x", "points": [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]}])
    )
    code, _, err = run("camera", "masks", "set", "CAM-001", "--file", str(file), "--reason", "r")
    assert code == 2
    assert "mask_self_intersecting" in err
    code, _, err = run("camera", "masks", "confirm-fixed", "CAM-001", "--reason", "r")
    assert code == 5
    assert "mask_not_latched" in err
    service.do_force_server(rt, Actor.system("mask-audit"), camera.id, "audit failed")
    code, out, err = run("camera", "masks", "confirm-fixed", "CAM-001", "--reason", "réparée")
    assert code == 0, err
    assert "in force camera" in out
