from __future__ import annotations

from datetime import date, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from sentinelle.access import login, service
from sentinelle.access.login import LoginStage
from sentinelle.access.models import Role
from sentinelle.access.repository import get_user
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import Conflict, Forbidden, RuleViolation, Unauthenticated
from sentinelle.runtime import Runtime
from tests import factories as f


def _actions(rt: Runtime) -> list[str]:
    with rt.db.read() as s:
        return list(s.execute(sa.text("SELECT action FROM audit_entries ORDER BY seq")).scalars())


def test_operator_logs_in_with_password(rt: Runtime) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    step = login.do_login(rt, "Olivier", f.PASSWORD, "test")
    assert step.stage is LoginStage.DONE
    assert step.session is not None
    principal, csrf = login.resolve_session(rt, step.session.token)
    assert principal.username == "olivier"
    assert csrf == step.session.csrf_token
    assert _actions(rt)[-1] == "auth.login"


def test_password_is_hashed_with_argon2id(rt: Runtime) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    with rt.db.read() as s:
        stored = s.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert f.PASSWORD not in stored


def test_wrong_password_and_unknown_user_look_the_same(rt: Runtime) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    for username, password in (("olivier", "Wrong-Password-123"), ("nobody", f.PASSWORD)):
        with pytest.raises(Unauthenticated) as err:
            login.do_login(rt, username, password)
        assert err.value.code == "invalid_credentials"
    assert _actions(rt)[-2:] == ["auth.login_failed", "auth.login_failed"]


def test_lockout_after_repeated_failures(rt: Runtime, clock: FakeClock) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    for _ in range(rt.settings.lockout_threshold - 1):
        with pytest.raises(Unauthenticated):
            login.do_login(rt, "olivier", "Wrong-Password-123")
    with pytest.raises(Forbidden) as err:
        login.do_login(rt, "olivier", "Wrong-Password-123")
    assert err.value.code == "account_locked"
    assert "auth.account_locked" in _actions(rt)
    with pytest.raises(Forbidden):  # even the right password, while locked
        login.do_login(rt, "olivier", f.PASSWORD)
    clock.advance(timedelta(minutes=rt.settings.lockout_minutes))
    assert login.do_login(rt, "olivier", f.PASSWORD).stage is LoginStage.DONE


def test_administrator_must_enrol_totp_then_use_it(rt: Runtime, clock: FakeClock) -> None:
    f.user(rt, "anne", Role.ADMINISTRATOR, habilitated=False)
    step = login.do_login(rt, "anne", f.PASSWORD)
    assert step.stage is LoginStage.ENROL
    assert step.session is None
    assert step.totp_secret is not None
    assert step.challenge is not None
    assert step.provisioning_uri is not None
    assert step.provisioning_uri.startswith("otpauth://totp/Sentinelle:anne")
    with pytest.raises(Unauthenticated) as err:
        login.do_login_mfa(rt, step.challenge, "000000")
    assert err.value.code == "invalid_mfa_code"
    issued = login.do_login_mfa(rt, step.challenge, f.totp_now(step.totp_secret, rt))
    assert login.resolve_session(rt, issued.token)[0].role is Role.ADMINISTRATOR
    assert "auth.mfa_enrolled" in _actions(rt)
    with pytest.raises(Unauthenticated):  # a challenge serves once
        login.do_login_mfa(rt, step.challenge, f.totp_now(step.totp_secret, rt))
    clock.advance(timedelta(seconds=30))
    second = login.do_login(rt, "anne", f.PASSWORD)
    assert second.stage is LoginStage.TOTP
    assert second.challenge is not None
    assert second.totp_secret is None
    login.do_login_mfa(rt, second.challenge, f.totp_now(step.totp_secret, rt))


def test_totp_code_cannot_be_replayed(rt: Runtime) -> None:
    f.user(rt, "paul", Role.EXTERNAL_VIEWER)
    step = login.do_login(rt, "paul", f.PASSWORD)
    assert step.stage is LoginStage.ENROL
    assert step.challenge is not None
    assert step.totp_secret is not None
    code = f.totp_now(step.totp_secret, rt)
    login.do_login_mfa(rt, step.challenge, code)
    again = login.do_login(rt, "paul", f.PASSWORD)
    assert again.challenge is not None
    with pytest.raises(Unauthenticated):
        login.do_login_mfa(rt, again.challenge, code)


def test_expired_challenge_is_refused(rt: Runtime, clock: FakeClock) -> None:
    f.user(rt, "anne", Role.ADMINISTRATOR, habilitated=False)
    step = login.do_login(rt, "anne", f.PASSWORD)
    assert step.challenge is not None
    assert step.totp_secret is not None
    clock.advance(login.CHALLENGE_TTL)
    with pytest.raises(Unauthenticated) as err:
        login.do_login_mfa(rt, step.challenge, pyotp.TOTP(step.totp_secret).at(clock.now()))
    assert err.value.code == "login_challenge_invalid"


def test_session_expires_when_idle_and_on_logout(rt: Runtime, clock: FakeClock) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    first = login.do_login(rt, "olivier", f.PASSWORD).session
    assert first is not None
    clock.advance(timedelta(minutes=rt.settings.session_idle_minutes + 1))
    with pytest.raises(Unauthenticated):
        login.resolve_session(rt, first.token)
    second = login.do_login(rt, "olivier", f.PASSWORD).session
    assert second is not None
    login.do_logout(rt, second.token)
    with pytest.raises(Unauthenticated):
        login.resolve_session(rt, second.token)


