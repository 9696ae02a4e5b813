"""JWT User Service attributes over HTTP: upsert, the bare map, delete by key, by text and by id."""

from __future__ import annotations

import pytest

from tests.dialects.userservice.support import UserService, assert_answer, assert_error
from usher.container import Container

ONE = 'env="CLIENT_ID=91838_018381_0381980"'
TWO = 'env="CLIENT_SECRET=???"'


async def with_two(us: UserService) -> str:
    token = await us.signed_up()
    await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    await us.ok("POST", "attributes", {"attributeKey": "key_two", "attributeText": TWO}, token=token)
    return token


async def test_post_attributes_seed_example_answers_user_with_attributes(us: UserService) -> None:
    token = await us.signed_up()
    data = await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    user = assert_answer(data, attributes=True)
    assert user["attributes"] == {"key_one": ONE}


async def test_post_attributes_same_key_replaces_the_value(us: UserService) -> None:
    token = await us.signed_up()
    await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": "old"}, token=token)
    data = await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    assert data["user"]["attributes"] == {"key_one": ONE}


async def test_post_attributes_empty_text_is_kept(us: UserService) -> None:
    token = await us.signed_up()
    data = await us.ok("POST", "attributes", {"attributeKey": "k", "attributeText": ""}, token=token)
    assert data["user"]["attributes"] == {"k": ""}


async def test_get_attributes_seed_example_is_the_bare_map(us: UserService) -> None:
    token = await with_two(us)
    assert await us.ok("GET", "attributes", token=token) == {"key_one": ONE, "key_two": TWO}


async def test_get_attributes_tolerates_an_empty_json_body(us: UserService) -> None:
    token = await us.signed_up()
    assert await us.ok("GET", "attributes", {}, token=token) == {}


async def test_attributes_belong_to_their_user(us: UserService) -> None:
    token = await with_two(us)
    other = await us.signed_up("other@example.com")
    assert await us.ok("GET", "attributes", token=other) == {}
    assert_error(await us("DELETE", "attributes", {"attributeKey": "key_one"}, token=other), 400)
    assert len(await us.ok("GET", "attributes", token=token)) == 2


@pytest.mark.parametrize("field", ["attributeKey", "attributeText"])
async def test_delete_attributes_seed_example_by_key(us: UserService, field: str) -> None:
    token = await with_two(us)
    data = await us.ok("DELETE", "attributes", {field: "key_two"}, token=token)
    user = assert_answer(data, attributes=True)
    assert user["attributes"] == {"key_one": ONE}


async def test_delete_attributes_by_database_id(us: UserService, container: Container) -> None:
    token = await with_two(us)
    user_id = (await us.ok("GET", "status", token=token))["user"]["id"]
    found = await container.services.accounts.get_by_number("default", user_id)
    ids = {key: number for number, key, _ in await container.services.accounts.attributes("default", found.id)}
    data = await us.ok("DELETE", "attributes", {"attributeId": ids["key_two"]}, token=token)
    assert data["user"]["attributes"] == {"key_one": ONE}
    data = await us.ok("DELETE", "attributes", {"attributeId": str(ids["key_one"])}, token=token)
    assert data["user"]["attributes"] == {}


async def test_delete_attributes_by_query_parameter(us: UserService) -> None:
    token = await with_two(us)
    data = await us.ok("DELETE", "attributes", params={"attributeKey": "key_one"}, token=token)
    assert data["user"]["attributes"] == {"key_two": TWO}


async def test_delete_attributes_without_a_key_or_id_is_400(us: UserService) -> None:
    token = await with_two(us)
    assert_error(await us("DELETE", "attributes", {}, token=token), 400)
    assert_error(await us("DELETE", "attributes", {"attributeKey": ""}, token=token), 400)
    assert len(await us.ok("GET", "attributes", token=token)) == 2


@pytest.mark.parametrize("body", [{"attributeKey": "missing"}, {"attributeText": "missing"}, {"attributeId": 999999}])
async def test_delete_attributes_unknown_is_400_attribute_not_found(us: UserService, body: dict[str, object]) -> None:
    token = await with_two(us)
    assert_error(await us("DELETE", "attributes", body, token=token), 400, "attribute not found")


@pytest.mark.parametrize(
    "body",
    [
        {"attributeText": ONE},
        {"attributeKey": "k"},
        {"attributeKey": "", "attributeText": "v"},
        {"attributeKey": "k", "attributeText": 5},
        {"attributeKey": "k" * 201, "attributeText": "v"},
        {"attributeKey": "k", "attributeText": "v" * 4097},
        {"attributeKey": "a\u0000", "attributeText": "v"},
    ],
)
async def test_post_attributes_bad_body_is_400(us: UserService, body: dict[str, object]) -> None:
    token = await us.signed_up()
    assert_error(await us("POST", "attributes", body, token=token), 400)


@pytest.mark.parametrize("attribute_id", ["abc", 2**70, 1.5, [1]])
async def test_delete_attributes_bad_id_is_400(us: UserService, attribute_id: object) -> None:
    token = await us.signed_up()
    assert_error(await us("DELETE", "attributes", {"attributeId": attribute_id}, token=token), 400)
