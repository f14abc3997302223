"""Masking of payment card numbers and UK National Insurance numbers in chat text.

Applied before a message is stored, so the numbers never reach the database, a transcript, an
email or a log. Every letter and digit of a masked number becomes "•", keeping its shape (the
reader can see something was hidden), and masking twice changes nothing.

Card numbers: 13 to 19 digits, optionally in groups separated by single spaces or hyphens, that
pass the Luhn check. A run of digit groups is searched for any stretch that starts and ends on a
group boundary, so "ref 12 4111 1111 1111 1111" still loses the card. A long reference number
written without separators (say 20 digits) is not a card and is left alone.

National Insurance numbers: two prefix letters (of those HMRC issues), six digits and an
optional suffix A to D, in any case, with or without spaces between the pairs.
"""

from __future__ import annotations

import re

MASK = "•"
CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19

# Digit groups joined by at most one space or hyphen each.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ \-][0-9]+)*")
_DIGITS = re.compile(r"[0-9]+")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2}(?: ?[A-D])?"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _mask_span(chars: list[str], start: int, end: int) -> None:
    for index in range(start, end):
        if chars[index].isalnum():
            chars[index] = MASK


def _card_spans(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of Luhn-valid card numbers within runs of digit groups."""
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        offset = run.start()
        groups = [(m.start() + offset, m.end() + offset) for m in _DIGITS.finditer(run.group())]
        if sum(end - start for start, end in groups) < CARD_MIN_DIGITS:
            continue
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += text[groups[last][0] : groups[last][1]]
                if len(digits) > CARD_MAX_DIGITS:
                    break
                if len(digits) >= CARD_MIN_DIGITS and luhn_valid(digits):
                    spans.append((groups[first][0], groups[last][1]))
    return spans


def mask_sensitive(text: str) -> tuple[str, bool]:
    """``text`` with card and National Insurance numbers masked, and whether anything was."""
    spans = _card_spans(text) + [(m.start(), m.end()) for m in _NINO.finditer(text)]
    if not spans:
        return text, False
    chars = list(text)
    for start, end in spans:
        _mask_span(chars, start, end)
    return "".join(chars), True
