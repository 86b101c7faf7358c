"""Registry errors with their stable codes."""

from __future__ import annotations

from datetime import date

from sentinelle.core.errors import Conflict, InvalidInput, NotFound, RuleViolation


def authorisation_not_found(ref: object) -> NotFound:
    return NotFound("authorisation_not_found", f"no authorisation {ref}")


def zone_not_found(ref: object) -> NotFound:
    return NotFound("zone_not_found", f"no zone {ref}")


def camera_not_found(ref: object) -> NotFound:
    return NotFound("camera_not_found", f"no camera {ref}")


def group_not_found(ref: object) -> NotFound:
    return NotFound("camera_group_not_found", f"no camera group {ref}")


def reference_taken(reference: str) -> Conflict:
    return Conflict("authorisation_reference_taken", f"authorisation {reference!r} already exists")


def zone_name_taken(name: str) -> Conflict:
    return Conflict("zone_name_taken", f"this authorisation already has a zone named {name!r}")


def camera_code_taken(code: str) -> Conflict:
    return Conflict("camera_code_taken", f"camera code {code!r} already exists")


def group_name_taken(name: str) -> Conflict:
    return Conflict("camera_group_name_taken", f"camera group {name!r} already exists")


def invalid_dates(message: str) -> InvalidInput:
    return InvalidInput("invalid_authorisation_dates", message)


def invalid_retention_bounds(message: str) -> InvalidInput:
    return InvalidInput("invalid_retention_bounds", message)


def retention_out_of_bounds(days: int, minimum: int, maximum: int) -> RuleViolation:
    return RuleViolation(
        "retention_out_of_bounds",
        f"retention of {days} days is outside the authorisation's bounds "
        f"({minimum}-{maximum} days)",
        {"retention_days": days, "minimum": minimum, "maximum": maximum},
    )


def retention_max_below_cameras(maximum: int, codes: list[str]) -> RuleViolation:
    return RuleViolation(
        "retention_max_below_cameras",
        f"cameras keep footage longer than {maximum} days; lower their retention first",
        {"cameras": codes},
    )


def camera_limit_below_service(limit: int, codes: list[str]) -> RuleViolation:
    return RuleViolation(
        "camera_limit_below_service",
        f"{len(codes)} cameras are in service under this authorisation, more than {limit}; "
        "take some out of service first",
        {"limit": limit, "cameras": codes},
    )


def authorisation_not_valid(reference: str, status: str, on: date) -> RuleViolation:
    return RuleViolation(
        "authorisation_not_valid",
        f"authorisation {reference} is {status} on {on.isoformat()}: "
        "no camera under it may be in service",
        {"authorisation": reference, "status": status},
    )


def camera_limit_reached(reference: str, limit: int) -> RuleViolation:
    return RuleViolation(
        "authorisation_camera_limit",
        f"authorisation {reference} covers at most {limit} cameras in service",
        {"authorisation": reference, "limit": limit},
    )


def invalid_status_change(current: str, target: str) -> RuleViolation:
    return RuleViolation(
        "invalid_status_change",
        f"a camera cannot go from {current} to {target}",
        {"from": current, "to": target},
    )


def invalid_stream_url(role: str, message: str) -> InvalidInput:
    return InvalidInput("invalid_stream_url", f"{role} stream URL: {message}", {"stream": role})


def invalid_location(message: str) -> InvalidInput:
    return InvalidInput("invalid_location", message)


def no_purpose() -> InvalidInput:
    return InvalidInput("purposes_required", "an authorisation lists at least one L251-2 purpose")


def invalid_field(field: str, message: str) -> InvalidInput:
    return InvalidInput("invalid_field", f"{field}: {message}", {"field": field})
