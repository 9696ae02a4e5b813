"""The blocking Client and TokenVerifier over a real socket against `usher serve`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sdk.conftest import PASSWORD
from tests.sdk.live import usher_serve
from usher_client import Client, InvalidCredentials, InvalidSession, InvalidToken, NotFound, TokenVerifier


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with usher_serve(tmp_path_factory.mktemp("usher")) as (server, key):
        yield server.url, key


def test_sync_client_self_service_flow(live: tuple[str, str]) -> None:
    url, key = live
    with Client(url, "default", secret_key=key) as client:
        signed = client.sign_up(PASSWORD, email="sync@example.com", username="sync")
        assert signed.session is not None
        token = signed.session.token
        assert client.me(token).user.username == "sync"
        assert client.update_me(token, first_name="S").first_name == "S"
        client.confirm_password(token, PASSWORD)
        other = client.sign_in("sync", PASSWORD)
        assert other.session is not None and len(client.sessions(token)) == 2
        client.revoke_session(token, other.session.session.id)
        client.change_password(token, PASSWORD, PASSWORD + "!")
        with pytest.raises(InvalidCredentials):
            client.sign_in("sync", PASSWORD)
        client.send_verification(token=token, method="code")
        client.forgot_password("sync@example.com", method="code")
        client.request_magic_link("sync@example.com", method="code")
        client.sign_out(token)
        with pytest.raises(InvalidSession):
            client.me(token)


def test_sync_tokens_verify_offline_over_the_socket(live: tuple[str, str]) -> None:
    url, key = live
    with Client(url, "default", secret_key=key) as client:
        client.create_user(email="tok@example.com", password=PASSWORD)
        pair = client.token("tok@example.com", PASSWORD)
        verifier = TokenVerifier(url, "default")
        claims = verifier.verify(pair.access_token)
        assert claims.email == "tok@example.com" and claims.iss == f"{url}/apps/default"
        fresh = client.refresh(pair.refresh_token)
        assert verifier.verify(fresh.access_token).sub == claims.sub and verifier.fetches == 1
        client.sign_out_everywhere(fresh.access_token)
        with pytest.raises(InvalidToken):
            client.me(fresh.access_token)


def test_sync_admin_calls(live: tuple[str, str]) -> None:
    url, key = live
    with Client(url, "default", secret_key=key) as client:
        user = client.create_user(id="adm-1", email="adm@example.com")
        assert client.get_user("adm-1") == user
        assert client.update_user("adm-1", permission_level=3).permission_level == 3
        assert client.disable_user("adm-1").disabled and not client.enable_user("adm-1").disabled
        client.sign_out_user("adm-1")
        assert client.list_users(limit=100).total >= 1
        assert any(e.type for e in client.audit(limit=10))
        client.delete_user("adm-1")
        with pytest.raises(NotFound):
            client.get_user("adm-1")
