"""Rendering queued mail: defaults per purpose, app templates, caller overrides, escaping and header safety."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime
from typing import cast

import pytest

from tests.mail.helpers import START, queued
from usher.core.models import App, AppSettings, MailOverrides, Purpose
from usher.mail.render import MailFrom, RenderError, build_message, default_templates, render

LINK = "https://shop.example/verify?token=tok123&redirectUrl=https%3A%2F%2Fx"
MAIL_FROM = MailFrom.parse("usher <no-reply@mail.example>")


def make_app(name: str = "Shop", **settings: object) -> App:
    return App("default", name, AppSettings(**settings), START, START)  # type: ignore[arg-type]


def reparse(message: EmailMessage) -> EmailMessage:
    return message_from_bytes(message.as_bytes(), policy=default_policy)


@pytest.mark.parametrize("purpose", Purpose.ALL)
def test_render_default_for_each_purpose_names_code_and_expiry(purpose: str) -> None:
    rendered = render(queued(purpose=purpose, code="123456", ttl=600), make_app())
    assert "Shop" in rendered.subject
    assert "123456" in rendered.text
    assert "10 minutes" in rendered.text
    assert rendered.html is not None and "<strong>123456</strong>" in rendered.html


def test_render_default_one_minute_is_singular() -> None:
    assert "expires in 1 minute." in render(queued(purpose=Purpose.MAGIC_LINK, ttl=60), make_app()).text


def test_render_default_with_link_and_short_code_shows_both() -> None:
    rendered = render(queued(code="AB12CD34", link=LINK), make_app())
    assert LINK in rendered.text and "AB12CD34" in rendered.text
    assert "verify your email address" in rendered.text


def test_render_default_with_long_token_shows_only_the_link() -> None:
    token = "t" * 43
    rendered = render(queued(code=token, link=f"https://x.example/{token}", purpose=Purpose.MAGIC_LINK), make_app())
    assert "Open this link to sign in" in rendered.text
    assert "enter this code" not in rendered.text.lower()


def test_render_app_templates_replace_defaults() -> None:
    app = make_app(
        mail_templates={
            "mail_verify_email_subject": "Welcome to $app_name",
            "mail_verify_email_text": "Code: $code for $email",
            "mail_verify_email_html": "<p>Code: $code</p>",
        }
    )
    rendered = render(queued(), app)
    assert rendered == type(rendered)("Welcome to Shop", "Code: 123456 for ada@example.com", "<p>Code: 123456</p>")


def test_render_app_template_of_another_purpose_is_not_used() -> None:
    app = make_app(mail_templates={"mail_reset_password_subject": "Reset!"})
    assert render(queued(purpose=Purpose.VERIFY_EMAIL), app).subject != "Reset!"


def test_render_caller_overrides_win_and_replace_m3o_placeholders() -> None:
    app = make_app(mail_templates={"mail_verify_email_subject": "App subject", "mail_verify_email_text": "App text"})
    overrides = MailOverrides(subject="Caller subject", text="Hi! Click $micro_verification_link or type $code")
    rendered = render(queued(code="tok", link=LINK, overrides=overrides), app)
    assert rendered.subject == "Caller subject"
    assert rendered.text == f"Hi! Click {LINK} or type tok"


def test_render_caller_text_only_means_no_html_part() -> None:
    app = make_app(mail_templates={"mail_verify_email_html": "<p>app html</p>"})
    assert render(queued(overrides=MailOverrides(text="plain $code")), app).html is None


def test_render_caller_text_and_html_gives_both() -> None:
    rendered = render(queued(overrides=MailOverrides(text="t $code", html="<b>$code</b>")), make_app())
    assert (rendered.text, rendered.html) == ("t 123456", "<b>123456</b>")


def test_render_app_text_template_without_html_template_means_no_html() -> None:
    app = make_app(mail_templates={"mail_verify_email_text": "only text $code"})
    assert render(queued(), app).html is None


def test_render_html_escapes_values_but_text_keeps_them() -> None:
    mail = queued(app_name='<script>"x"&</script>', link='https://x.example/?a=1&b="2"', code="1<2")
    app = make_app(mail_templates={"mail_verify_email_html": '<a href="$link">$app_name</a> $code'})
    rendered = render(mail, app)
    assert rendered.html == (
        '<a href="https://x.example/?a=1&amp;b=&quot;2&quot;">'
        "&lt;script&gt;&quot;x&quot;&amp;&lt;/script&gt;</a> 1&lt;2"
    )
    assert '<script>"x"&</script>' in rendered.text


def test_render_template_is_sandboxed_no_attribute_access_or_code() -> None:
    text = "${code.__class__} {code} $$code $unknown ${email}"
    rendered = render(queued(overrides=MailOverrides(text=text)), make_app())
    assert rendered.text == "${code.__class__} {code} $code $unknown ada@example.com"


@pytest.mark.parametrize(
    "mail, app",
    [
        (queued(overrides=MailOverrides(subject="Hi\r\nBcc: victim@example.com")), make_app()),
        (queued(app_name="Shop\nBcc: victim@example.com"), make_app()),
        (queued(), make_app(mail_templates={"mail_verify_email_subject": "a\rb"})),
    ],
    ids=["caller-subject", "variable-in-subject", "app-subject"],
)
def test_render_subject_with_line_break_is_refused(mail: object, app: App) -> None:
    with pytest.raises(RenderError):
        build_message(mail, app, MAIL_FROM)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mail, app",
    [
        (queued(overrides=MailOverrides(from_name="Evil\r\nBcc: x@example.com")), make_app()),
        (queued(), make_app(mail_sender_name="Evil\nBcc: x@example.com")),
        (queued(to="ada@example.com\r\nBcc: x@example.com"), make_app()),
    ],
    ids=["caller-from-name", "app-sender-name", "recipient"],
)
def test_build_message_header_injection_is_refused(mail: object, app: App) -> None:
    with pytest.raises(RenderError):
        build_message(mail, app, MAIL_FROM)  # type: ignore[arg-type]


def test_build_message_has_stable_id_and_standard_headers() -> None:
    mail = queued("msg_AbC-12_x", code="987654")
    message = reparse(build_message(mail, make_app(), MAIL_FROM))
    assert message["Message-ID"] == "<msg_AbC-12_x@mail.example>"
    assert message["To"] == "ada@example.com"
    assert parseaddr(str(message["From"])) == ("usher", "no-reply@mail.example")
    assert message["Subject"] == "Verify your email address for Shop"
    assert message["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(str(message["Date"])) == START
    assert message.get_content_type() == "multipart/alternative"
    again = build_message(mail, make_app(), MAIL_FROM)
    assert again["Message-ID"] == message["Message-ID"] and again["Date"] == message["Date"]


def test_build_message_text_only_is_a_single_plain_part() -> None:
    message = build_message(queued(overrides=MailOverrides(text="code $code")), make_app(), MAIL_FROM)
    assert message.get_content_type() == "text/plain"
    assert cast(str, message.get_content()).strip() == "code 123456"


@pytest.mark.parametrize(
    "from_name, app_name, expected",
    [("Caller", "App", "Caller"), (None, "App", "App"), (None, None, "usher")],
)
def test_build_message_sender_name_precedence(from_name: str | None, app_name: str | None, expected: str) -> None:
    mail = queued(overrides=MailOverrides(from_name=from_name))
    message = reparse(build_message(mail, make_app(mail_sender_name=app_name), MAIL_FROM))
    assert parseaddr(str(message["From"])) == (expected, "no-reply@mail.example")


def test_build_message_non_ascii_sender_and_subject_are_encoded() -> None:
    mail = queued(overrides=MailOverrides(from_name="Zoë Straße", subject="Grüße $code"))
    headers = build_message(mail, make_app(), MAIL_FROM).as_bytes().split(b"\n\n", 1)[0]
    assert headers.isascii()  # RFC 2047 encoded words
    message = reparse(build_message(mail, make_app(), MAIL_FROM))
    assert message["Subject"] == "Grüße 123456"
    assert str(message["From"]).startswith("Zoë Straße")


def test_mail_from_parse_accepts_bare_address_and_refuses_garbage() -> None:
    assert MailFrom.parse("no-reply@example.com") == MailFrom("", "no-reply@example.com")
    assert MailFrom.parse("usher <no-reply@localhost>").domain == "localhost"
    for bad in ("", "usher", "usher <no-reply>", "a@b\r\nBcc: c@d"):
        with pytest.raises(ValueError, match="USHER_MAIL_FROM"):
            MailFrom.parse(bad)


def test_default_templates_cover_every_purpose_and_variant() -> None:
    for purpose in Purpose.ALL:
        for link, code in ((True, True), (True, False), (False, True)):
            parts = default_templates(purpose, link=link, code=code)
            assert set(parts) == {"subject", "text", "html"}
            assert ("$link" in parts["text"]) == link
            assert ("$code" in parts["text"]) == code
