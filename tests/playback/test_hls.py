"""Playback through the API: the grant, the playlist as players read it, segment files with
byte ranges, checked with ffprobe as an independent player."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api.routers.playback import RangeNotSatisfiable, byte_range
from sentinelle.core.clock import FakeClock
from sentinelle.playback.hls import init_length
from tests.playback.conftest import CLIP_SECONDS, FIRST, FPS, SECOND, Site

AGENT = Role.REQUISITION_AGENT


def _open(client: TestClient, site: Site, role: Role = AGENT, **overrides: Any) -> dict[str, Any]:
    body = {
        "camera_ids": [site.cam],
        "from": FIRST.isoformat(),
        "to": (SECOND + timedelta(seconds=30)).isoformat(),
        "reason": "PV 2026/004512",
    } | overrides
    response = client.post("/api/playback", json=body, headers=site.headers(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _tags(playlist: str, name: str) -> list[str]:
    return [line.split(":", 1)[1] for line in playlist.splitlines() if line.startswith(f"#{name}:")]


def test_opening_returns_a_grant_with_playlists_and_timelines(
    client: TestClient, site: Site
) -> None:
    opened = _open(client, site, camera_ids=[site.cam, site.other])
    assert [c["camera_id"] for c in opened["cameras"]] == [site.cam, site.other]
    first = opened["cameras"][0]
    assert first["code"] == "CAM-001"
    assert first["playlist_url"] == f"/api/playback/{opened['grant']}/cameras/{site.cam}.m3u8"
    assert first["start_program_date_time"] == "2026-11-22T09:10:00Z"
    timeline = first["timeline"]
    assert timeline["recorded_seconds"] == pytest.approx(2 * CLIP_SECONDS, abs=0.01)
    assert [g["reason"] for g in timeline["gaps"]] == ["not_recorded", "not_recorded"]
    assert timeline["gaps"][0]["from"] == "2026-11-22T09:10:20Z"
    assert opened["expires_at"] == "2026-11-22T14:00:00Z"


def test_playlist_is_well_formed(client: TestClient, site: Site) -> None:
    start = FIRST + timedelta(seconds=8.5)
    opened = _open(client, site, **{"from": start.isoformat()})
    url = opened["cameras"][0]["playlist_url"]
    response = client.get(url, headers=site.headers(AGENT))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert response.headers["cache-control"] == "private"
    text = response.text
    lines = text.splitlines()
    assert lines[:6] == [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-TARGETDURATION:6",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    assert lines[-1] == "#EXT-X-ENDLIST"
    # from 09:10:08.5: the segment [09:10:06, 09:10:12) is the first, entered 2.5 s in
    assert _tags(text, "EXT-X-START") == ["TIME-OFFSET=2.500,PRECISE=YES"]
    footage = [s for s in site.footage[site.cam] if s.end > start]
    assert _tags(text, "EXT-X-PROGRAM-DATE-TIME") == [
        s.start.strftime("%Y-%m-%dT%H:%M:%S.000Z") for s in footage
    ]
    assert _tags(text, "EXTINF") == [f"{(s.end - s.start).total_seconds():.3f}," for s in footage]
    ids = [site.segment_id(s) for s in footage]
    maps = [
        f'URI="../segments/{i}",BYTERANGE="{init_length(site.file(s))}@0"'
        for i, s in zip(ids, footage, strict=True)
    ]
    assert _tags(text, "EXT-X-MAP") == maps
    assert [line for line in lines if line.startswith("../segments/")] == [
        f"../segments/{i}" for i in ids
    ]
    assert text.count("#EXT-X-DISCONTINUITY") == len(footage) - 1


def test_the_playlist_plays(client: TestClient, site: Site, tmp_path: Path) -> None:
    """Fetch every init section and fragment run by its byte range, as a player does: the
    bytes are the stored files', and ffprobe reads every frame of both recordings."""
    opened = _open(client, site)
    headers = site.headers(AGENT)
    url = opened["cameras"][0]["playlist_url"]
    text = client.get(url, headers=headers).text
    base = url.rsplit("/", 2)[0]
    local = text
    by_id = {site.segment_id(s): site.file(s) for s in site.footage[site.cam]}
    for segment_id, init, media in _entries(text):
        stored = by_id[segment_id].read_bytes()
        fetched = b"".join(
            _fetch(client, f"{base}/segments/{segment_id}", first, length, headers)
            for first, length in (init, media)
        )
        assert fetched == stored  # init + fragments are the whole file, untouched
        assert init == (0, init_length(by_id[segment_id]))
        (tmp_path / f"{segment_id}.mp4").write_bytes(fetched)
        assert _frames(tmp_path / f"{segment_id}.mp4") > 0
        local = local.replace(f'"../segments/{segment_id}"', f'"{segment_id}.mp4"')
        local = local.replace(f"\n../segments/{segment_id}\n", f"\n{segment_id}.mp4\n")
    (tmp_path / "local.m3u8").write_text(local)
    assert _packets(tmp_path / "local.m3u8") == 2 * CLIP_SECONDS * FPS


