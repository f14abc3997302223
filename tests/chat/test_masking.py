"""Card numbers (Luhn-checked) and UK National Insurance numbers never survive masking."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from chat.masking import MASK, luhn_valid, mask_sensitive


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus the check digit that makes it Luhn-valid."""
    for check in "0123456789":
        if luhn_valid(prefix + check):
            return prefix + check
    raise AssertionError("unreachable")


cards = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n).map(luhn_complete)
)
separators = st.sampled_from(["", " ", "-"])
NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
ninos = st.builds(
    lambda a, b, digits, suffix: f"{a}{b}{digits}{suffix}",
    st.sampled_from(NINO_FIRST),
    st.sampled_from(NINO_SECOND),
    st.text("0123456789", min_size=6, max_size=6),
    st.sampled_from(["", "A", "B", "C", "D"]),
).filter(lambda n: n[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
# Text around the number; it may hold digits and letters of its own.
surroundings = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)))


def grouped(digits: str, sep: str, size: int) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


def digits_of(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


@given(cards, separators, st.sampled_from([4, 5, 6]), surroundings, surroundings)
@example("4111111111111111", " ", 4, "my card is ", ", expiry 01/29")
@example("4111111111111111", "", 4, "ref 12 ", "")
def test_no_luhn_valid_card_number_survives(
    card: str, sep: str, size: int, before: str, after: str
) -> None:
    typed = grouped(card, sep, size)
    text = f"{before} {typed} {after}"
    masked, changed = mask_sensitive(text)
    assert changed
    # Masking keeps the length, so the card's own place in the text can be checked.
    start = len(before) + 1
    assert not digits_of(masked[start : start + len(typed)])


@given(ninos, st.booleans(), st.booleans(), surroundings, surroundings)
@example("QQ123456C", False, False, "", "")  # not issued (Q), but see below
@example("AB123456C", True, False, "my NI number is ", ".")
def test_no_national_insurance_number_survives(
    nino: str, spaced: bool, lower: bool, before: str, after: str
) -> None:
    if nino.startswith("Q"):
        return  # HMRC never issues Q prefixes: not a National Insurance number
    typed = f"{nino[:2]} {nino[2:4]} {nino[4:6]} {nino[6:8]} {nino[8:]}".strip() if spaced else nino
    typed = typed.lower() if lower else typed
    masked, changed = mask_sensitive(f"{before} {typed} {after}")
    assert changed
    start = len(before) + 1
    assert set(masked[start : start + len(typed)]) <= {MASK, " "}


@given(surroundings)
def test_masking_twice_changes_nothing_more(text: str) -> None:
    once, _changed = mask_sensitive(text)
    assert mask_sensitive(once) == (once, False)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Lu", "Ll"))))
def test_text_without_letters_or_digits_is_left_alone(text: str) -> None:
    assert mask_sensitive(text) == (text, False)


def test_ordinary_numbers_are_kept() -> None:
    text = "Reference 12345678901234567890, call 0300 123 4567 or 07700 900123, in 2026"
    assert mask_sensitive(text) == (text, False)


def test_masked_text_keeps_its_shape() -> None:
    masked, changed = mask_sensitive("Card 4111 1111 1111 1111 and NI AB 12 34 56 C, thanks")
    assert changed
    assert masked == f"Card {'•' * 4} {'•' * 4} {'•' * 4} {'•' * 4} and NI •• •• •• •• •, thanks"
    assert MASK == "•"


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
