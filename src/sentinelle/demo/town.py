"""Seed the fictional town of Valmont-sur-Rhône (idempotent: seeds once per database)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sentinelle.access.models import Role
from sentinelle.access.service import (
    NewHabilitation,
    NewUser,
    do_create_user,
    do_grant_habilitation,
)
from sentinelle.audit.models import Actor
from sentinelle.demo import cameras as live
from sentinelle.demo import walkers
from sentinelle.ingest.clips import write_clip
from sentinelle.registry import repository as registry_repo
from sentinelle.registry import service as registry
from sentinelle.registry.models import (
    AuthorisationInput,
    CameraChanges,
    CameraGroupInput,
    CameraInput,
    CameraKind,
    CameraStatus,
    FieldOfView,
    Placement,
    Purpose,
    SiteCategory,
    ZoneInput,
)
from sentinelle.registry.perimeter import Perimeter
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime

DEMO_REFERENCE = "DEMO-2024-VSR-001"
ACTOR = Actor.system("demo")
log = logging.getLogger(__name__)

_ZONES = (
    ("Centre-ville", "Place de la Mairie, rue du Marché, halles"),
    ("Gare et entrées de ville", "Parvis de la gare, rond-point nord, avenue de Lyon"),
    ("Écoles et parcs", "Groupe scolaire Jean-Moulin, parc des Berges"),
)
# Each zone's perimeter on the map, as declared to the prefecture: (longitude, latitude).
_PERIMETERS = (
    ((4.8893, 44.9328), (4.8932, 44.9326), (4.8935, 44.9347), (4.8896, 44.9349)),
    (
        (4.8935, 44.9278),
        (4.8968, 44.9282),
        (4.9030, 44.9398),
        (4.9005, 44.9418),
        (4.8895, 44.9465),
        (4.8872, 44.9448),
        (4.8940, 44.9380),
        (4.8945, 44.9330),
    ),
    (
        (4.8805, 44.9262),
        (4.8840, 44.9260),
        (4.8872, 44.9305),
        (4.8868, 44.9325),
        (4.8842, 44.9322),
        (4.8808, 44.9285),
    ),
)


def _perimeter(ring: tuple[tuple[float, float], ...]) -> Perimeter:
    closed = [*ring, ring[0]]
    return Perimeter(type="Polygon", coordinates=[[[lon, lat] for lon, lat in closed]])


# code, name, zone index, kind, placement, site, field, fast flows, lat, lon, status
_CAMERAS = (
    (
        "VSR-001",
        "Mairie — parvis",
        0,
        CameraKind.DOME,
        Placement.PUBLIC_ROAD,
        SiteCategory.MUNICIPAL_BUILDING,
        FieldOfView.WIDE,
        False,
        44.9334,
        4.8924,
        True,
    ),
    (
        "VSR-002",
        "Marché couvert",
        0,
        CameraKind.PTZ,
        Placement.PUBLIC_ROAD,
        SiteCategory.MARKET,
        FieldOfView.NARROW,
        True,
        44.9341,
        4.8912,
        True,
    ),
    (
        "VSR-003",
        "Rue du Marché",
        0,
        CameraKind.FIXED,
        Placement.PUBLIC_ROAD,
        SiteCategory.OTHER,
        FieldOfView.NARROW,
        False,
        44.9338,
        4.8901,
        True,
    ),
    (
        "VSR-004",
        "Gare — parvis",
        1,
        CameraKind.PTZ,
        Placement.PUBLIC_ROAD,
        SiteCategory.STATION,
        FieldOfView.NARROW,
        True,
        44.9290,
        4.8950,
        True,
    ),
    (
        "VSR-005",
        "Entrée nord — rond-point",
        1,
        CameraKind.ARMOURED,
        Placement.PUBLIC_ROAD,
        SiteCategory.CITY_ENTRANCE,
        FieldOfView.WIDE,
        False,
        44.9452,
        4.8890,
        True,
    ),
    (
        "VSR-006",
        "Avenue de Lyon — thermique",
        1,
        CameraKind.THERMAL,
        Placement.PUBLIC_ROAD,
        SiteCategory.CITY_ENTRANCE,
        FieldOfView.WIDE,
        False,
        44.9401,
        4.9012,
        True,
    ),
    (
        "VSR-007",
        "École Jean-Moulin",
        2,
        CameraKind.FIXED,
        Placement.PUBLIC_ROAD,
        SiteCategory.SCHOOL,
        FieldOfView.NARROW,
        False,
        44.9312,
        4.8855,
        True,
    ),
    (
        "VSR-008",
        "Parc des Berges — mobile",
        2,
        CameraKind.MOBILE,
        Placement.PUBLIC_ROAD,
        SiteCategory.PARK,
        FieldOfView.WIDE,
        False,
        44.9275,
        4.8820,
        False,
    ),
)
# code: direction of view (degrees from north), angle of view (degrees), useful depth (m)
_VIEWS = {
    "VSR-001": (180.0, 90.0, 60.0),
    "VSR-002": (45.0, 70.0, 80.0),
    "VSR-003": (270.0, 100.0, 50.0),
    "VSR-004": (0.0, 60.0, 120.0),
    "VSR-005": (135.0, 80.0, 70.0),
    "VSR-006": (315.0, 90.0, 60.0),
    "VSR-007": (90.0, 110.0, 40.0),
    "VSR-008": (225.0, 75.0, 90.0),
}
_USERS = (
    ("admin", "Administratrice Démo", Role.ADMINISTRATOR, ""),
    ("superviseur", "Chef de CSU Démo", Role.SUPERVISOR, ""),
    ("operateur", "Opérateur Démo", Role.OPERATOR, ""),
    ("extraction", "Agent d'extraction Démo", Role.REQUISITION_AGENT, ""),
    ("police", "Brigadier Démo", Role.EXTERNAL_VIEWER, "Commissariat de Valmont"),
    ("dpo", "Déléguée à la protection des données", Role.AUDITOR, ""),
    ("technicien", "Technicien Démo", Role.TECHNICIAN, ""),
)


@dataclass
class DemoResult:
    created: bool
    credentials: dict[str, str] = field(default_factory=dict)


def camera_names() -> dict[str, str]:
    """Code → name of every demo camera (what the simulated cameras draw into the picture)."""
    return {str(spec[0]): str(spec[1]) for spec in _CAMERAS}


def demo_clips(rt: Runtime) -> Path:
    """One generated clip per demo camera (distinct moving scenes), made once: the fallback
    sources when the simulated live cameras cannot run."""
    folder = rt.settings.resolved_data_dir / "demo-clips"
    folder.mkdir(exist_ok=True)
    for i, spec in enumerate(_CAMERAS):
        clip = folder / f"{str(spec[0]).lower()}.mp4"
        if not clip.exists():
            write_clip(
                clip.with_suffix(".tmp.mp4"),
                60,
                width=704,
                height=576,
                fps=12,
                speed=3 + 2 * i,
                shade=120 + 15 * i,
            ).rename(clip)
    return folder


def live_urls(port: int = live.DEFAULT_PORT) -> dict[str, str]:
    """Each demo camera's stream on the simulated cameras' RTSP server."""
    return {code: live.stream_url(port, code) for code in camera_names()}


def live_sub_urls(port: int = live.DEFAULT_PORT) -> dict[str, str]:
    """Each demo camera's sub-stream (352×288, live view only) on the same server."""
    return {code: live.sub_stream_url(port, code) for code in camera_names()}


