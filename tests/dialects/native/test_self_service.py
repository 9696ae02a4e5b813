"""Native self-service endpoints over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up


async def test_sign_up_answers_user_and_session_without_secrets(api: httpx.AsyncClient) -> None:
    body = await sign_up(api, username="ada", first_name="Ada", profile={"team": "math"})
    user, session = body["user"], body["session"]
    assert user["email"] == "ada@example.com" and user["username"] == "ada"
    assert user["profile"] == {"team": "math"} and user["email_verified"] is False
    assert len(session["token"]) == 43 and session["id"].startswith("ses_")
    assert "password" not in str(body) and "hash" not in str(body)


async def test_sign_in_by_username_then_who_am_i(api: httpx.AsyncClient) -> None:
    await sign_up(api, username="ada")
    signed = await api.post(
        f"{BASE}/signin", json={"login": "ADA", "password": PASSWORD}, headers={"User-Agent": "t/1"}
    )
    assert signed.status_code == 200
    token = signed.json()["session"]["token"]
    me = await api.get(f"{BASE}/me", headers=auth(token))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "ada"
    assert me.json()["session"]["user_agent"] == "t/1"
    assert me.json()["session"]["client_address"] == "203.0.113.7"
    assert me.json()["user"]["last_signin_at"] is not None
    assert me.headers["cache-control"] == "no-store"


async def test_sign_in_wrong_password_and_unknown_user_answer_alike(api: httpx.AsyncClient) -> None:
    await sign_up(api)
    wrong = await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": "not the password"})
    ghost = await api.post(f"{BASE}/signin", json={"login": "ghost@example.com", "password": "not the password"})
    first, second = assert_error(wrong, 401, "invalid_credentials"), assert_error(ghost, 401, "invalid_credentials")
    assert first["error"]["message"] == second["error"]["message"]


async def test_who_am_i_without_or_with_bad_token_is_401(api: httpx.AsyncClient) -> None:
    assert_error(await api.get(f"{BASE}/me"), 401, "invalid_session")
    assert_error(await api.get(f"{BASE}/me", headers=auth("x" * 43)), 401, "invalid_session")
    response = await api.get(f"{BASE}/me", headers={"Authorization": "Basic abc"})
    assert_error(response, 401, "invalid_session")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_of_another_app_is_refused(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    assert_error(await api.get("/v1/apps/other/me", headers=auth(token)), 401, "invalid_session")


async def test_sign_out_revokes_the_session(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    assert (await api.post(f"{BASE}/signout", headers=auth(token))).status_code == 204
    assert_error(await api.get(f"{BASE}/me", headers=auth(token)), 401, "invalid_session")


async def test_sign_out_everywhere_revokes_every_session(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    other = (await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": PASSWORD})).json()
    assert (await api.post(f"{BASE}/signout-everywhere", headers=auth(token))).status_code == 204
    for t in (token, other["session"]["token"]):
        assert_error(await api.get(f"{BASE}/me", headers=auth(t)), 401, "invalid_session")


async def test_list_and_revoke_own_sessions(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    other = (await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": PASSWORD})).json()
    listed = (await api.get(f"{BASE}/me/sessions", headers=auth(token))).json()["sessions"]
    assert len(listed) == 2 and all("token" not in s for s in listed)
    gone = await api.delete(f"{BASE}/me/sessions/{other['session']['id']}", headers=auth(token))
    assert gone.status_code == 204
    assert_error(await api.get(f"{BASE}/me", headers=auth(other["session"]["token"])), 401, "invalid_session")
    again = await api.delete(f"{BASE}/me/sessions/{other['session']['id']}", headers=auth(token))
    assert_error(again, 404, "not_found")


async def test_change_password_keeps_this_session_and_ends_others(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    other = (await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": PASSWORD})).json()
    wrong = await api.post(
        f"{BASE}/me/password",
        json={"current_password": "wrong one!", "new_password": "a new good one"},
        headers=auth(token),
    )
    assert_error(wrong, 401, "invalid_credentials")
    changed = await api.post(
        f"{BASE}/me/password",
        json={"current_password": PASSWORD, "new_password": "a new good one"},
        headers=auth(token),
    )
    assert changed.status_code == 204
    assert (await api.get(f"{BASE}/me", headers=auth(token))).status_code == 200
    assert_error(await api.get(f"{BASE}/me", headers=auth(other["session"]["token"])), 401, "invalid_session")
    old = await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": PASSWORD})
    assert_error(old, 401, "invalid_credentials")
    new = await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": "a new good one"})
    assert new.status_code == 200


async def test_change_password_to_weak_one_says_why(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    weak = await api.post(
        f"{BASE}/me/password", json={"current_password": PASSWORD, "new_password": "password1"}, headers=auth(token)
    )
    assert assert_error(weak, 400, "weak_password")["error"]["message"] == "password is too common"


async def test_confirm_password_right_204_wrong_401(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    ok = await api.post(f"{BASE}/me/confirm-password", json={"password": PASSWORD}, headers=auth(token))
    assert ok.status_code == 204
    bad = await api.post(f"{BASE}/me/confirm-password", json={"password": "nope nope"}, headers=auth(token))
    assert_error(bad, 401, "invalid_credentials")


async def test_update_me_changes_names_and_replaces_profile(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api, profile={"a": "1"}))["session"]["token"]
    response = await api.patch(
        f"{BASE}/me", json={"first_name": "Ada", "language": "en", "profile": {"b": "2"}}, headers=auth(token)
    )
    assert response.status_code == 200
    user = response.json()
    assert (user["first_name"], user["language"], user["profile"]) == ("Ada", "en", {"b": "2"})


async def test_update_me_to_taken_username_is_conflict(api: httpx.AsyncClient) -> None:
    await sign_up(api, "grace@example.com", username="grace")
    token = (await sign_up(api))["session"]["token"]
    assert_error(await api.patch(f"{BASE}/me", json={"username": "GRACE"}, headers=auth(token)), 409, "conflict")
    taken = await api.patch(f"{BASE}/me", json={"username": "grace@example.com"}, headers=auth(token))
    assert_error(taken, 409, "conflict")


async def test_sign_up_duplicate_email_in_unicode_variant_is_conflict(api: httpx.AsyncClient) -> None:
    await sign_up(api, "strasse@example.com")
    again = await api.post(f"{BASE}/signup", json={"email": "STRAßE@example.com", "password": PASSWORD})
    assert_error(again, 409, "conflict")


async def test_sign_up_unknown_app_is_404(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/apps/nope/signup", json={"email": "a@b.c", "password": PASSWORD})
    assert_error(response, 404, "not_found")


async def test_sign_up_closed_app_is_403(api: httpx.AsyncClient, container: object) -> None:
    from usher.container import Container

    assert isinstance(container, Container)
    await container.services.apps.configure("default", {"signup_open": "false"})
    response = await api.post(f"{BASE}/signup", json={"email": "a@b.c", "password": PASSWORD})
    assert_error(response, 403, "forbidden")


async def test_sign_up_when_verification_required_gives_no_session(api: httpx.AsyncClient, container: object) -> None:
    from usher.container import Container

    assert isinstance(container, Container)
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    body = await sign_up(api)
    assert body["session"] is None
    refused = await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": PASSWORD})
    assert_error(refused, 403, "email_not_verified")
