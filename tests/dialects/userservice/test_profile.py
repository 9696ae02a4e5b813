"""JWT User Service profile and status over HTTP: the seed's examples and the nil rule of a profile update."""

from __future__ import annotations

from tests.dialects.userservice.support import EMAIL, UserService, assert_answer

ONE = 'env="CLIENT_ID=91838_018381_0381980"'


async def test_post_profile_seed_example_sets_names_and_shows_attributes(us: UserService) -> None:
    token = await us.signed_up()
    await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    data = await us.ok("POST", "profile", {"firstname": "Barney", "lastname": "Fife"}, token=token)
    user = assert_answer(data, attributes=True)
    assert (user["firstname"], user["lastname"]) == ("Barney", "Fife")
    assert user["attributes"] == {"key_one": ONE}
    assert user["email"] == EMAIL


async def test_get_profile_seed_example_shows_names_and_attributes(us: UserService) -> None:
    token = await us.signed_up()
    await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    posted = await us.ok("POST", "profile", {"firstname": "Barney", "lastname": "Fife"}, token=token)
    data = await us.ok("GET", "profile", token=token)
    assert assert_answer(data, attributes=True) == posted["user"]


async def test_post_profile_name_not_passed_is_cleared(us: UserService) -> None:
    token = await us.signed_up(firstname="Barney", lastname="Fife")
    data = await us.ok("POST", "profile", {"firstname": "Andy"}, token=token)
    assert (data["user"]["firstname"], data["user"]["lastname"]) == ("Andy", "")
    data = await us.ok("POST", "profile", {"lastname": None}, token=token)
    assert (data["user"]["firstname"], data["user"]["lastname"]) == ("", "")
    assert (await us.ok("GET", "profile", token=token))["user"]["firstname"] == ""


async def test_post_profile_empty_body_clears_both_names(us: UserService) -> None:
    token = await us.signed_up(firstname="Barney", lastname="Fife")
    response = await us.api.post(
        "/userservice/v1/users/profile", headers={"Authorization": f"Bearer {token}"}, content=b""
    )
    assert response.status_code == 200, response.text
    assert (response.json()["user"]["firstname"], response.json()["user"]["lastname"]) == ("", "")


async def test_post_profile_bad_body_is_400(us: UserService) -> None:
    token = await us.signed_up()
    for body in ({"firstname": 5}, {"firstname": "x" * 201}, {"lastname": "a\u0000b"}, [1]):
        response = await us("POST", "profile", body, token=token)
        assert response.status_code == 400, response.text
        assert set(response.json()) == {"error"}


async def test_get_status_seed_example_has_no_attributes(us: UserService) -> None:
    token = await us.signed_up()
    await us.ok("POST", "attributes", {"attributeKey": "key_one", "attributeText": ONE}, token=token)
    user = assert_answer(await us.ok("GET", "status", token=token))
    assert "attributes" not in user
    assert user["confirmed"] is False
    assert user["email"] == EMAIL


async def test_get_status_reflects_a_profile_update_with_the_same_token(us: UserService) -> None:
    token = await us.signed_up()
    await us.ok("POST", "profile", {"firstname": "Barney", "lastname": "Fife"}, token=token)
    user = (await us.ok("GET", "status", token=token))["user"]
    assert (user["firstname"], user["lastname"]) == ("Barney", "Fife")
