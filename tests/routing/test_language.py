"""Telling Welsh messages from English ones, as citizens type them."""

from __future__ import annotations

import pytest

from routing.language import looks_welsh


@pytest.mark.parametrize(
    "message",
    [
        # Northern and informal forms: efo (gyda), di (wedi), deud (dweud), isio (eisiau).
        "efo'r cod, di aros deg munud",
        "oedd o'n deud ei fod o GovSign",
        "logio mewn i GovSign",
        "pa wasanaethau sy'n defnyddio GovSign",
    ],
)
def test_informal_and_dialect_welsh_is_recognised(message: str) -> None:
    assert looks_welsh(message)


@pytest.mark.parametrize(
    "message",
    [
        # "nghod" (cod, a word English shares too) and "wneud" (gwneud) are mutated.
        "fy nghod",
        "wneud hyn",
    ],
)
def test_mutated_welsh_words_are_recognised(message: str) -> None:
    assert looks_welsh(message)


@pytest.mark.parametrize(
    "message",
    [
        "my code did not come, I waited ten minutes",
        "the man on the phone said he was from govsign",
        "are you open on saturday",
        "I need to log in, the text with the code never arrived",
        "my god the code thing is down again",
    ],
)
def test_english_messages_are_not_taken_for_welsh(message: str) -> None:
    assert not looks_welsh(message)