def clip_urls(rt: Runtime) -> dict[str, str]:
    """Each demo camera's generated clip (made now if missing), as a file:// URL."""
    folder = demo_clips(rt)
    return {code: f"file://{folder / (code.lower() + '.mp4')}" for code in camera_names()}


def point_cameras(
    rt: Runtime, urls: dict[str, str], sub_urls: dict[str, str] | None = None
) -> list[str]:
    """Set the demo cameras' main stream to `urls` (code → URL) and their sub-stream to
    `sub_urls` (none: no sub-stream) where they differ, each change journaled. Returns the
    codes changed."""
    subs = sub_urls or {}
    changed: list[str] = []
    with rt.db.read() as s:
        current = {
            code: (camera.id, camera.main_url_redacted, camera.sub_url_redacted)
            for code in urls
            if (camera := registry_repo.find_camera(s, code)) is not None
        }
    for code, url in urls.items():
        if code not in current:
            continue
        camera_id, main, sub = current[code]
        if main == url and sub == subs.get(code):
            continue
        changes: dict[str, str | None] = {"main_stream_url": url, "sub_stream_url": subs.get(code)}
        registry.do_update_camera(
            rt,
            ACTOR,
            camera_id,
            CameraChanges.model_validate(changes),
            reason="démonstration : source des images",
        )
        changed.append(code)
    return changed


STREET_CAMERA = "VSR-003"  # « Rue du Marché »: people walking, to try anonymised disclosures


def scenes(rt: Runtime) -> dict[str, Path]:
    """The demo cameras that show a frame loop instead of a test pattern: the street one."""
    folder = rt.settings.resolved_data_dir / "demo-street"
    return {STREET_CAMERA: walkers.street_frames(folder, live.WIDTH, live.HEIGHT)}


