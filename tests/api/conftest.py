"""API fixtures: the app on the test runtime, clients logged in per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.api.app import create_app
from sentinelle.runtime import Runtime
from tests import factories as f


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as c:
        yield c


HABILITATION_DAYS = 180


class Town:
    """A town with two cameras, CAM-001 in group 'Centre' and CAM-002 outside any group."""

    def __init__(self, rt: Runtime) -> None:
        self.auth, self.zone, cams = f.town(rt)
        self.in_scope, self.out_of_scope = cams
        self.centre = f.group(rt, "Centre", [self.in_scope.id])
        self.tokens: dict[Role, str] = {}
        for role in Role:
            scoped = role is Role.EXTERNAL_VIEWER
            user = f.user(
                rt,
                role.value.replace("_", "-"),
                role,
                all_cameras=not scoped,
                group_ids=frozenset({self.centre.id}) if scoped else frozenset(),
                expires_in_days=HABILITATION_DAYS,
            )
            _, self.tokens[role] = do_create_token(rt, f.ADMIN, user.id, "tests", 366)

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def town(rt: Runtime) -> Town:
    return Town(rt)
