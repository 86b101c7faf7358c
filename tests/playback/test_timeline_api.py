"""Timelines and their summaries through the API (not journalled: no footage is served)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from tests.playback.conftest import FIRST, NOW, SECOND, Site, journal

PERIOD = {"from": FIRST.isoformat(), "to": (SECOND + timedelta(seconds=30)).isoformat()}


def test_timeline_of_a_camera(client: TestClient, site: Site) -> None:
    url = f"/api/cameras/{site.cam}/timeline"
    response = client.get(url, params=PERIOD, headers=site.headers(Role.OPERATOR))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["recorded_seconds"] == 40.0
    assert [(r["from"], r["to"]) for r in body["ranges"]] == [
        ("2026-11-22T09:10:00Z", "2026-11-22T09:10:20Z"),
        ("2026-11-22T09:11:00Z", "2026-11-22T09:11:20Z"),
    ]
    assert body["ranges"][0]["segments"] is None
    assert [(g["from"], g["reason"]) for g in body["gaps"]] == [
        ("2026-11-22T09:10:20Z", "not_recorded"),
        ("2026-11-22T09:11:20Z", "not_recorded"),
    ]
    detailed = client.get(
        url, params=PERIOD | {"segments": "true"}, headers=site.headers(Role.OPERATOR)
    ).json()
    segments = detailed["ranges"][0]["segments"]
    assert [s["id"] for s in segments] == [site.segment_id(s) for s in site.footage[site.cam][:4]]
    assert segments[0] | {"id": 0, "bytes": 0} == {
        "id": 0,
        "from": "2026-11-22T09:10:00Z",
        "to": "2026-11-22T09:10:06Z",
        "bytes": 0,
        "codec": "h264",
        "width": 320,
        "height": 240,
        "fps": 10.0,
    }
    assert journal(site.rt, "video.playback_opened") == []


def test_timeline_scope_and_limits(client: TestClient, site: Site) -> None:
    viewer = site.headers(Role.EXTERNAL_VIEWER)
    other = client.get(f"/api/cameras/{site.other}/timeline", params=PERIOD, headers=viewer)
    assert other.json()["code"] == "camera_out_of_scope"
    month = {"from": (NOW - timedelta(days=32)).isoformat(), "to": NOW.isoformat()}
    long = client.get(f"/api/cameras/{site.cam}/timeline", params=month, headers=viewer)
    assert long.json()["code"] == "range_too_long"
    admin = site.headers(Role.ADMINISTRATOR)
    refused = client.get(f"/api/cameras/{site.cam}/timeline", params=PERIOD, headers=admin)
    assert refused.json()["code"] == "permission_denied"


def test_summaries_of_several_cameras(client: TestClient, site: Site) -> None:
    hours = {"from": "2026-11-22T08:00:00Z", "to": "2026-11-22T10:00:00Z", "bucket": "hour"}
    params = {"camera_id": [site.cam, site.other]} | hours
    response = client.get(
        "/api/timelines/summary", params=params, headers=site.headers(Role.SUPERVISOR)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["camera_id"] for s in body] == [site.cam, site.other]
    assert [(b["from"], b["recorded_seconds"]) for b in body[0]["buckets"]] == [
        ("2026-11-22T08:00:00Z", 0.0),
        ("2026-11-22T09:00:00Z", 40.0),
    ]
    assert body[0]["buckets"][1]["coverage"] == round(40 / 3600, 4)
    days = client.get(
        "/api/timelines/summary",
        params={"camera_id": site.cam, "from": "2026-11-21T23:00:00Z", "to": NOW.isoformat()},
        headers=site.headers(Role.SUPERVISOR),
    ).json()
    (day,) = days[0]["buckets"]
    assert (day["from"], day["recorded_seconds"]) == ("2026-11-21T23:00:00Z", 40.0)


def test_summaries_refuse_a_camera_out_of_scope(client: TestClient, site: Site) -> None:
    params = {"camera_id": [site.cam, site.other]} | PERIOD
    viewer = site.headers(Role.EXTERNAL_VIEWER)
    response = client.get("/api/timelines/summary", params=params, headers=viewer)
    assert (response.status_code, response.json()["code"]) == (403, "camera_out_of_scope")
