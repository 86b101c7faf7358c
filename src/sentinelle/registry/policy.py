"""Pure registry decisions: authorisation status, retention bounds, lawful service, the 2007
technical standard's minimums, and the camera status transitions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sentinelle.registry import errors
from sentinelle.registry.models import AuthorisationStatus, CameraStatus, FieldOfView

AUTHORISATION_YEARS = 5
RENEWAL_NOTICE_MONTHS = 4
LEGAL_RETENTION_MAX_DAYS = 30  # "never more than one month" (CSI L252-5)


def add_months(day: date, months: int) -> date:
    """Same day `months` later (clamped to the end of shorter months)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_expiry(issued_on: date) -> date:
    """An authorisation lasts five years (CSI L252-4): it expires the day before the
    fifth anniversary of its issue."""
    return date.fromordinal(add_months(issued_on, 12 * AUTHORISATION_YEARS).toordinal() - 1)


def authorisation_status(issued_on: date, expires_on: date, today: date) -> AuthorisationStatus:
    """Valid from its issue date through its expiry date, renewal due in its last 4 months."""
    if today < issued_on:
        return AuthorisationStatus.NOT_YET_VALID
    if today > expires_on:
        return AuthorisationStatus.EXPIRED
    if today >= add_months(expires_on, -RENEWAL_NOTICE_MONTHS):
        return AuthorisationStatus.RENEWAL_DUE
    return AuthorisationStatus.VALID


def check_authorisation_terms(
    issued_on: date, expires_on: date, retention_max: int, retention_min: int | None
) -> None:
    if expires_on < issued_on:
        raise errors.invalid_dates("the expiry date is before the issue date")
    if expires_on > default_expiry(issued_on):
        raise errors.invalid_dates(
            f"an authorisation lasts at most {AUTHORISATION_YEARS} years (CSI L252-4)"
        )
    if not 1 <= retention_max <= LEGAL_RETENTION_MAX_DAYS:
        raise errors.invalid_retention_bounds(
            f"maximum retention must be 1-{LEGAL_RETENTION_MAX_DAYS} days (CSI L252-5), "
            f"not {retention_max}"
        )
    if retention_min is not None and not 1 <= retention_min <= retention_max:
        raise errors.invalid_retention_bounds(
            f"minimum retention must be 1-{retention_max} days, not {retention_min}"
        )


def retention_bounds(retention_max: int, retention_min: int | None) -> tuple[int, int]:
    return (retention_min or 1, retention_max)


def check_retention(days: int, retention_max: int, retention_min: int | None) -> None:
    low, high = retention_bounds(retention_max, retention_min)
    if not low <= days <= high:
        raise errors.retention_out_of_bounds(days, low, high)


@dataclass(frozen=True, slots=True)
class LegalMinimums:
    """What the arrêté of 3 August 2007 requires of stored images for a camera."""

    width: int
    height: int
    fps: int


def legal_minimums(field_of_view: FieldOfView, fast_flows: bool) -> LegalMinimums:
    if field_of_view is FieldOfView.NARROW:
        return LegalMinimums(704, 576, 12 if fast_flows else 6)
    return LegalMinimums(352, 288, 6)


_TRANSITIONS: dict[CameraStatus, frozenset[CameraStatus]] = {
    CameraStatus.PLANNED: frozenset(
        {CameraStatus.AWAITING_AUTHORISATION, CameraStatus.IN_SERVICE, CameraStatus.DECOMMISSIONED}
    ),
    CameraStatus.AWAITING_AUTHORISATION: frozenset(
        {CameraStatus.PLANNED, CameraStatus.IN_SERVICE, CameraStatus.DECOMMISSIONED}
    ),
    CameraStatus.IN_SERVICE: frozenset(
        {
            CameraStatus.OUT_OF_SERVICE,
            CameraStatus.AWAITING_AUTHORISATION,
            CameraStatus.DECOMMISSIONED,
        }
    ),
    CameraStatus.OUT_OF_SERVICE: frozenset(
        {CameraStatus.IN_SERVICE, CameraStatus.AWAITING_AUTHORISATION, CameraStatus.DECOMMISSIONED}
    ),
    CameraStatus.DECOMMISSIONED: frozenset(),
}


def check_transition(current: CameraStatus, target: CameraStatus) -> None:
    if target != current and target not in _TRANSITIONS[current]:
        raise errors.invalid_status_change(current, target)


def is_lawfully_in_service(status: CameraStatus, authorisation: AuthorisationStatus) -> bool:
    """Rule 1: a camera records or is shown only in service under a valid authorisation."""
    return status is CameraStatus.IN_SERVICE and authorisation.lawful
