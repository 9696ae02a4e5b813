"""UserStore's users resource over HTTP: create, read, list with paging, update, delete; duplicates."""

from __future__ import annotations

import pytest

from tests.dialects.userstore.support import EMAIL, PASSWORD, UserStore, assert_error, assert_user


@pytest.mark.parametrize("encoding", ["form", "json"])
async def test_create_user_returns_the_user(userstore: UserStore, encoding: str) -> None:
    body = {"email": EMAIL, "password": PASSWORD, "username": "johnsmith", "first_name": "John", "last_name": "Smith"}
    response = await userstore("POST", "/users", **{"data" if encoding == "form" else "json": body})
    assert response.status_code == 200, response.text
    user = response.json()
    assert_user(user)
    assert user["email"] == EMAIL
    assert (user["username"], user["first_name"], user["last_name"]) == ("johnsmith", "John", "Smith")
    assert user["is_active"] is True
    assert user["is_email_verified"] is False
    assert user["last_signin"] is None
    assert user["created_at"] == user["updated_at"]
    assert PASSWORD not in response.text


async def test_create_user_with_email_and_password_only(userstore: UserStore) -> None:
    user = await userstore.create(username=None)
    assert (user["username"], user["first_name"], user["last_name"]) == (None, "", "")
    assert (await userstore.signin(EMAIL)).status_code == 200


@pytest.mark.parametrize("body", [{"email": EMAIL}, {"password": PASSWORD}, {"email": "", "password": PASSWORD}])
async def test_create_user_with_missing_fields_is_400(userstore: UserStore, body: dict[str, str]) -> None:
    error = assert_error(await userstore("POST", "/users", data=body), 400, "validation_error")
    assert error["validation_error"][0]["field"] in {"email", "password"}


@pytest.mark.parametrize("password", ["tester", "mypassword", "password", "        "])
async def test_create_user_with_weak_password_is_400(userstore: UserStore, password: str) -> None:
    response = await userstore("POST", "/users", data={"email": EMAIL, "password": password})
    error = assert_error(response, 400, "validation_error")
    assert error["validation_error"][0]["field"] == "password"


async def test_create_user_with_bad_email_is_400(userstore: UserStore) -> None:
    response = await userstore("POST", "/users", data={"email": "not an address", "password": PASSWORD})
    assert assert_error(response, 400, "validation_error")["validation_error"][0]["field"] == "email"


@pytest.mark.parametrize("email", [EMAIL, "JOHN@EXAMPLE.COM", " John@Example.com "])
async def test_create_user_with_taken_email_in_any_case_is_400_email_taken(userstore: UserStore, email: str) -> None:
    await userstore.create()
    response = await userstore("POST", "/users", data={"email": email, "password": PASSWORD})
    assert_error(response, 400, "email_taken")


@pytest.mark.parametrize("username", ["johnsmith", "JohnSmith", "JOHNSMITH "])
async def test_create_user_with_taken_username_in_any_case_is_400_username_taken(
    userstore: UserStore, username: str
) -> None:
    await userstore.create()
    response = await userstore(
        "POST", "/users", data={"email": "jane@example.com", "password": PASSWORD, "username": username}
    )
    assert_error(response, 400, "username_taken")


async def test_create_user_whose_username_is_another_email_is_refused(userstore: UserStore) -> None:
    await userstore.create()
    body = {"email": "jane@example.com", "password": PASSWORD, "username": "John@example.com"}
    response = await userstore("POST", "/users", data=body)
    assert response.status_code == 400
    assert response.json()["error"] in {"email_taken", "username_taken"}


@pytest.mark.parametrize(
    "params",
    [
        {"verify_user": "true", "send_email": "true"},
        {"verify_user": "true"},
        {"send_email": "true"},
        {"verify_user": "true", "send_email": "true", "verify_url": "/relative"},
    ],
)
async def test_create_user_with_bad_options_is_400_and_creates_nothing(
    userstore: UserStore, params: dict[str, str]
) -> None:
    response = await userstore("POST", "/users", data={"email": EMAIL, "password": PASSWORD}, params=params)
    assert_error(response, 400, "validation_error")
    assert (await userstore.ok("GET", "/users"))["data"] == []


