from __future__ import annotations

from datetime import date

import pytest
from fastapi import APIRouter

from sentinelle.access.models import Permission, Role
from sentinelle.access.policy import HabilitationFacts, principal_for
from sentinelle.api import app as app_module
from sentinelle.api.security import AccessRule, enforce
from sentinelle.core.errors import ConfigurationError, Forbidden
from sentinelle.runtime import Runtime
from tests.api.conftest import Town

TODAY = date(2026, 11, 22)


def _operator(expires_on: date) -> HabilitationFacts:
    return HabilitationFacts(date(2026, 1, 1), expires_on, True, False, True, frozenset())


def test_video_needs_a_valid_habilitation(rt: Runtime, town: Town) -> None:
    rule = AccessRule(permission=Permission.VIDEO_PLAYBACK, camera_param="camera_id")
    params = {"camera_id": str(town.in_scope.id)}
    valid = principal_for(1, "op", Role.OPERATOR, [_operator(date(2027, 1, 1))], TODAY)
    enforce(rt, rule, valid, params)
    expired = principal_for(1, "op", Role.OPERATOR, [_operator(date(2026, 11, 21))], TODAY)
    with pytest.raises(Forbidden) as err:
        enforce(rt, rule, expired, params)
    assert err.value.code == "habilitation_required"


def test_video_outside_the_habilitation_scope_is_refused(rt: Runtime, town: Town) -> None:
    rule = AccessRule(permission=Permission.VIDEO_LIVE, camera_param="camera_id")
    scoped = HabilitationFacts(
        date(2026, 1, 1), date(2027, 1, 1), True, False, False, frozenset({town.centre.id})
    )
    police = principal_for(2, "police", Role.EXTERNAL_VIEWER, [scoped], TODAY)
    enforce(rt, rule, police, {"camera_id": str(town.in_scope.id)})
    with pytest.raises(Forbidden) as err:
        enforce(rt, rule, police, {"camera_id": str(town.out_of_scope.id)})
    assert err.value.code == "camera_out_of_scope"


def test_an_undeclared_route_stops_the_app_from_building(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rogue = APIRouter()

    @rogue.get("/api/rogue")
    def _rogue() -> dict[str, str]:
        return {}

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, rogue))
    with pytest.raises(ConfigurationError) as err:
        app_module.create_app(rt)
    assert "GET /api/rogue" in err.value.message
