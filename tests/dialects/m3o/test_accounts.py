"""M3O Create, Read, Update, Delete and List over HTTP: the seed's examples and their error paths."""

from __future__ import annotations

import pytest

from tests.dialects.m3o.support import (
    M3O,
    PASSWORD,
    assert_account,
    assert_error,
)

# Create


async def test_create_with_seed_fields_returns_account(m3o: M3O) -> None:
    body = {"email": "joe@example.com", "username": "joe", "password": PASSWORD, "profile": {"plan": "pro"}}
    data = await m3o.ok("Create", body)
    assert set() <= set(data)  # the seed's example answer is `{}`: a subset of ours
    assert set(data) == {"account"}
    account = data["account"]
    assert_account(account)
    assert account["email"] == "joe@example.com"
    assert account["username"] == "joe"
    assert account["profile"] == {"plan": "pro"}
    assert account["verified"] is False
    assert account["verification_date"] == "0"
    assert len(account["id"]) == 17


async def test_create_with_chosen_id_uses_it(m3o: M3O) -> None:
    account = await m3o.create(id="user-1.a_b~c")
    assert account["id"] == "user-1.a_b~c"
    read = await m3o.ok("Read", {"id": "user-1.a_b~c"})
    assert read["account"]["username"] == "joe"


@pytest.mark.parametrize("bad_id", ["has space", "a" * 65, "üser", "a/b", "x\u200b"])
async def test_create_with_invalid_id_is_400(m3o: M3O, bad_id: str) -> None:
    response = await m3o("Create", {"id": bad_id, "email": "joe@example.com", "password": PASSWORD})
    assert_error(response, 400, "Create")


async def test_create_with_taken_id_is_400_account_exists(m3o: M3O) -> None:
    await m3o.create(id="user-1")
    response = await m3o("Create", {"id": "user-1", "email": "jane@example.com", "password": PASSWORD})
    assert_error(response, 400, "Create", "account already exists")


@pytest.mark.parametrize("variant", ["JOE@EXAMPLE.COM", " joe@example.com ", "ｊｏｅ@ｅｘａｍｐｌｅ.ｃｏｍ"])
async def test_create_with_duplicate_email_variant_is_400(m3o: M3O, variant: str) -> None:
    await m3o.create(email="joe@example.com", username="joe")
    response = await m3o("Create", {"email": variant, "username": "jane", "password": PASSWORD})
    assert_error(response, 400, "Create", "email already exists")


@pytest.mark.parametrize("variant", ["JOE", "Joe ", "ｊｏｅ", "ＪＯＥ"])
async def test_create_with_duplicate_username_variant_is_400(m3o: M3O, variant: str) -> None:
    await m3o.create(email="joe@example.com", username="joe")
    response = await m3o("Create", {"email": "jane@example.com", "username": variant, "password": PASSWORD})
    assert_error(response, 400, "Create", "username already exists")


