"""`sentinelle user|authorisation|zone|camera ...`: scripted administration."""

from __future__ import annotations

from datetime import date

import typer

from sentinelle.access import repository as access_repo
from sentinelle.access import service as access
from sentinelle.access.models import CameraScope, Role
from sentinelle.cli import common
from sentinelle.core.errors import InvalidInput
from sentinelle.registry import errors as registry_errors
from sentinelle.registry import repository as registry_repo
from sentinelle.registry import service as registry
from sentinelle.registry.models import (
    AuthorisationInput,
    CameraInput,
    CameraKind,
    CameraStatus,
    FieldOfView,
    Placement,
    Purpose,
    SiteCategory,
    ZoneInput,
)
from sentinelle.runtime import Runtime

user_app = typer.Typer(help="Individual accounts.", no_args_is_help=True)
authorisation_app = typer.Typer(help="Prefectoral authorisations.", no_args_is_help=True)
zone_app = typer.Typer(help="Declared zones.", no_args_is_help=True)
camera_app = typer.Typer(help="Cameras.", no_args_is_help=True)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("invalid_date", f"--{name}: not a date (YYYY-MM-DD): {value}") from exc


@user_app.command("create")
@common.handle_errors
def user_create(
    username: str = typer.Option(..., help="login (lowercase)"),
    role: Role = typer.Option(..., help="role"),
    full_name: str = typer.Option("", "--full-name", help="the person's name (default: username)"),
    organisation: str = typer.Option("", help="service, e.g. Commissariat de Valence"),
) -> None:
    """Create an account. The password is read from stdin, or generated and printed once."""
    password = common.read_secret_from_stdin()
    new = access.NewUser(
        username=username,
        full_name=full_name or username,
        role=role,
        organisation=organisation,
        password=password,
    )
    with common.runtime() as rt:
        user, generated = access.do_create_user(rt, common.cli_actor(), new)
    typer.echo(f"user {user.username} created (id {user.id}, role {user.role})")
    if generated:
        typer.echo(f"password (shown once): {generated}")


@user_app.command("list")
@common.handle_errors
def user_list() -> None:
    with common.runtime() as rt, rt.db.read() as s:
        users, _ = access_repo.list_users(s, limit=10_000, offset=0)
        common.print_table(
            ["id", "username", "role", "name", "active", "mfa"],
            [(u.id, u.username, u.role, u.full_name, u.active, u.mfa_enabled) for u in users],
        )


@authorisation_app.command("add")
@common.handle_errors
def authorisation_add(
    reference: str = typer.Option(..., help="arrêté reference"),
    prefecture: str = typer.Option(..., help="issuing prefecture"),
    issued_on: str = typer.Option(..., "--issued-on", help="YYYY-MM-DD"),
    expires_on: str | None = typer.Option(None, "--expires-on", help="default: issue + 5 years"),
    purpose: list[Purpose] = typer.Option(..., help="L251-2 purpose (repeat)"),
    retention_max: int = typer.Option(..., "--retention-max", help="days, 1-30"),
    retention_min: int | None = typer.Option(None, "--retention-min", help="days"),
    recipient: list[str] = typer.Option([], help="designated police service (repeat)"),
    camera_limit: int | None = typer.Option(None, "--camera-limit"),
    notes: str = typer.Option(""),
) -> None:
    """Declare a prefectoral authorisation."""
    data = AuthorisationInput(
        reference=reference,
        prefecture=prefecture,
        issued_on=_day(issued_on, "issued-on"),
        expires_on=_day(expires_on, "expires-on"),
        purposes=purpose,
        retention_max_days=retention_max,
        retention_min_days=retention_min,
        recipients=recipient,
        camera_limit=camera_limit,
        notes=notes,
    )
    with common.runtime() as rt:
        row = registry.do_create_authorisation(rt, common.cli_actor(), data)
        status = registry.status_of(row, registry.today(rt))
    typer.echo(f"authorisation {row.reference} (id {row.id}) until {row.expires_on}: {status}")


@authorisation_app.command("list")
@common.handle_errors
def authorisation_list() -> None:
    with common.runtime() as rt, rt.db.read() as s:
        today = registry.today(rt)
        common.print_table(
            ["id", "reference", "issued", "expires", "status", "retention", "zones"],
            [
                (
                    a.id,
                    a.reference,
                    a.issued_on,
                    a.expires_on,
                    registry.status_of(a, today),
                    f"{a.retention_min_days or 1}-{a.retention_max_days} d",
                    len(a.zones),
                )
                for a in registry_repo.list_authorisations(s)
            ],
        )