def start_sources(rt: Runtime, port: int = live.DEFAULT_PORT) -> live.CameraServer | None:
    """Start the simulated live cameras and point the demo cameras at them; if they cannot
    start, point the cameras at generated clips instead (warning). The caller stops the
    returned server."""
    try:
        server = live.start(camera_names(), port, rt.settings.site_timezone, scenes=scenes(rt))
    except live.CamerasUnavailable as exc:
        log.warning(
            "simulated cameras unavailable (%s): the demo records generated clips instead "
            "(no clock in the picture); if GStreamer is missing, scripts/demo-deps installs it",
            exc,
        )
        point_cameras(rt, clip_urls(rt))
        return None
    point_cameras(rt, live_urls(server.port), live_sub_urls(server.port))
    log.info(
        "simulated cameras: %d live streams on rtsp://127.0.0.1:%d/ (pid %d)",
        len(_CAMERAS),
        server.port,
        server.process.pid,
    )
    return server


def seed(rt: Runtime, urls: dict[str, str] | None = None) -> DemoResult:
    """Create the demo town unless it exists, its cameras streaming from `urls` (default:
    the simulated live cameras on their default port). Returns the generated passwords
    (shown once)."""
    with rt.db.read() as s:
        if registry_repo.find_authorisation(s, DEMO_REFERENCE) is not None:
            return DemoResult(created=False)
    today = registry.today(rt)
    auth = registry.do_create_authorisation(
        rt,
        ACTOR,
        AuthorisationInput(
            reference=DEMO_REFERENCE,
            prefecture="Préfecture de la Drôme (fictive)",
            issued_on=today - timedelta(days=400),
            purposes=[
                Purpose.PERSONS_AND_PROPERTY,
                Purpose.TRAFFIC_REGULATION,
                Purpose.TRAFFIC_OFFENCES,
                Purpose.PUBLIC_BUILDINGS,
                Purpose.WASTE_DUMPING,
            ],
            retention_max_days=21,
            retention_min_days=7,
            recipients=["Commissariat de police nationale de Valmont"],
            notes="Commune fictive de démonstration.",
        ),
    )
    zones = [
        registry.do_create_zone(
            rt,
            ACTOR,
            ZoneInput(
                authorisation_id=auth.id,
                name=name,
                description=desc,
                perimeter=_perimeter(ring),
            ),
        )
        for (name, desc), ring in zip(_ZONES, _PERIMETERS, strict=True)
    ]
    streams = urls or live_urls()
    cameras = [
        _camera(rt, spec, zones[spec[2]].id, streams[str(spec[0])], today) for spec in _CAMERAS
    ]
    centre = registry.do_create_group(
        rt,
        ACTOR,
        CameraGroupInput(
            name="Centre-ville",
            description="Caméras du centre-ville",
            camera_ids=[c.id for c in cameras if c.zone_id == zones[0].id],
        ),
    )
    registry.do_create_group(
        rt,
        ACTOR,
        CameraGroupInput(
            name="Gare",
            description="Parvis et abords de la gare",
            camera_ids=[c.id for c in cameras if c.zone_id == zones[1].id],
        ),
    )
    return DemoResult(created=True, credentials=_users(rt, today, centre.id))


def _camera(rt: Runtime, spec: tuple[Any, ...], zone_id: int, url: str, today: date) -> CameraRow:
    code, name, _, kind, placement, site, fov, fast, lat, lon, serving = spec
    azimuth, angle, depth = _VIEWS[str(code)]
    return registry.do_create_camera(
        rt,
        ACTOR,
        CameraInput(
            code=str(code),
            name=str(name),
            zone_id=zone_id,
            kind=kind,
            placement=placement,
            site_category=site,
            field_of_view=fov,
            fast_flows=bool(fast),
            latitude=lat,
            longitude=lon,
            azimuth_deg=azimuth,
            view_angle_deg=angle,
            view_range_m=depth,
            address="Valmont-sur-Rhône",
            main_stream_url=url,
            retention_days=14,
            commissioned_on=today - timedelta(days=300),
            status=CameraStatus.IN_SERVICE if serving else CameraStatus.PLANNED,
        ),
    )


def _users(rt: Runtime, today: date, centre_group: int) -> dict[str, str]:
    credentials: dict[str, str] = {}
    for username, full_name, role, org in _USERS:
        user, password = do_create_user(rt, ACTOR, NewUser(username, full_name, role, org))
        credentials[username] = password or ""
        if role in (Role.ADMINISTRATOR, Role.AUDITOR, Role.TECHNICIAN):
            continue
        scoped = role is Role.EXTERNAL_VIEWER
        do_grant_habilitation(
            rt,
            ACTOR,
            user.id,
            NewHabilitation(
                designated_by="Maire de Valmont-sur-Rhône (arrêté fictif n° 2026-001)",
                designated_on=today - timedelta(days=30),
                expires_on=today + timedelta(days=335),
                sworn=True,
                all_cameras=not scoped,
                group_ids=frozenset({centre_group}) if scoped else frozenset(),
                training_on=today - timedelta(days=60),
            ),
        )
    return credentials
