from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinelle.core.clock import FakeClock, ensure_utc, from_micros, local_date, to_micros


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(1971, 1, 1)))  # noqa: DTZ001
def test_micros_round_trip(instant: datetime) -> None:
    assert from_micros(to_micros(instant)) == instant


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 1, 1))  # noqa: DTZ001 - the bug under test


def test_local_date_uses_the_site_time_zone() -> None:
    late_evening_utc = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    assert local_date(late_evening_utc, ZoneInfo("Europe/Paris")).isoformat() == "2026-07-01"


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 1, 1, 2, tzinfo=UTC)
