"""A light Welsh-aware normaliser for search: undoes initial mutations and common plural endings.

PostgreSQL has no Welsh stemmer, and Welsh changes the start of words (``cyfrinair``,
``gyfrinair``, ``nghyfrinair``, ``chyfrinair`` are one word). Mapping each mutated initial to the
family of consonants it could come from makes all forms meet; the families are broad, which costs
a little precision and gains a lot of recall for short help queries.
"""

from __future__ import annotations

import re
import unicodedata

# Longest prefixes first: each mutated or radical initial and the family it belongs to.
_INITIALS: tuple[tuple[str, str], ...] = (
    ("ngh", "c"),
    ("mh", "p"),
    ("nh", "t"),
    ("ng", "c"),
    ("ch", "c"),
    ("ph", "p"),
    ("th", "t"),
    ("dd", "t"),
    ("ll", "l"),
    ("rh", "r"),
    ("c", "c"),
    ("g", "c"),
    ("p", "p"),
    ("b", "p"),
    ("f", "p"),
    ("m", "p"),
    ("t", "t"),
    ("d", "t"),
)
_ENDINGS = ("iau", "au", "ion", "on", "ydd", "oedd")
_WORD = re.compile(r"[a-zâêîôûŵŷäëïöüÿáéíóúẃýàèìòùẁỳ]+")


def welsh_key(word: str) -> str:
    """The mutation-free, ending-free form of one lower-case Welsh word."""
    word = _plain(word.lower().replace("\u2019", "'"))
    for prefix, family in _INITIALS:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            word = family + word[len(prefix) :]
            break
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _plain(word: str) -> str:
    """Without accents: citizens often type ``ffon`` for ``ffôn``."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def welsh_words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def normalise_welsh(text: str) -> str:
    """The text as space-separated Welsh keys: what the Welsh search vector is built from."""
    return " ".join(welsh_key(word) for word in welsh_words(text))