def _entries(playlist: str) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
    """(segment id, init (offset, length), fragments (offset, length)) per media segment."""
    out = []
    init = (0, 0)
    media = (0, 0)
    for line in playlist.splitlines():
        if line.startswith("#EXT-X-MAP:"):
            length, offset = re.findall(r'BYTERANGE="(\d+)@(\d+)"', line)[0]
            init = (int(offset), int(length))
        elif line.startswith("#EXT-X-BYTERANGE:"):
            length, offset = line.split(":", 1)[1].split("@")
            media = (int(offset), int(length))
        elif line.startswith("../segments/"):
            out.append((int(line.rsplit("/", 1)[1]), init, media))
    return out


def _fetch(client: TestClient, url: str, first: int, length: int, headers: dict[str, str]) -> bytes:
    ranged = headers | {"Range": f"bytes={first}-{first + length - 1}"}
    response = client.get(url, headers=ranged)
    assert response.status_code == 206, response.text
    assert response.headers["content-range"].startswith(f"bytes {first}-{first + length - 1}/")
    assert len(response.content) == length
    return response.content


def _frames(path: Path) -> int:
    return int(_ffprobe(path, "-count_frames", "stream=nb_read_frames"))


def _packets(path: Path) -> int:
    return int(_ffprobe(path, "-count_packets", "stream=nb_read_packets"))


def _ffprobe(path: Path, count: str, entry: str) -> str:
    result = subprocess.run(
        ["/usr/bin/ffprobe", "-v", "error", count, "-select_streams", "v:0",
         "-show_entries", entry, "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    streams = json.loads(result.stdout)["streams"]
    return str(streams[0][entry.split("=")[1]])


def test_segment_byte_ranges(client: TestClient, site: Site) -> None:
    opened = _open(client, site)
    headers = site.headers(AGENT)
    segment = site.footage[site.cam][0]
    stored = site.file(segment).read_bytes()
    url = f"/api/playback/{opened['grant']}/segments/{site.segment_id(segment)}"
    whole = client.get(url, headers=headers)
    assert whole.status_code == 200
    assert whole.content == stored
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "private"
    assert whole.headers["content-type"] == "video/mp4"
    part = client.get(url, headers=headers | {"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == stored[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(stored)}"
    tail = client.get(url, headers=headers | {"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, stored[-10:])
    beyond = client.get(url, headers=headers | {"Range": f"bytes={len(stored)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(stored)}"
    assert beyond.json()["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 0)),
        ("bytes=5-", (5, 99)),
        ("bytes=90-200", (90, 99)),
        ("bytes=-30", (70, 99)),
        ("bytes=-300", (0, 99)),
        ("items=0-5", None),
        ("bytes=0-5,10-20", None),
    ],
)
def test_byte_range_parsing(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=7-3", "bytes=-0", "bytes=200-300"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 100)


def test_segments_outside_the_grant_are_not_served(client: TestClient, site: Site) -> None:
    before_second = (SECOND - timedelta(seconds=5)).isoformat()
    opened = _open(client, site, to=before_second)
    headers = site.headers(AGENT)
    base = f"/api/playback/{opened['grant']}"
    later = site.segment_id(site.footage[site.cam][-1])  # in the second recording
    other_camera = site.segment_id(site.footage[site.other][0])
    for segment_id in (later, other_camera, 999_999):
        response = client.get(f"{base}/segments/{segment_id}", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "segment_not_found"
    response = client.get(f"{base}/cameras/{site.other}.m3u8", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "camera_not_in_grant"


def test_destroyed_and_missing_footage(client: TestClient, site: Site) -> None:
    opened = _open(client, site)
    headers = site.headers(AGENT)
    first, second = site.footage[site.cam][:2]
    with site.rt.db.write() as s:
        s.execute(
            sa.text("UPDATE segments SET state = 'deleting' WHERE path = :p"),
            {"p": first.path},
        )
    site.file(second).unlink()
    base = f"/api/playback/{opened['grant']}/segments"
    gone = client.get(f"{base}/{site.segment_id(first)}", headers=headers)
    assert gone.status_code == 404
    assert gone.json()["code"] == "footage_destroyed"
    missing = client.get(f"{base}/{site.segment_id(second)}", headers=headers)
    assert missing.json()["code"] == "segment_file_missing"
    playlist = client.get(opened["cameras"][0]["playlist_url"], headers=headers).text
    assert f"../segments/{site.segment_id(first)}\n" not in playlist
    assert f"../segments/{site.segment_id(second)}\n" not in playlist
    assert playlist.count("#EXTINF") == len(site.footage[site.cam]) - 2


def test_grants_are_personal_signed_and_expire(
    client: TestClient, site: Site, clock: FakeClock
) -> None:
    opened = _open(client, site)
    url = opened["cameras"][0]["playlist_url"]
    assert client.get(url, headers=site.headers(AGENT)).status_code == 200
    other_user = client.get(url, headers=site.headers(Role.OPERATOR))
    assert other_user.status_code == 403
    assert other_user.json()["code"] == "grant_not_yours"
    grant = opened["grant"]
    forged = url.replace(grant, grant[:-2] + ("AA" if not grant.endswith("AA") else "BB"))
    assert client.get(forged, headers=site.headers(AGENT)).json()["code"] == "invalid_grant"
    widened = url.replace(f"{site.cam}.m3u8", f"{site.other}.m3u8")
    assert client.get(widened, headers=site.headers(AGENT)).json()["code"] == "camera_not_in_grant"
    clock.advance(timedelta(hours=4))
    expired = client.get(url, headers=site.headers(AGENT))
    assert expired.status_code == 403
    assert expired.json()["code"] == "grant_expired"
