"""Human-friendly, checkable reference numbers such as ``GS-7KQ4-92XM``.

Seven random characters and a check character from an alphabet without look-alikes (no 0/O,
1/I/L, U/V), checked with position weights modulo 29 (the alphabet's size, a prime): any one
mistyped character, and any two neighbours swapped, make the reference invalid, so a typo is
caught before any database lookup.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
N = len(ALPHABET)
BODY_LENGTH = 7
_INDEX = {char: index for index, char in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character for ``body``: position weights 1 to 8, modulo 29 (a prime)."""
    total = sum(weight * _INDEX[char] for weight, char in enumerate(body, start=1))
    # Solve total + 8 * check = 0 (mod 29); 11 is the inverse of 8 modulo 29.
    return ALPHABET[(-total * 11) % N]


def is_valid_body(chars: str) -> bool:
    """Whether ``chars`` (body plus check character) passes the check."""
    if len(chars) != BODY_LENGTH + 1 or any(c not in _INDEX for c in chars):
        return False
    return check_character(chars[:-1]) == chars[-1]


def new_reference(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    chars = body + check_character(body)
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str, prefix: str) -> str | None:
    """A reference as typed (any case, spaces or dashes anywhere, prefix optional) in its
    canonical form, or None if it cannot be one of ours."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    if chars.startswith(prefix.upper()) and len(chars) == len(prefix) + BODY_LENGTH + 1:
        chars = chars[len(prefix) :]
    if not is_valid_body(chars):
        return None
    return f"{prefix.upper()}-{chars[:4]}-{chars[4:]}"
