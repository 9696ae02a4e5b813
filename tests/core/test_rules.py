"""Pure rules: canonical identifiers, password policy, app setting values."""

from __future__ import annotations

import pytest

from usher.core.app_settings import apply_setting, settings_from_dict, settings_to_dict
from usher.core.errors import InvalidInput, WeakPassword
from usher.core.identity import canonical, clean_email, clean_username
from usher.core.models import AppSettings
from usher.core.policy import PasswordPolicy


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ada@Example.COM", "ada@example.com"), ("STRASSE", "straße"), ("ｆｕｌｌ", "full"), (" x ", "x")],
)
def test_canonical_equal_forms_match(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize("email", ["no-at-sign", "two@@signs", "sp ace@x.y", "a@b\x00c", "x" * 251 + "@a.b"])
def test_clean_email_refuses_what_is_not_an_address(email: str) -> None:
    with pytest.raises(InvalidInput):
        clean_email(email)


def test_clean_username_allows_spaces_and_at_signs() -> None:
    assert clean_username(" ada lovelace@home ") == "ada lovelace@home"
    with pytest.raises(InvalidInput):
        clean_username("tab\there")


def test_policy_regex_setting_is_enforced() -> None:
    policy = PasswordPolicy([])
    settings = apply_setting(AppSettings(), "password_regex", r"(?=.*[A-Z])(?=.*\d).{8,}")
    with pytest.raises(WeakPassword, match="application's password rules"):
        policy.check("alllowercase", settings)
    policy.check("Has1Upper", settings)


def test_policy_min_length_setting_raises_the_floor() -> None:
    policy = PasswordPolicy([])
    settings = apply_setting(AppSettings(), "password_min_length", "12")
    with pytest.raises(WeakPassword, match="at least 12"):
        policy.check("elevenchars", settings)


def test_policy_counts_code_points_not_bytes() -> None:
    PasswordPolicy([]).check("ééééééééé", AppSettings())  # 9 code points, 18 bytes


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("session_ttl", "-1"),
        ("session_ttl", "abc"),
        ("signup_open", "maybe"),
        ("password_regex", "("),
        ("mail_sender_name", "a\r\nBcc: x"),
    ],
)
def test_apply_setting_bad_value_is_refused(key: str, value: str) -> None:
    with pytest.raises(InvalidInput):
        apply_setting(AppSettings(), key, value)


def test_settings_round_trip_through_dict() -> None:
    settings = apply_setting(apply_setting(AppSettings(), "cors_origins", "https://a"), "mail_magic_link_subject", "Hi")
    assert settings_from_dict(settings_to_dict(settings)) == settings


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)*", r"(\w+\s?)*$", r"((ab)*)+"])
def test_password_regex_that_could_backtrack_forever_is_refused(pattern: str) -> None:
    with pytest.raises(InvalidInput, match="exponential"):
        apply_setting(AppSettings(), "password_regex", pattern)


def test_authc1_password_regex_is_accepted() -> None:
    rule = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[!@#$%^&*]).{8,}$"
    assert apply_setting(AppSettings(), "password_regex", rule).password_regex == rule


@pytest.mark.parametrize("origins", ["*", "null", "https://a.example/path", "ftp://a.example", "https://a b"])
def test_cors_origins_must_be_exact_origins(origins: str) -> None:
    with pytest.raises(InvalidInput, match="origins like"):
        apply_setting(AppSettings(), "cors_origins", origins)


def test_cors_origins_accept_origins_with_ports() -> None:
    settings = apply_setting(AppSettings(), "cors_origins", "https://a.example, http://localhost:3000/")
    assert settings.cors_origins == ("https://a.example", "http://localhost:3000")
