"""SMTP transport against a real aiosmtpd server: plain, STARTTLS with AUTH, implicit TLS, and failures."""

from __future__ import annotations

import time

import pytest

from tests.mail.helpers import Recorder, TlsFiles, free_port, queued, smtp_server
from tests.mail.test_render import MAIL_FROM, make_app
from usher.mail.render import build_message
from usher.mail.transports import DeliveryError, SmtpTarget, SmtpTransport, parse_smtp_url, transport_for


def message(code: str = "424242", mail_id: str = "msg_t1") -> object:
    return build_message(queued(mail_id, code=code), make_app(), MAIL_FROM)


# URL parsing -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example:2525", SmtpTarget("mail.example", 2525, "plain")),
        ("smtp://mail.example", SmtpTarget("mail.example", 25, "plain")),
        ("smtp://mail.example:587?starttls=1", SmtpTarget("mail.example", 587, "starttls")),
        ("smtp://mail.example?starttls=0", SmtpTarget("mail.example", 25, "plain")),
        ("smtps://mail.example", SmtpTarget("mail.example", 465, "tls")),
        ("smtps://u%40x:p%3Aw%2F@mail.example:4650", SmtpTarget("mail.example", 4650, "tls", "u@x", "p:w/")),
        ("smtp://user:@127.0.0.1:25", SmtpTarget("127.0.0.1", 25, "plain", "user", "")),
    ],
)
def test_parse_smtp_url_reads_host_port_security_and_login(url: str, expected: SmtpTarget) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://user:hunter2secret@mail.example", "smtp:// or smtps://"),
        ("smtp://user:hunter2secret@mail.example:99999", "port"),
        ("smtp://user:hunter2secret@mail.example:abc", "port"),
        ("smtp://user:hunter2secret@:25", "no host"),
        ("smtp://user:hunter2secret@mail.example/path", "path"),
        ("smtp://user:hunter2secret@mail.example?tls=1", "unknown option"),
        ("smtps://user:hunter2secret@mail.example?starttls=1", "starttls"),
        ("smtp://user:hunter2secret@mail.example?starttls=maybe", "starttls"),
        ("smtp://:hunter2secret@mail.example", "no user name"),
    ],
)
def test_parse_smtp_url_bad_value_names_problem_not_password(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        parse_smtp_url(url)
    assert "hunter2secret" not in str(caught.value)


def test_transport_repr_hides_password() -> None:
    transport = SmtpTransport.from_url("smtp://user:hunter2secret@mail.example:25")
    assert "hunter2secret" not in repr(transport) and "user" in repr(transport)


def test_transport_for_unset_url_is_none() -> None:
    assert transport_for(None) is None and transport_for("  ") is None
    assert isinstance(transport_for("smtp://127.0.0.1:25"), SmtpTransport)


# Delivery --------------------------------------------------------------------------------------------------------


async def test_send_plain_delivers_message_to_server() -> None:
    with smtp_server() as server:
        await SmtpTransport.from_url(server.url()).send(message())  # type: ignore[arg-type]
        [received] = await server.await_for(1)
    assert received.recipients == ["ada@example.com"]
    assert received.sender == "no-reply@mail.example"
    assert received.message["Message-ID"] == "<msg_t1@mail.example>"
    assert "424242" in received.text()


async def test_send_starttls_with_auth_delivers(tls_files: TlsFiles) -> None:
    with smtp_server(starttls=tls_files.server_context(), auth=True) as server:
        transport = SmtpTransport.from_url(
            server.url(user=True, query="starttls=1"), tls_context=tls_files.client_context()
        )
        await transport.send(message())  # type: ignore[arg-type]
        assert len(await server.await_for(1)) == 1


async def test_send_starttls_wrong_password_is_transient(tls_files: TlsFiles) -> None:
    with smtp_server(starttls=tls_files.server_context(), auth=True) as server:
        url = server.url(query="starttls=1").replace("smtp://", "smtp://mailer:wrong@")
        transport = SmtpTransport.from_url(url, tls_context=tls_files.client_context())
        with pytest.raises(DeliveryError) as caught:
            await transport.send(message())  # type: ignore[arg-type]
        assert not caught.value.permanent and caught.value.smtp_code == 535
        assert server.received == []


async def test_send_auth_required_without_login_fails_without_delivering(tls_files: TlsFiles) -> None:
    with smtp_server(starttls=tls_files.server_context(), auth=True) as server:
        transport = SmtpTransport.from_url(server.url(query="starttls=1"), tls_context=tls_files.client_context())
        with pytest.raises(DeliveryError):
            await transport.send(message())  # type: ignore[arg-type]
        assert server.received == []


async def test_send_starttls_untrusted_certificate_is_transient(tls_files: TlsFiles) -> None:
    with smtp_server(starttls=tls_files.server_context()) as server:
        transport = SmtpTransport.from_url(server.url(query="starttls=1"))  # system CAs: the test cert is unknown
        with pytest.raises(DeliveryError) as caught:
            await transport.send(message())  # type: ignore[arg-type]
        assert not caught.value.permanent
        assert server.received == []


async def test_send_implicit_tls_delivers(tls_files: TlsFiles) -> None:
    # aiosmtpd offers no AUTH on implicit TLS (it only counts STARTTLS as TLS); login is covered above
    with smtp_server(implicit_tls=tls_files.server_context()) as server:
        transport = SmtpTransport.from_url(server.url("smtps"), tls_context=tls_files.client_context())
        await transport.send(message())  # type: ignore[arg-type]
        [received] = await server.await_for(1)
    assert received.message["Message-ID"] == "<msg_t1@mail.example>"


async def test_send_permanent_refusal_is_permanent_and_body_free() -> None:
    refusing = Recorder(reply="550 5.7.1 Message rejected")
    with smtp_server(refusing) as server, pytest.raises(DeliveryError) as caught:
        await SmtpTransport.from_url(server.url()).send(message(code="SECRET77"))  # type: ignore[arg-type]
    assert caught.value.permanent and caught.value.smtp_code == 550
    assert "SECRET77" not in str(caught.value) and "550" in str(caught.value)


async def test_send_temporary_refusal_is_transient() -> None:
    with smtp_server(Recorder(reply="451 4.3.0 Try again later")) as server, pytest.raises(DeliveryError) as caught:
        await SmtpTransport.from_url(server.url()).send(message())  # type: ignore[arg-type]
    assert not caught.value.permanent and caught.value.smtp_code == 451


async def test_send_connection_refused_is_transient() -> None:
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(DeliveryError) as caught:
        await transport.send(message())  # type: ignore[arg-type]
    assert not caught.value.permanent


async def test_send_slow_server_times_out_within_bound() -> None:
    with smtp_server(Recorder(delay=2)) as server:
        transport = SmtpTransport(parse_smtp_url(server.url()), send_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            await transport.send(message())  # type: ignore[arg-type]
        assert time.monotonic() - started < 2
    assert not caught.value.permanent and "TimeoutError" in str(caught.value)
