"""The chatbot answers in Welsh when the citizen writes Welsh or chose Welsh."""

from __future__ import annotations

import pytest

from chat.chatbot import answer

pytestmark = pytest.mark.usefixtures("guidance")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Rydw i wedi anghofio fy nghyfrinair", "reset-password"),
        ("dydy'r cod diogelwch ddim yn cyrraedd", "security-code-not-arriving"),
        ("sut ydw i'n mewngofnodi i'm cyfrif", "sign-in"),
    ],
)
def test_a_welsh_question_gets_the_welsh_guidance(question: str, slug: str) -> None:
    reply = answer(question)
    assert reply.article == slug
    assert reply.language == "cy"


def test_mutated_welsh_words_still_match() -> None:
    # "nghyfrinair" (nasal mutation) and "cyfrinair" are the same word.
    assert answer("ailosod cyfrinair").article == "reset-password"
    assert answer("ailosod fy nghyfrinair").article == "reset-password"


def test_the_welsh_summary_is_quoted() -> None:
    reply = answer("Rydw i wedi anghofio fy nghyfrinair")
    assert "Beth i'w wneud os ydych chi wedi anghofio eich cyfrinair" in reply.text
    assert "Ailosod eich cyfrinair" in reply.text


def test_guidance_only_in_english_is_offered_with_a_notice_to_welsh_speakers() -> None:
    reply = answer("sut ydw i'n newid fy nghyfeiriad e-bost", language="cy")
    assert reply.article == "change-email-address"
    assert reply.language == "cy"
    assert "How to update the email address" in reply.text
    assert "(" in reply.text  # the not-yet-in-Welsh notice


def test_choosing_welsh_gets_welsh_replies_to_english_questions() -> None:
    reply = answer("forgot my password", language="cy")
    assert reply.language == "cy"
    assert reply.article == "reset-password"
    assert "Ailosod eich cyfrinair" in reply.text
