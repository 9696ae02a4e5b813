"""The shipped list of common passwords that the default policy refuses."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def common_passwords() -> frozenset[str]:
    text = files("usher.security").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