def test_disabled_user_loses_sessions_and_cannot_log_in(rt: Runtime) -> None:
    user = f.user(rt, "olivier", Role.OPERATOR)
    issued = login.do_login(rt, "olivier", f.PASSWORD).session
    assert issued is not None
    service.do_update_user(rt, f.ADMIN, user.id, active=False, reason="départ")
    with pytest.raises(Unauthenticated):
        login.resolve_session(rt, issued.token)
    with pytest.raises(Forbidden) as err:
        login.do_login(rt, "olivier", f.PASSWORD)
    assert err.value.code == "account_disabled"


def test_api_token_acts_as_its_owner_until_revoked(rt: Runtime, clock: FakeClock) -> None:
    user = f.user(rt, "script", Role.TECHNICIAN, habilitated=False)
    row, token = service.do_create_token(rt, f.ADMIN, user.id, "supervision", 30)
    assert token.startswith("stl_")
    assert login.resolve_api_token(rt, token).username == "script"
    with rt.db.read() as s:
        stored = s.execute(sa.text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert token not in stored
    service.do_revoke_token(rt, f.ADMIN, row.id)
    with pytest.raises(Unauthenticated):
        login.resolve_api_token(rt, token)


def test_api_token_expires(rt: Runtime, clock: FakeClock) -> None:
    user = f.user(rt, "script", Role.TECHNICIAN, habilitated=False)
    _, token = service.do_create_token(rt, f.ADMIN, user.id, "supervision", 1)
    clock.advance(timedelta(days=1))
    with pytest.raises(Unauthenticated):
        login.resolve_api_token(rt, token)


def test_duplicate_username_is_refused(rt: Runtime) -> None:
    f.user(rt, "olivier", Role.OPERATOR, habilitated=False)
    with pytest.raises(Conflict) as err:
        f.user(rt, "OLIVIER", Role.OPERATOR, habilitated=False)
    assert err.value.code == "username_taken"


def test_habilitation_expiry_removes_video_access(rt: Runtime, clock: FakeClock) -> None:
    user = f.user(rt, "olivier", Role.OPERATOR, expires_in_days=5)
    with rt.db.read() as s:
        assert login.principal_of(rt, get_user(s, user.id)).video_scope.all_cameras
    clock.advance(timedelta(days=6))
    with rt.db.read() as s:
        principal = login.principal_of(rt, get_user(s, user.id))
    assert not principal.video_scope.all_cameras
    assert not principal.video_scope.group_ids


def test_role_change_ends_sessions_and_tokens(rt: Runtime) -> None:
    user = f.user(rt, "olivier", Role.OPERATOR)
    issued = login.do_login(rt, "olivier", f.PASSWORD).session
    assert issued is not None
    _, token = service.do_create_token(rt, f.ADMIN, user.id, "script", 30)
    service.do_update_user(rt, f.ADMIN, user.id, role=Role.ADMINISTRATOR, reason="promotion")
    with pytest.raises(Unauthenticated):
        login.resolve_session(rt, issued.token)
    with pytest.raises(Unauthenticated):
        login.resolve_api_token(rt, token)
    assert login.do_login(rt, "olivier", f.PASSWORD).stage is LoginStage.ENROL  # MFA now


def test_nobody_administers_themselves(rt: Runtime) -> None:
    admin = f.user(rt, "anne", Role.ADMINISTRATOR, habilitated=False)
    me = Actor.user(admin.id, "anne")
    with pytest.raises(RuleViolation) as err:
        service.do_update_user(rt, me, admin.id, role=Role.SUPERVISOR)
    assert err.value.code == "self_administration_forbidden"
    today = date(2026, 11, 22)
    with pytest.raises(RuleViolation):
        service.do_grant_habilitation(
            rt,
            me,
            admin.id,
            service.NewHabilitation(
                designated_by="moi",
                designated_on=today,
                expires_on=today,
                sworn=True,
                all_cameras=True,
            ),
        )
    service.do_update_user(rt, me, admin.id, full_name="Anne B.")  # the rest is allowed


def test_unknown_usernames_are_journalled_only_when_plausible(rt: Runtime) -> None:
    for attempted in ("jdupont", "Mon-Mot-De-Passe 2026!"):
        with pytest.raises(Unauthenticated):
            login.do_login(rt, attempted, "whatever")
    with rt.db.read() as s:
        targets = (
            s.execute(
                sa.text(
                    "SELECT target_id FROM audit_entries "
                    "WHERE action = 'auth.login_failed' ORDER BY seq"
                )
            )
            .scalars()
            .all()
        )
    assert targets == ["jdupont", "(not a valid username)"]


def test_password_change_checks_the_current_one_and_ends_sessions(rt: Runtime) -> None:
    user = f.user(rt, "olivier", Role.OPERATOR)
    issued = login.do_login(rt, "olivier", f.PASSWORD).session
    assert issued is not None
    for _ in range(rt.settings.lockout_threshold - 1):
        with pytest.raises(Unauthenticated):
            login.do_change_own_password(rt, user.id, "wrong-guess", "Nouveau-Secret-42")
    with pytest.raises(Forbidden):  # the guesses counted: the account is now locked
        login.do_change_own_password(rt, user.id, "wrong-guess", "Nouveau-Secret-42")
    assert "auth.account_locked" in _actions(rt)


def test_successful_password_change_ends_sessions(rt: Runtime) -> None:
    user = f.user(rt, "olivier", Role.OPERATOR)
    issued = login.do_login(rt, "olivier", f.PASSWORD).session
    assert issued is not None
    login.do_change_own_password(rt, user.id, f.PASSWORD, "Nouveau-Secret-42")
    with pytest.raises(Unauthenticated):
        login.resolve_session(rt, issued.token)
    assert login.do_login(rt, "olivier", "Nouveau-Secret-42").stage is LoginStage.DONE
