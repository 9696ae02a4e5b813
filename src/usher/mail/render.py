"""Rendering a queued message into an EmailMessage: default templates, per-app and per-call overrides.

Which text wins, part by part (subject, text, html): the caller's override (OutgoingMail.overrides), then the
app's template (`mail_<purpose>_<part>` in its settings), then the defaults below. Templates are
`string.Template`s filled with `safe_substitute` over the message's variables and secrets (`$app_name`, `$email`,
`$expires_minutes`, `$expires_in` ("10 minutes"), `$code`, `$link`, `$micro_verification_link`): no attribute
access, no code, and an unknown `$name` stays as written. Values put into HTML are escaped. The HTML part comes
from the same source as the text or a stronger one: a caller's text without a caller's HTML (M3O
`text_content`) gives a text-only message, and so does an app's text template without an app HTML template.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from string import Template

from usher.core.models import App, OutgoingMail, Purpose

DEFAULT_SENDER_NAME = "usher"
SHORT_CODE = 16  # codes up to this length are meant to be typed; longer ones only travel inside links

# Purpose -> (subject, what the code or link does).
_PURPOSES: dict[str, tuple[str, str]] = {
    Purpose.VERIFY_EMAIL: ("Verify your email address for $app_name", "verify your email address"),
    Purpose.RESET_PASSWORD: ("Reset your $app_name password", "reset your password"),
    Purpose.MAGIC_LINK: ("Sign in to $app_name", "sign in"),
    Purpose.EMAIL_CHANGE: ("Confirm your new email address for $app_name", "confirm your new email address"),
}
_IGNORE = "If you did not ask for this, you can ignore this message."


class RenderError(ValueError):
    """A message that cannot be built (a header with a line break, a bad address): retrying will not help."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True, slots=True)
class MailFrom:
    """USHER_MAIL_FROM split into display name and address (the domain names Message-IDs)."""

    name: str
    address: str

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]

    @classmethod
    def parse(cls, value: str) -> MailFrom:
        """`usher <no-reply@example.com>` or a bare address; ValueError naming the problem otherwise."""
        if "\r" in value or "\n" in value:
            raise ValueError("USHER_MAIL_FROM must not contain line breaks")
        name, address = parseaddr(value)
        local, _, domain = address.rpartition("@")
        if not local or not domain or any(c in address for c in " <>\"'") or not domain.strip("."):
            raise ValueError(f"USHER_MAIL_FROM must be an address like 'usher <no-reply@example.com>', not {value!r}")
        return cls(name.strip(), address)


def default_templates(purpose: str, *, link: bool, code: bool) -> dict[str, str]:
    """The built-in subject, text and html of a purpose, for a message with a link, a typeable code, or both."""
    subject, action = _PURPOSES.get(purpose, ("Message from $app_name", "continue"))
    expiry = "It expires in $expires_in."
    if link and code:
        text = f"Open this link to {action}:\n\n$link\n\nOr enter this code: $code\n\n"
        body = (
            f'<p>Open this link to {action}:</p>\n<p><a href="$link">$link</a></p>\n'
            "<p>Or enter this code: <strong>$code</strong></p>\n"
        )
        expiry = "The link and the code expire in $expires_in."
    elif link:
        text = f"Open this link to {action}:\n\n$link\n\n"
        body = f'<p>Open this link to {action}:</p>\n<p><a href="$link">$link</a></p>\n'
    else:
        text = f"Enter this code to {action}: $code\n\n"
        body = f"<p>Enter this code to {action}: <strong>$code</strong></p>\n"
    return {
        "subject": subject,
        "text": f"Hello,\n\n{text}{expiry} {_IGNORE}\n\n-- \n$app_name\n",
        "html": f"<!doctype html>\n<html><body>\n<p>Hello,</p>\n{body}<p>{expiry} {_IGNORE}</p>\n"
        "<p>&mdash; $app_name</p>\n</body></html>\n",
    }


def choose_templates(mail: OutgoingMail, app: App) -> tuple[str, str, str | None]:
    """(subject, text, html) templates after applying app templates and caller overrides."""
    secrets = mail.secrets
    defaults = default_templates(
        mail.purpose,
        link=bool(secrets.get("link")),
        code=bool(secrets.get("code")) and len(secrets.get("code", "")) <= SHORT_CODE,
    )
    stored = app.settings.mail_templates
    app_parts = {part: stored.get(f"mail_{mail.purpose}_{part}") or None for part in ("subject", "text", "html")}
    caller = mail.overrides
    subject = caller.subject or app_parts["subject"] or defaults["subject"]
    html_part: str | None
    if caller.text:
        text, html_part = caller.text, caller.html
    elif caller.html:
        text, html_part = app_parts["text"] or defaults["text"], caller.html
    elif app_parts["text"]:
        text, html_part = app_parts["text"], app_parts["html"]
    else:
        text, html_part = defaults["text"], app_parts["html"] or defaults["html"]
    return subject, text, html_part


def render(mail: OutgoingMail, app: App) -> Rendered:
    """Subject, text and (maybe) HTML of a message; RenderError when the subject would break the header."""
    subject_t, text_t, html_t = choose_templates(mail, app)
    values = {"app_name": app.name, **mail.variables, **mail.secrets}
    values.setdefault("expires_in", _minutes(values.get("expires_minutes", "")))
    subject = Template(subject_t).safe_substitute(values).strip()
    if _has_break(subject):
        raise RenderError("the subject would contain a line break")
    text = Template(text_t).safe_substitute(values)
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    html_body = Template(html_t).safe_substitute(escaped) if html_t is not None else None
    return Rendered(subject=subject, text=text, html=html_body)


def sender(mail_from: MailFrom, mail: OutgoingMail, app: App) -> str:
    """`Name <address>`: the caller's sender name, else the app's, else USHER_MAIL_FROM's own name."""
    name = mail.overrides.from_name or app.settings.mail_sender_name or mail_from.name or DEFAULT_SENDER_NAME
    if _has_break(name):
        raise RenderError("the sender name contains a line break")
    return formataddr((name.strip(), mail_from.address))


def build_message(mail: OutgoingMail, app: App, mail_from: MailFrom) -> EmailMessage:
    """The full message; the Message-ID derives from the outbox id, so a resend after a crash is recognisable."""
    if _has_break(mail.to) or "@" not in mail.to:
        raise RenderError("the recipient is not a single address")
    rendered = render(mail, app)
    message = EmailMessage()
    try:
        message["Message-ID"] = f"<{mail.id}@{mail_from.domain}>"
        message["Date"] = format_datetime(mail.created_at)
        message["From"] = sender(mail_from, mail, app)
        message["To"] = mail.to
        message["Subject"] = rendered.subject
        message["Auto-Submitted"] = "auto-generated"
    except (ValueError, TypeError, IndexError) as exc:  # the header registry refuses what it cannot parse
        raise RenderError(f"a header could not be built: {type(exc).__name__}") from None
    message.set_content(rendered.text)
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html")
    return message


def _minutes(count: str) -> str:
    return "1 minute" if count == "1" else f"{count} minutes"


def _has_break(value: str) -> bool:
    return any(char in value for char in "\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