async def test_read_user_by_id(userstore: UserStore) -> None:
    created = await userstore.create()
    assert await userstore.ok("GET", f"/users/{created['id']}") == created


@pytest.mark.parametrize("user_id", ["lFVofRqhZ", "x" * 300, "%00", "a%0Ab", "%F0%9F%98%80"])
async def test_unknown_user_id_is_404(userstore: UserStore, user_id: str) -> None:
    for method in ("GET", "DELETE"):
        assert_error(await userstore(method, f"/users/{user_id}"), 404, "not_found")
    assert_error(await userstore("PUT", f"/users/{user_id}", data={"first_name": "X"}), 404, "not_found")


async def test_list_users_pages_oldest_first(userstore: UserStore) -> None:
    for n in range(5):
        await userstore.create(f"u{n}@example.com", f"u{n}")
    page = await userstore.ok("GET", "/users", params={"limit": "2", "offset": "1"})
    assert set(page) == {"data", "pagination"}
    assert page["pagination"] == {"total": 5, "limit": 2, "offset": 1}
    assert [u["email"] for u in page["data"]] == ["u1@example.com", "u2@example.com"]
    for user in page["data"]:
        assert_user(user)
    everything = await userstore.ok("GET", "/users")
    assert everything["pagination"] == {"total": 5, "limit": 25, "offset": 0}
    assert len(everything["data"]) == 5
    assert (await userstore.ok("GET", "/users", params={"offset": "9"}))["data"] == []
    assert len((await userstore.ok("GET", "/users", params={"limit": "1000"}))["data"]) == 5


@pytest.mark.parametrize(
    "params", [{"limit": "1001"}, {"limit": "0"}, {"limit": "-1"}, {"offset": "-1"}, {"limit": "x"}]
)
async def test_list_users_with_bad_paging_is_400(userstore: UserStore, params: dict[str, str]) -> None:
    error = assert_error(await userstore("GET", "/users", params=params), 400, "validation_error")
    assert error["validation_error"][0]["field"] in params


@pytest.mark.parametrize("encoding", ["form", "json"])
async def test_update_user_changes_what_is_given(userstore: UserStore, encoding: str) -> None:
    created = await userstore.create(first_name="John", last_name="Smith")
    body = {"first_name": "Johnny", "email": "johnny@example.com"}
    response = await userstore("PUT", f"/users/{created['id']}", **{"data" if encoding == "form" else "json": body})
    assert response.status_code == 200, response.text
    user = response.json()
    assert_user(user)
    assert (user["first_name"], user["last_name"], user["email"], user["username"]) == (
        "Johnny",
        "Smith",
        "johnny@example.com",
        "johnsmith",
    )
    assert user["updated_at"] >= created["updated_at"]
    assert (await userstore.signin("johnny@example.com")).status_code == 200


async def test_update_user_to_a_taken_email_is_400(userstore: UserStore) -> None:
    await userstore.create()
    jane = await userstore.create("jane@example.com", "jane")
    response = await userstore("PUT", f"/users/{jane['id']}", data={"email": "JOHN@example.com"})
    assert_error(response, 400, "email_taken")
    response = await userstore("PUT", f"/users/{jane['id']}", json={"username": "JohnSmith"})
    assert_error(response, 400, "username_taken")


async def test_delete_user_removes_it(userstore: UserStore) -> None:
    created = await userstore.create()
    assert await userstore.ok("DELETE", f"/users/{created['id']}") == {"id": created["id"], "deleted": True}
    assert_error(await userstore("GET", f"/users/{created['id']}"), 404, "not_found")
    assert_error(await userstore.signin(), 401, "invalid_credentials")
    assert_error(await userstore("DELETE", f"/users/{created['id']}"), 404, "not_found")


async def test_delete_user_tolerates_a_json_body(userstore: UserStore) -> None:
    created = await userstore.create()
    response = await userstore.api.request(
        "DELETE", f"/userstore/1/users/{created['id']}", json={}, auth=(userstore.key, "")
    )
    assert response.status_code == 200