async def test_create_with_username_equal_to_other_email_is_400(m3o: M3O) -> None:
    await m3o.create(email="joe@example.com", username="joe")
    response = await m3o("Create", {"email": "jane@example.com", "username": "Joe@Example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["detail"] in {"username already exists", "email already exists"}


@pytest.mark.parametrize("weak", ["mypassword", "tester", "short", "        "])
async def test_create_with_weak_password_is_400(m3o: M3O, weak: str) -> None:
    response = await m3o("Create", {"email": "joe@example.com", "username": "joe", "password": weak})
    assert_error(response, 400, "Create")
    assert response.json()["detail"].startswith("password")
    assert f'"{weak}' not in response.text


async def test_create_with_password_as_number_is_400(m3o: M3O) -> None:
    response = await m3o("Create", {"email": "joe@example.com", "password": 5})
    assert_error(response, 400, "Create")


@pytest.mark.parametrize("missing", ["email", "password"])
async def test_create_without_required_field_is_400(m3o: M3O, missing: str) -> None:
    body = {"email": "joe@example.com", "username": "joe", "password": PASSWORD}
    del body[missing]
    response = await m3o("Create", body)
    assert_error(response, 400, "Create", f"{missing} is required")


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b@c"])
async def test_create_with_bad_email_is_400(m3o: M3O, email: str) -> None:
    response = await m3o("Create", {"email": email, "password": PASSWORD})
    assert_error(response, 400, "Create")


async def test_create_without_username_returns_empty_username(m3o: M3O) -> None:
    data = await m3o.ok("Create", {"email": "joe@example.com", "password": PASSWORD})
    assert_account(data["account"])
    assert data["account"]["username"] == ""


async def test_create_with_profile_value_not_string_is_400(m3o: M3O) -> None:
    body = {"email": "joe@example.com", "password": PASSWORD, "profile": {"age": 5}}
    assert_error(await m3o("Create", body), 400, "Create")


async def test_create_with_unknown_fields_and_nulls_ignores_them(m3o: M3O) -> None:
    body = {"email": "joe@example.com", "password": PASSWORD, "username": None, "profile": None, "nickname": "x"}
    data = await m3o.ok("Create", body)
    assert data["account"]["profile"] == {}
    assert data["account"]["username"] == ""


# Read


@pytest.mark.parametrize(("field", "value"), [("id", None), ("username", "JOE"), ("email", "Joe@Example.com")])
async def test_read_by_id_username_or_email_returns_seed_account(m3o: M3O, field: str, value: str | None) -> None:
    created = await m3o.create()
    data = await m3o.ok("Read", {field: value or created["id"]})
    assert set(data) == {"account"}
    assert_account(data["account"])
    assert data["account"] == created


async def test_read_without_identifier_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Read", {}), 400, "Read")


@pytest.mark.parametrize("body", [{"id": "nobody"}, {"username": "nobody"}, {"email": "nobody@example.com"}])
async def test_read_unknown_user_is_404(m3o: M3O, body: dict[str, str]) -> None:
    await m3o.create()
    assert_error(await m3o("Read", body), 404, "Read")


async def test_read_with_id_as_number_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Read", {"id": 12}), 400, "Read")


# Update


async def test_update_username_and_email_returns_empty(m3o: M3O) -> None:
    created = await m3o.create()
    data = await m3o.ok("Update", {"id": created["id"], "username": "joseph", "email": "joseph@example.com"})
    assert data == {}
    account = (await m3o.ok("Read", {"id": created["id"]}))["account"]
    assert account["username"] == "joseph"
    assert account["email"] == "joseph@example.com"
    assert (await m3o.ok("Read", {"email": "joseph@example.com"}))["account"]["id"] == created["id"]
    assert_error(await m3o("Read", {"email": "joe@example.com"}), 404, "Read")


async def test_update_with_profile_replaces_whole_map(m3o: M3O) -> None:
    created = await m3o.create(profile={"a": "1", "b": "2"})
    assert await m3o.ok("Update", {"id": created["id"], "profile": {"c": "3"}}) == {}
    account = (await m3o.ok("Read", {"id": created["id"]}))["account"]
    assert account["profile"] == {"c": "3"}
    assert account["username"] == "joe"


@pytest.mark.parametrize("profile", [{}, None])
async def test_update_with_empty_profile_keeps_map(m3o: M3O, profile: dict[str, str] | None) -> None:
    created = await m3o.create(profile={"a": "1"})
    assert await m3o.ok("Update", {"id": created["id"], "username": "joseph", "profile": profile}) == {}
    account = (await m3o.ok("Read", {"id": created["id"]}))["account"]
    assert account["profile"] == {"a": "1"}
    assert account["username"] == "joseph"


async def test_update_unknown_id_is_404(m3o: M3O) -> None:
    assert_error(await m3o("Update", {"id": "nobody", "username": "x"}), 404, "Update")


async def test_update_without_id_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Update", {"username": "x"}), 400, "Update", "id is required")


async def test_update_to_taken_email_is_400(m3o: M3O) -> None:
    await m3o.create(email="joe@example.com", username="joe")
    jane = await m3o.create(email="jane@example.com", username="jane")
    response = await m3o("Update", {"id": jane["id"], "email": "JOE@example.com"})
    assert_error(response, 400, "Update", "email already exists")


async def test_update_to_taken_username_is_400(m3o: M3O) -> None:
    await m3o.create(email="joe@example.com", username="joe")
    jane = await m3o.create(email="jane@example.com", username="jane")
    response = await m3o("Update", {"id": jane["id"], "username": "Joe"})
    assert_error(response, 400, "Update", "username already exists")


async def test_update_with_bad_email_is_400(m3o: M3O) -> None:
    created = await m3o.create()
    assert_error(await m3o("Update", {"id": created["id"], "email": "nope"}), 400, "Update")


# Delete


async def test_delete_existing_returns_empty_and_user_is_gone(m3o: M3O) -> None:
    created = await m3o.create()
    assert await m3o.ok("Delete", {"id": created["id"]}) == {}
    assert_error(await m3o("Read", {"id": created["id"]}), 404, "Read")
    assert_error(await m3o("Delete", {"id": created["id"]}), 404, "Delete")


async def test_delete_revokes_sessions(m3o: M3O) -> None:
    created = await m3o.create()
    session = await m3o.login()
    assert await m3o.ok("Delete", {"id": created["id"]}) == {}
    assert await m3o.session_status(session["id"]) == 404


async def test_delete_unknown_id_is_404(m3o: M3O) -> None:
    assert_error(await m3o("Delete", {"id": "nobody"}), 404, "Delete")


async def test_delete_without_id_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Delete", {}), 400, "Delete", "id is required")


# List


async def test_list_returns_seed_users(m3o: M3O) -> None:
    joe = await m3o.create(email="joe@example.com", username="joe")
    jane = await m3o.create(email="jane@example.com", username="jane")
    data = await m3o.ok("List", {})
    assert set(data) == {"users"}
    for account in data["users"]:
        assert_account(account)
        assert account["verified"] is False
        assert account["verificationDate"] == "0"
    assert sorted(u["id"] for u in data["users"]) == sorted([joe["id"], jane["id"]])


async def test_list_with_empty_body_uses_defaults(m3o: M3O) -> None:
    await m3o.create()
    response = await m3o.api.post("/m3o/v1/user/List", headers={"Authorization": f"Bearer {m3o.key}"})
    assert response.status_code == 200
    assert len(response.json()["users"]) == 1


async def test_list_without_limit_returns_at_most_25(m3o: M3O) -> None:
    for n in range(26):
        await m3o.create(email=f"user{n}@example.com", username=f"user{n}")
    assert len((await m3o.ok("List", {}))["users"]) == 25
    assert len((await m3o.ok("List", {"limit": 0}))["users"]) == 25
    assert len((await m3o.ok("List", {"limit": 30}))["users"]) == 26


@pytest.mark.parametrize("limit", [1001, "1001"])
async def test_list_limit_over_1000_is_400_with_exact_detail(m3o: M3O, limit: int | str) -> None:
    response = await m3o("List", {"limit": limit})
    assert_error(response, 400, "List", "limit over 1000 is invalid, you specified 1001")


async def test_list_limit_1000_is_accepted(m3o: M3O) -> None:
    assert (await m3o.ok("List", {"limit": 1000})) == {"users": []}


async def test_list_numeric_string_limit_and_offset_are_accepted(m3o: M3O) -> None:
    for n in range(3):
        await m3o.create(email=f"user{n}@example.com", username=f"user{n}")
    everyone = (await m3o.ok("List", {"limit": "10"}))["users"]
    page = (await m3o.ok("List", {"limit": "1", "offset": "1"}))["users"]
    assert len(everyone) == 3
    assert page == everyone[1:2]


@pytest.mark.parametrize("body", [{"limit": "abc"}, {"offset": "x"}, {"limit": 1.5}, {"limit": [1]}, {"limit": -1}])
async def test_list_with_bad_limit_or_offset_is_400(m3o: M3O, body: dict[str, object]) -> None:
    assert_error(await m3o("List", body), 400, "List")


async def test_list_with_huge_limit_is_400(m3o: M3O) -> None:
    assert_error(await m3o("List", {"limit": 2**70}), 400, "List")
