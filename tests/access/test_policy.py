from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sentinelle.access import policy
from sentinelle.access.models import (
    ROLE_PERMISSIONS,
    VIDEO_PERMISSIONS,
    CameraScope,
    HabilitationStatus,
    Permission,
    Role,
)
from sentinelle.core.errors import InvalidInput

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alice-Password-1", "motdepasse123", "aaaaaaaaaaaaaaaa", "alllowercase12"],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as err:
        policy.check_password(password, "alice")
    assert err.value.code == "weak_password"


@pytest.mark.parametrize("password", ["Corr3ct-Horse-Battery", "une phrase de passe assez longue"])
def test_good_passwords_pass(password: str) -> None:
    policy.check_password(password, "alice")


@pytest.mark.parametrize("username", ["ab", "Has Space", "-dash", "x" * 65, "émile"])
def test_bad_usernames_are_refused(username: str) -> None:
    with pytest.raises(InvalidInput):
        policy.check_username(username)


def test_lockout_after_threshold() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = policy.LockoutState(0, None)
    for _ in range(4):
        state = policy.after_failed_login(state.failed_logins, now, 5, 15)
        assert state.locked_until is None
    state = policy.after_failed_login(state.failed_logins, now, 5, 15)
    assert state.locked_until == now + timedelta(minutes=15)
    assert policy.is_locked(state.locked_until, now + timedelta(minutes=14))
    assert not policy.is_locked(state.locked_until, now + timedelta(minutes=15))


def _hab(**kw: object) -> policy.HabilitationFacts:
    base: dict[str, object] = {
        "designated_on": date(2026, 1, 1),
        "expires_on": date(2026, 12, 31),
        "sworn": True,
        "revoked": False,
        "all_cameras": False,
        "group_ids": frozenset({1}),
    }
    return policy.HabilitationFacts(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (_hab(), HabilitationStatus.VALID),
        (_hab(expires_on=date(2026, 11, 21)), HabilitationStatus.EXPIRED),
        (_hab(designated_on=date(2026, 12, 1)), HabilitationStatus.NOT_YET_VALID),
        (_hab(sworn=False), HabilitationStatus.NOT_SWORN),
        (_hab(revoked=True), HabilitationStatus.REVOKED),
    ],
)
def test_habilitation_status(facts: policy.HabilitationFacts, status: HabilitationStatus) -> None:
    assert policy.habilitation_status(facts, TODAY) is status


def test_expired_habilitation_removes_video_scope() -> None:
    valid = [_hab(group_ids=frozenset({1})), _hab(group_ids=frozenset({2}))]
    assert policy.video_scope(valid, TODAY) == CameraScope(False, frozenset({1, 2}))
    expired = [_hab(expires_on=date(2026, 11, 1))]
    assert policy.video_scope(expired, TODAY) == CameraScope.nothing()
    assert policy.video_scope([_hab(all_cameras=True), *valid], TODAY).all_cameras


def test_external_viewer_registry_is_scoped_others_are_not() -> None:
    habs = [_hab(group_ids=frozenset({3}))]
    ext = policy.principal_for(1, "police", Role.EXTERNAL_VIEWER, habs, TODAY)
    op = policy.principal_for(2, "op", Role.OPERATOR, habs, TODAY)
    assert ext.scope_for(Permission.REGISTRY_READ) == CameraScope(False, frozenset({3}))
    assert op.scope_for(Permission.REGISTRY_READ).all_cameras
    assert op.scope_for(Permission.VIDEO_LIVE) == CameraScope(False, frozenset({3}))


def test_roles_that_see_no_video() -> None:
    for role in (Role.ADMINISTRATOR, Role.AUDITOR, Role.TECHNICIAN):
        assert not ROLE_PERMISSIONS[role] & VIDEO_PERMISSIONS
    assert Permission.VIDEO_EXPORT in ROLE_PERMISSIONS[Role.REQUISITION_AGENT]
    assert Permission.AUDIT_EXPORT in ROLE_PERMISSIONS[Role.AUDITOR]
