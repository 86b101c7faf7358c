from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sentinelle.storage.models import DestructionReason, RetentionTerms, Span, Sweep
from sentinelle.storage.policy import effective_retention_days, is_deletable

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
TERMS = RetentionTerms(retention_days=14, minimum_days=7, maximum_days=21)


def _segment(age_days: float) -> Span:
    end = NOW - timedelta(days=age_days)
    return Span(end - timedelta(minutes=1), end)


def test_time_sweep_destroys_exactly_after_retention() -> None:
    assert not is_deletable(_segment(13.99), TERMS, [], [], NOW, Sweep.TIME).deletable
    decision = is_deletable(_segment(14), TERMS, [], [], NOW, Sweep.TIME)
    assert (decision.deletable, decision.reason) == (True, DestructionReason.RETENTION_EXPIRY)


def test_capacity_sweep_respects_the_minimum() -> None:
    assert not is_deletable(_segment(6.9), TERMS, [], [], NOW, Sweep.CAPACITY).deletable
    decision = is_deletable(_segment(7), TERMS, [], [], NOW, Sweep.CAPACITY)
    assert decision.reason is DestructionReason.CAPACITY


def test_released_hold_gives_its_reason() -> None:
    seg = _segment(20)
    decision = is_deletable(seg, TERMS, [], [seg], NOW, Sweep.TIME)
    assert decision.reason is DestructionReason.HOLD_RELEASE


def test_retention_is_clamped_into_the_authorisation() -> None:
    assert effective_retention_days(RetentionTerms(45, None, 30)) == 30
    assert effective_retention_days(RetentionTerms(2, 7, 21)) == 7


@given(
    age=st.floats(min_value=0, max_value=400),
    retention=st.integers(1, 60),
    minimum=st.one_of(st.none(), st.integers(1, 30)),
    maximum=st.integers(1, 30),
    sweep=st.sampled_from(Sweep),
    hold_offset=st.floats(min_value=-2, max_value=2),
)
def test_held_footage_is_never_deletable(
    age: float,
    retention: int,
    minimum: int | None,
    maximum: int,
    sweep: Sweep,
    hold_offset: float,
) -> None:
    seg = _segment(age)
    hold = Span(
        seg.start + timedelta(minutes=hold_offset), seg.start + timedelta(minutes=hold_offset + 0.5)
    )
    terms = RetentionTerms(retention, minimum, max(maximum, minimum or 1))
    decision = is_deletable(seg, terms, [hold], [], NOW, sweep)
    if seg.overlaps(hold):
        assert not decision.deletable
    if decision.deletable:
        assert age >= (minimum or 1)  # never before the minimum
        assert age >= 1
    if sweep is Sweep.TIME and not seg.overlaps(hold):
        assert decision.deletable == (age >= effective_retention_days(terms))
        assert age < 31 or decision.deletable  # never kept past the legal month
