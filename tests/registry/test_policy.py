from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinelle.core.errors import InvalidInput, RuleViolation
from sentinelle.registry import policy
from sentinelle.registry.models import AuthorisationStatus, CameraStatus, FieldOfView

S = AuthorisationStatus


def test_default_expiry_is_five_years_minus_a_day() -> None:
    assert policy.default_expiry(date(2024, 3, 1)) == date(2029, 2, 28)
    assert policy.default_expiry(date(2024, 2, 29)) == date(2029, 2, 27)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 2, 29), S.NOT_YET_VALID),
        (date(2024, 3, 1), S.VALID),
        (date(2028, 10, 27), S.VALID),
        (date(2028, 10, 28), S.RENEWAL_DUE),  # 4 months before 2029-02-28
        (date(2029, 2, 28), S.RENEWAL_DUE),  # last valid day
        (date(2029, 3, 1), S.EXPIRED),
    ],
)
def test_authorisation_status_over_time(today: date, expected: AuthorisationStatus) -> None:
    assert policy.authorisation_status(date(2024, 3, 1), date(2029, 2, 28), today) is expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 3000))
def test_status_is_lawful_exactly_between_issue_and_expiry(issued: date, offset: int) -> None:
    expires = policy.default_expiry(issued)
    today = issued + timedelta(days=offset)
    status = policy.authorisation_status(issued, expires, today)
    assert status.lawful == (issued <= today <= expires)


@pytest.mark.parametrize(("r_max", "r_min"), [(0, None), (31, None), (45, None), (10, 11)])
def test_retention_terms_outside_the_law_are_refused(r_max: int, r_min: int | None) -> None:
    with pytest.raises(InvalidInput) as err:
        policy.check_authorisation_terms(date(2024, 1, 1), date(2028, 1, 1), r_max, r_min)
    assert err.value.code == "invalid_retention_bounds"


def test_authorisation_longer_than_five_years_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        policy.check_authorisation_terms(date(2024, 1, 1), date(2029, 1, 1), 14, None)
    assert err.value.code == "invalid_authorisation_dates"


@pytest.mark.parametrize(("days", "ok"), [(6, False), (7, True), (21, True), (22, False)])
def test_camera_retention_within_authorisation_bounds(days: int, ok: bool) -> None:
    if ok:
        policy.check_retention(days, 21, 7)
    else:
        with pytest.raises(RuleViolation) as err:
            policy.check_retention(days, 21, 7)
        assert err.value.code == "retention_out_of_bounds"


def test_legal_minimums_of_the_2007_standard() -> None:
    assert policy.legal_minimums(FieldOfView.NARROW, fast_flows=True) == policy.LegalMinimums(
        704, 576, 12
    )
    assert policy.legal_minimums(FieldOfView.NARROW, fast_flows=False).fps == 6
    assert policy.legal_minimums(FieldOfView.WIDE, fast_flows=True) == policy.LegalMinimums(
        352, 288, 6
    )


def test_decommissioned_is_final() -> None:
    with pytest.raises(RuleViolation):
        policy.check_transition(CameraStatus.DECOMMISSIONED, CameraStatus.IN_SERVICE)
    policy.check_transition(CameraStatus.PLANNED, CameraStatus.IN_SERVICE)


@given(st.sampled_from(CameraStatus), st.sampled_from(AuthorisationStatus))
def test_lawful_service_needs_both(status: CameraStatus, auth: AuthorisationStatus) -> None:
    lawful = policy.is_lawfully_in_service(status, auth)
    assert lawful == (status is CameraStatus.IN_SERVICE and auth in (S.VALID, S.RENEWAL_DUE))
