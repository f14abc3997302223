"""Questions that follow on from the bot's last answer are answered about the same subject, with
the sentence of the guidance that answers them."""

from __future__ import annotations

import pytest

from chat.chatbot import BotReply, BotTurn, answer

pytestmark = pytest.mark.usefixtures("guidance")


def conversation(*messages: str, language: str = "en") -> list[BotReply]:
    """The bot's replies to ``messages``, each with the conversation so far."""
    turns: list[BotTurn] = []
    for message in messages:
        turns.append(BotTurn(message, answer(message, language=language, previous=turns)))
    return [turn.reply for turn in turns]


def test_a_vague_follow_up_is_answered_from_the_article_already_given() -> None:
    _first, follow_up = conversation("my account is locked", "how long for")

    assert (follow_up.intent, follow_up.article) == ("answer", "account-locked")
    assert follow_up.text.startswith("The same guidance says:")
    assert "Wait 2 hours." in follow_up.text
    assert "/help/account-locked/" in follow_up.text
    assert follow_up.asks_feedback
    # Alone, the same words name no subject.
    assert answer("how long for").article != "account-locked"


def test_what_if_keeps_to_the_subject_when_its_own_words_lean_elsewhere() -> None:
    # "the email" alone is the change-of-email guidance; after a forgotten password it is the
    # reset email, and the reset guidance says what to do when it does not arrive.
    _first, follow_up = conversation("i forgot my password", "what if i dont get the email")

    assert follow_up.article == "reset-password"
    assert "If the email does not arrive" in follow_up.text


@pytest.mark.parametrize(
    ("first", "then", "slug", "quoted"),
    [
        ("how do i delete my account", "can i get it back after", "delete-your-account", "undo"),
        ("how do i make a complaint", "how long will it take to hear back", "make-a-complaint",
         "within 2 working days"),
        ("the face scan keeps failing", "what about glasses", "face-scan-not-working",
         "Take off glasses"),
    ],
)  # fmt: skip
def test_follow_ups_quote_the_sentence_that_answers_them(
    first: str, then: str, slug: str, quoted: str
) -> None:
    follow_up = conversation(first, then)[-1]

    assert follow_up.article == slug
    assert quoted in follow_up.text


def test_a_follow_up_the_article_does_not_answer_is_not_answered_with_it_again() -> None:
    replies = conversation("how do i delete my account", "is there a cost")

    assert replies[-1].article != "delete-your-account"
    assert replies[-1].intent not in {"answer", "unsure"}


def test_a_new_question_or_another_subject_is_answered_on_its_own() -> None:
    replies = conversation(
        "i forgot my password",
        "and how do i change my phone number for codes",
        "what's the weather like tomorrow",
    )

    assert replies[1].article == "change-phone-number-for-security-codes"
    assert not replies[1].text.startswith("The same guidance says:")
    assert (replies[2].intent, replies[2].article) == ("out_of_scope", None)


def test_after_a_no_the_conversation_is_about_the_article_offered_next() -> None:
    replies = conversation("i forgot my password", "no", "what if i dont get the email")

    assert replies[1].intent == "not_answered"
    assert replies[2].article in {"reset-password", replies[1].article}


def test_a_welsh_follow_up_keeps_to_the_subject() -> None:
    replies = conversation(
        "wedi anghofio fy nghyfrinair", "beth os dydi'r ebost ddim yn dod", language="cy"
    )

    assert [r.article for r in replies] == ["reset-password", "reset-password"]
    assert replies[-1].language == "cy"
