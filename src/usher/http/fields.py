"""Input guards shared by every dialect's schemas: no control characters or surrogates, bounded sizes."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field

MAX_INT = 2**53  # far below SQLite's and PostgreSQL's 64-bit limits


def _no_controls(value: str) -> str:
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r":
            raise ValueError("must not contain control characters")
    return value


def _no_controls_at_all(value: str) -> str:
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


_INTEGER = re.compile(r"[+-]?[0-9]{1,16}", re.ASCII)


def _numeric_string(value: Any) -> Any:
    """M3O-style integers may come as numbers or numeric strings (ASCII digits only)."""
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value.strip()):
            raise ValueError("must be a whole number")
        return int(value.strip())
    return value


Text = Annotated[str, Field(max_length=1024), AfterValidator(_no_controls_at_all)]
LongText = Annotated[str, Field(max_length=32 * 1024), AfterValidator(_no_controls)]
Password = Annotated[str, Field(max_length=1024), AfterValidator(_no_controls_at_all)]
Int = Annotated[int, BeforeValidator(_numeric_string), Field(ge=-MAX_INT, le=MAX_INT)]
StrMap = dict[Annotated[str, Field(max_length=200), AfterValidator(_no_controls_at_all)], LongText]

# Path segments: ids are short, printable and never carry NUL (PostgreSQL refuses it in text).
PathId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
