from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from sentinelle.registry import service
from sentinelle.registry.models import (
    AuthorisationChanges,
    AuthorisationStatus,
    CameraChanges,
    CameraStatus,
)
from sentinelle.registry.streams import STREAM_PURPOSE
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f


def _journal(rt: Runtime) -> list[tuple[str, str, str]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text("SELECT action, target_id, reason FROM audit_entries ORDER BY seq")
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_authorisation_defaults_and_status(rt: Runtime) -> None:
    auth = f.authorisation(rt)
    assert auth.expires_on == date(2029, 2, 28)
    assert service.status_of(auth, service.today(rt)) is AuthorisationStatus.VALID


def test_duplicate_reference_is_a_conflict_and_journals_nothing(rt: Runtime) -> None:
    f.authorisation(rt)
    before = _journal(rt)
    with pytest.raises(Conflict) as err:
        f.authorisation(rt)
    assert err.value.code == "authorisation_reference_taken"
    assert _journal(rt) == before


@pytest.mark.parametrize("days", [0, 45])
def test_camera_retention_outside_bounds_is_refused(rt: Runtime, days: int) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    before = _journal(rt)
    with pytest.raises(RuleViolation) as err:
        f.camera(rt, zone.id, retention_days=days)
    assert err.value.code == "retention_out_of_bounds"
    assert _journal(rt) == before
    with rt.db.read() as s:
        assert s.execute(sa.text("SELECT count(*) FROM cameras")).scalar_one() == 0


def test_camera_in_service_needs_a_valid_authorisation(rt: Runtime, clock: FakeClock) -> None:
    auth = f.authorisation(rt, issued_on=date(2020, 1, 1))  # expired 2024-12-31
    zone = f.zone(rt, auth.id)
    with pytest.raises(RuleViolation) as err:
        f.camera(rt, zone.id)
    assert err.value.code == "authorisation_not_valid"
    cam = f.camera(rt, zone.id, status=CameraStatus.AWAITING_AUTHORISATION)
    with pytest.raises(RuleViolation):
        service.do_set_camera_status(rt, f.ADMIN, cam.id, CameraStatus.IN_SERVICE, "essai")


def test_future_authorisation_does_not_allow_service(rt: Runtime) -> None:
    auth = f.authorisation(rt, issued_on=date(2027, 1, 1))
    zone = f.zone(rt, auth.id)
    with pytest.raises(RuleViolation) as err:
        f.camera(rt, zone.id)
    assert err.value.details["status"] == "not_yet_valid"


def test_expiry_takes_cameras_out_of_lawful_service(rt: Runtime, clock: FakeClock) -> None:
    _, _, cams = f.town(rt)
    with rt.db.read() as s:
        rows = [s.get(CameraRow, c.id) for c in cams]
        assert all(r is not None and service.is_lawful(r, service.today(rt)) for r in rows)
    clock.set(datetime(2029, 2, 28, 22, 59, tzinfo=clock.now().tzinfo))  # 23:59 in Paris
    assert service.do_enforce_authorisations(rt) == []
    clock.advance(timedelta(minutes=2))  # 1 March, 00:01 in Paris
    with rt.db.read() as s:
        camera = s.get(CameraRow, cams[0].id)
        assert camera is not None
        assert not service.is_lawful(camera, service.today(rt))  # even before the sweep
    assert service.do_enforce_authorisations(rt) == ["CAM-001", "CAM-002"]
    assert service.do_enforce_authorisations(rt) == []  # idempotent
    actions = [a for a, _, _ in _journal(rt)]
    assert actions.count("authorisation.expired") == 1
    assert actions.count("camera.left_lawful_service") == 2
    with rt.db.read() as s:
        statuses = s.execute(sa.text("SELECT status FROM cameras")).scalars().all()
    assert set(statuses) == {"awaiting_authorisation"}


def test_renewal_allows_service_again(rt: Runtime, clock: FakeClock) -> None:
    auth, _, cams = f.town(rt)
    clock.set(datetime(2029, 3, 2, 12, tzinfo=clock.now().tzinfo))
    service.do_enforce_authorisations(rt)
    service.do_update_authorisation(
        rt,
        f.ADMIN,
        auth.id,
        AuthorisationChanges(issued_on=date(2029, 3, 2), expires_on=date(2034, 3, 1)),
        "arrêté de renouvellement",
    )
    camera = service.do_set_camera_status(rt, f.ADMIN, cams[0].id, CameraStatus.IN_SERVICE, "ok")
    assert camera.status == CameraStatus.IN_SERVICE


def test_camera_limit_of_the_authorisation(rt: Runtime) -> None:
    auth = f.authorisation(rt, camera_limit=1)
    zone = f.zone(rt, auth.id)
    f.camera(rt, zone.id, "A")
    with pytest.raises(RuleViolation) as err:
        f.camera(rt, zone.id, "B")
    assert err.value.code == "authorisation_camera_limit"


def test_lowering_authorisation_retention_below_cameras_is_refused(rt: Runtime) -> None:
    auth, _, _ = f.town(rt)
    with pytest.raises(RuleViolation) as err:
        service.do_update_authorisation(
            rt, f.ADMIN, auth.id, AuthorisationChanges(retention_max_days=10), "avenant"
        )
    assert err.value.details["cameras"] == ["CAM-001", "CAM-002"]


def test_stream_credentials_are_encrypted_at_rest(rt: Runtime) -> None:
    _, _, cams = f.town(rt)
    assert cams[0].main_url_redacted == "rtsp://***@10.0.0.7:554/CAM-001/main"
    with rt.db.engine.connect() as conn:
        dump = "\n".join(str(tuple(r)) for r in conn.execute(sa.text("SELECT * FROM cameras")))
        journal = "\n".join(
            str(tuple(r)) for r in conn.execute(sa.text("SELECT * FROM audit_entries"))
        )
    assert "s3cret-pass" not in dump
    assert "s3cret-pass" not in journal
    assert rt.box(STREAM_PURPOSE).open(cams[0].main_url_sealed).startswith("rtsp://viewer:s3cret")


@pytest.mark.parametrize(
    "url", ["rtsp//nohost", "ftp://cam/1", "rtsp:///path", "rtsp://cam:99999/x", "rtsp://a b/"]
)
def test_malformed_stream_url_is_refused(rt: Runtime, url: str) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    with pytest.raises(InvalidInput) as err:
        f.camera(rt, zone.id, main_stream_url=url)
    assert err.value.code in {"invalid_stream_url"}


def test_unknown_zone_and_duplicate_code(rt: Runtime) -> None:
    _, zone, _ = f.town(rt)
    with pytest.raises(NotFound) as missing:
        f.camera(rt, 999, "NEW")
    assert missing.value.code == "zone_not_found"
    with pytest.raises(Conflict) as dup:
        f.camera(rt, zone.id, "CAM-001")
    assert dup.value.code == "camera_code_taken"


def test_camera_update_is_journalled_with_redacted_urls(rt: Runtime) -> None:
    _, _, cams = f.town(rt)
    service.do_update_camera(
        rt,
        f.ADMIN,
        cams[0].id,
        CameraChanges(name="Parvis", main_stream_url="rtsp://u:topsecret@10.0.0.9/live"),
        "changement de caméra",
    )
    with rt.db.read() as s:
        details = s.execute(
            sa.text("SELECT details FROM audit_entries WHERE action = 'camera.updated'")
        ).scalar_one()
    assert json.loads(details)["main_stream_url"] == "rtsp://***@10.0.0.9/live"
    assert "topsecret" not in details


def test_status_change_is_journalled_with_reason(rt: Runtime) -> None:
    _, _, cams = f.town(rt)
    service.do_set_camera_status(rt, f.ADMIN, cams[0].id, CameraStatus.OUT_OF_SERVICE, "panne")
    assert _journal(rt)[-1] == ("camera.status_changed", str(cams[0].id), "panne")


def test_amendment_that_makes_the_authorisation_unlawful_withdraws_its_cameras(
    rt: Runtime,
) -> None:
    auth, _, _ = f.town(rt)
    service.do_update_authorisation(
        rt,
        f.ADMIN,
        auth.id,
        AuthorisationChanges(issued_on=date(2027, 1, 1), expires_on=date(2031, 12, 31)),
        "arrêté rectificatif",
    )
    with rt.db.read() as s:
        statuses = s.execute(sa.text("SELECT status FROM cameras")).scalars().all()
    assert set(statuses) == {"awaiting_authorisation"}
    assert [a for a, _, _ in _journal(rt)][-2:] == ["camera.left_lawful_service"] * 2
    assert service.do_enforce_authorisations(rt) == []


def test_camera_limit_cannot_drop_below_cameras_in_service(rt: Runtime) -> None:
    auth, _, _ = f.town(rt)
    with pytest.raises(RuleViolation) as err:
        service.do_update_authorisation(
            rt, f.ADMIN, auth.id, AuthorisationChanges(camera_limit=1), "avenant"
        )
    assert err.value.code == "camera_limit_below_service"
    service.do_update_authorisation(rt, f.ADMIN, auth.id, AuthorisationChanges(camera_limit=2), "")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "rtsp://10.0.0.3/cam/realmonitor?channel=1&user=admin&password=Pa55",
            "rtsp://10.0.0.3/cam/realmonitor?channel=1&user=***&password=***",
        ),
        (
            "http://cam/axis-cgi/mjpg?resolution=4CIF&pwd=x",
            "http://cam/axis-cgi/mjpg?resolution=4CIF&pwd=***",
        ),
        ("rtsp://u:p@[fd00::7]:8554/live", "rtsp://***@[fd00::7]:8554/live"),
    ],
)
def test_credentials_in_queries_are_redacted_too(rt: Runtime, url: str, shown: str) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    camera = f.camera(rt, zone.id, main_stream_url=url)
    assert camera.main_url_redacted == shown
    with rt.db.read() as s:
        journal = s.execute(sa.text("SELECT details FROM audit_entries")).scalars().all()
    assert not any("Pa55" in d or "pwd=x" in d for d in journal)
