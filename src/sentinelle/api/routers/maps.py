"""The map's configuration, its offline tiles, and whether each camera is being recorded.

The map's background comes from one place (settings): nothing (a plain background, no tile
request at all), a tile server (`map_tile_url`, whose origin the console's CSP then allows),
or a local tile tree (`map_tiles_dir`, served here so the map works with no internet).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from sentinelle.access.models import Permission
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.maps import BoundsOut, MapConfigOut, RecordingOut, TileMode
from sentinelle.api.security import PrincipalDep, RuntimeDep, guarded
from sentinelle.core.errors import InvalidInput, NotFound
from sentinelle.core.settings import Settings
from sentinelle.ingest import repository as ingest_repository
from sentinelle.ingest.events import EventKind
from sentinelle.registry import repository
from sentinelle.registry.models import CameraStatus
from sentinelle.registry.tables import CameraRow

router = APIRouter(prefix="/api/map", tags=["map"], responses=ERROR_RESPONSES)

READ = Permission.REGISTRY_READ
LOCAL_TILES = "/api/map/tiles/{z}/{x}/{y}."
TILE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
TILE_CACHE = "private, max-age=86400"
MAX_ZOOM = 22
DEFAULT_MAX_ZOOM = 19


@router.get("/config", **guarded(READ))
def get_config(principal: PrincipalDep, rt: RuntimeDep) -> MapConfigOut:
    """Where the map's background comes from and where the map opens: on the placed cameras
    the caller may see."""
    with rt.db.read() as s:
        cameras, _ = repository.list_cameras(s, principal.scope_for(READ))
        bounds = _bounds(cameras)
    mode, url, min_zoom, max_zoom = _background(rt.settings)
    return MapConfigOut(
        mode=mode,
        tile_url=url,
        attribution=rt.settings.map_attribution,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        bounds=bounds,
    )


@router.get(
    "/tiles/{z}/{x}/{y}.{ext}",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in sorted(set(TILE_TYPES.values()))}}},
    **guarded(READ),
)
def get_tile(z: int, x: int, y: int, ext: str, rt: RuntimeDep) -> FileResponse:
    """One tile of the local tile directory (404 when it has none there)."""
    root = rt.settings.map_tiles_dir
    if root is None:
        raise NotFound("no_local_tiles", "this site has no local tile directory")
    if ext not in TILE_TYPES:
        raise InvalidInput("unsupported_tile_format", "tiles are .png, .jpg or .webp images")
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound("tile_not_found", f"no tile {z}/{x}/{y}")
    base = root.expanduser().resolve()
    path = (base / str(z) / str(x) / f"{y}.{ext}").resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise NotFound("tile_not_found", f"no tile {z}/{x}/{y}.{ext}")
    return FileResponse(path, media_type=TILE_TYPES[ext], headers={"Cache-Control": TILE_CACHE})


@router.get("/recording", **guarded(READ))
def get_recording(principal: PrincipalDep, rt: RuntimeDep) -> list[RecordingOut]:
    """For each camera the caller may see: is its stream received (and recorded) now, since
    when, and why not. Shows no video; lets the map tell a recording camera from a faulty
    one to users without live view (technicians, administrators)."""
    with rt.db.read() as s:
        cameras, _ = repository.list_cameras(s, principal.scope_for(READ))
        last = ingest_repository.last_connectivity(s, [c.id for c in cameras])
    out = []
    for camera in cameras:
        event = last.get(camera.id)
        out.append(
            RecordingOut(
                camera_id=camera.id,
                recording=event is not None and event.kind is EventKind.CONNECTED,
                since=event.at if event else None,
                reason=event.reason.value if event and event.reason else None,
            )
        )
    return out


def _bounds(cameras: list[CameraRow]) -> BoundsOut | None:
    placed = [
        (c.latitude, c.longitude)
        for c in cameras
        if c.latitude is not None
        and c.longitude is not None
        and c.status != CameraStatus.DECOMMISSIONED
    ]
    if not placed:
        return None
    lats = [p[0] for p in placed]
    lons = [p[1] for p in placed]
    return BoundsOut(south=min(lats), west=min(lons), north=max(lats), east=max(lons))


def _background(settings: Settings) -> tuple[TileMode, str | None, int, int]:
    if settings.map_tile_url:
        return TileMode.URL, settings.map_tile_url, 0, DEFAULT_MAX_ZOOM
    if settings.map_tiles_dir is None:
        return TileMode.NONE, None, 0, DEFAULT_MAX_ZOOM
    zooms, ext = _survey(settings.map_tiles_dir.expanduser().resolve())
    low, high = (min(zooms), max(zooms)) if zooms else (0, DEFAULT_MAX_ZOOM)
    return TileMode.LOCAL, LOCAL_TILES + ext, low, high


def _survey(root: Path) -> tuple[list[int], str]:
    """The zoom levels a local tile tree holds, and its tiles' format (from one sample)."""
    if not root.is_dir():
        return [], "png"
    zooms = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    for z in zooms:
        for column in sorted((root / str(z)).iterdir()):
            tiles = (
                [p for p in column.iterdir() if p.suffix[1:] in TILE_TYPES]
                if column.is_dir()
                else []
            )
            if tiles:
                return [q for q in zooms if q <= MAX_ZOOM], tiles[0].suffix[1:]
    return [q for q in zooms if q <= MAX_ZOOM], "png"