def _authorisation_id(rt: Runtime, ref: str) -> int:
    with rt.db.read() as s:
        if ref.isdigit():
            return registry_repo.get_authorisation(s, int(ref)).id
        row = registry_repo.find_authorisation(s, ref)
        if row is None:
            raise registry_errors.authorisation_not_found(ref)
        return row.id


@zone_app.command("add")
@common.handle_errors
def zone_add(
    authorisation: str = typer.Option(..., help="authorisation id or reference"),
    name: str = typer.Option(...),
    description: str = typer.Option(""),
) -> None:
    with common.runtime() as rt:
        data = ZoneInput(
            authorisation_id=_authorisation_id(rt, authorisation),
            name=name,
            description=description,
        )
        zone = registry.do_create_zone(rt, common.cli_actor(), data)
    typer.echo(f"zone {zone.name} (id {zone.id}) created")


@zone_app.command("list")
@common.handle_errors
def zone_list() -> None:
    with common.runtime() as rt, rt.db.read() as s:
        common.print_table(
            ["id", "authorisation", "name"],
            [(z.id, z.authorisation.reference, z.name) for z in registry_repo.list_zones(s)],
        )


@camera_app.command("add")
@common.handle_errors
def camera_add(
    code: str = typer.Option(...),
    name: str = typer.Option(...),
    zone: int = typer.Option(..., help="zone id"),
    kind: CameraKind = typer.Option(...),
    placement: Placement = typer.Option(...),
    field: FieldOfView = typer.Option(..., help="narrow or wide field of view"),
    main_url: str = typer.Option(..., "--main-url", help="main stream URL (credentials allowed)"),
    retention: int = typer.Option(..., help="days, within the authorisation's bounds"),
    site: SiteCategory = typer.Option(SiteCategory.OTHER),
    fast_flows: bool = typer.Option(False, "--fast-flows", help="fast flows of people"),
    sub_url: str | None = typer.Option(None, "--sub-url"),
    latitude: float | None = typer.Option(None),
    longitude: float | None = typer.Option(None),
    azimuth: float | None = typer.Option(None, help="direction of view, degrees from north"),
    view_angle: float | None = typer.Option(None, "--view-angle", help="angle of view, degrees"),
    view_range: float | None = typer.Option(None, "--view-range", help="useful depth, metres"),
    address: str = typer.Option(""),
    commissioned_on: str | None = typer.Option(None, "--commissioned-on"),
    status: CameraStatus = typer.Option(CameraStatus.PLANNED),
) -> None:
    """Declare a camera. Stream credentials are encrypted at rest and never printed."""
    data = CameraInput(
        code=code,
        name=name,
        zone_id=zone,
        kind=kind,
        placement=placement,
        site_category=site,
        field_of_view=field,
        fast_flows=fast_flows,
        latitude=latitude,
        longitude=longitude,
        azimuth_deg=azimuth,
        view_angle_deg=view_angle,
        view_range_m=view_range,
        address=address,
        main_stream_url=main_url,
        sub_stream_url=sub_url,
        retention_days=retention,
        commissioned_on=_day(commissioned_on, "commissioned-on"),
        status=status,
    )
    with common.runtime() as rt:
        camera = registry.do_create_camera(rt, common.cli_actor(), data)
    typer.echo(f"camera {camera.code} (id {camera.id}) created: {camera.status}")


@camera_app.command("list")
@common.handle_errors
def camera_list() -> None:
    with common.runtime() as rt, rt.db.read() as s:
        today = registry.today(rt)
        cameras, _ = registry_repo.list_cameras(s, CameraScope.everything())
        common.print_table(
            ["id", "code", "name", "kind", "status", "lawful", "retention", "main stream"],
            [
                (
                    c.id,
                    c.code,
                    c.name,
                    c.kind,
                    c.status,
                    registry.is_lawful(c, today),
                    f"{c.retention_days} d",
                    c.main_url_redacted,
                )
                for c in cameras
            ],
        )


@camera_app.command("set-status")
@common.handle_errors
def camera_set_status(
    code: str = typer.Argument(..., help="camera code"),
    status: CameraStatus = typer.Argument(...),
    reason: str = typer.Option(..., help="why (journalled)"),
) -> None:
    with common.runtime() as rt:
        with rt.db.read() as s:
            camera = registry_repo.find_camera(s, code)
            if camera is None:
                raise registry_errors.camera_not_found(code)
        changed = registry.do_set_camera_status(rt, common.cli_actor(), camera.id, status, reason)
    typer.echo(f"camera {changed.code}: {changed.status}")
