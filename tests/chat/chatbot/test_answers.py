"""The chatbot finds the right guidance for questions typed the way citizens type them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.chatbot import BotReply, BotTurn, answer
from chat.chatbot.index import current_index
from selfhelp.actions import add_example_question, save_translation, set_article_status
from selfhelp.models import Article, ArticleStatus

pytestmark = pytest.mark.usefixtures("guidance")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("how do I change my email", "change-email-address"),
        ("forgot my pasword", "reset-password"),  # misspelt
        ("my phone got nicked and i cant get the codes", "lost-phone-no-access-to-security-codes"),
        ("the text with the code never comes", "security-code-not-arriving"),
        ("can i log on with google authenticator instead of texts", "use-an-authenticator-app"),
        ("wat photo id can i use", "photo-id-you-can-use"),
        ("i got married and my surname is different now", "name-change"),
        ("the selfie bit keeps failing", "face-scan-not-working"),
        ("how do i do an foi", "freedom-of-information-request"),
        ("get rid of my account, i don't want it any more", "delete-your-account"),
        ("everything you hold on me", "subject-access-request"),  # everyday words only
    ],
)
def test_everyday_questions_find_the_right_article_first(question: str, slug: str) -> None:
    reply = answer(question)
    assert reply.article == slug, reply
    assert not reply.handoff
    assert f"/help/{slug}/" in reply.text


def test_a_long_rambling_message_still_finds_the_article() -> None:
    reply = answer(
        "Hi there, sorry to bother you, I've been trying all morning to get into the tax thing "
        "and it keeps asking me for a code that's meant to come by text but nothing ever shows "
        "up on my phone, I've restarted it twice and waited ages, what am I supposed to do?"
    )
    assert reply.article == "security-code-not-arriving"


def test_an_answer_quotes_the_summary_links_the_article_and_asks_if_it_helped() -> None:
    reply = answer("how do I reset my password")
    assert reply.intent == "answer"
    assert "What to do if you've forgotten your GovSign password" in reply.text
    assert reply.link == "/help/reset-password/"
    assert reply.text.endswith("Did that answer your question?")
    assert reply.asks_feedback
    assert 0.55 <= reply.confidence <= 1


def test_when_unsure_it_offers_the_next_best_too() -> None:
    reply = answer("my phone")
    assert reply.article is not None
    assert reply.alternatives
    assert reply.article not in reply.alternatives


def test_it_only_ever_answers_from_published_guidance() -> None:
    article = Article.objects.get(slug="sign-in")
    save_translation(
        article, "en", title="Sign in", summary="Zebra crossings are always safe.", body="Zebra."
    )
    set_article_status(article, ArticleStatus.DRAFT)

    reply = answer("are zebra crossings safe")

    assert reply.article != "sign-in"
    assert "Zebra" not in reply.text


def test_an_example_question_a_manager_adds_is_used_straight_away() -> None:
    question = "my cat walked on the keyboard and now the page is all wobbly"
    assert answer(question).article != "accessibility-help"

    add_example_question(Article.objects.get(slug="accessibility-help"), question)

    assert answer(question).article == "accessibility-help"


def test_a_newly_published_article_is_found_straight_away() -> None:
    article = Article.objects.create(slug="pay-a-parking-fine", topic="account")
    save_translation(
        article,
        "en",
        title="Pay a parking fine",
        summary="How to pay a penalty charge notice for parking.",
        body="Pay online with the notice number.",
    )
    assert answer("pay a parking fine").article != "pay-a-parking-fine"

    set_article_status(article, ArticleStatus.PUBLISHED)

    assert answer("how do I pay my parking fine").article == "pay-a-parking-fine"


def test_an_english_edit_rebuilds_the_english_index_and_leaves_the_welsh_one() -> None:
    before = current_index()
    assert current_index() is before  # nothing changed

    add_example_question(Article.objects.get(slug="reset-password"), "my secret word is lost")

    after = current_index()
    assert after is not before
    assert after.languages["en"] is not before.languages["en"]
    assert len(after.languages["en"].short_article) == len(before.languages["en"].short_article) + 1
    assert after.languages["cy"] is before.languages["cy"]


def test_older_callers_can_still_build_replies_and_turns() -> None:
    reply = BotReply("text", "reset-password", ["sign-in"], 0.9, False, "answer")
    turn = BotTurn(question="q", reply=reply)
    assert turn.reply.language == "en"
    assert not turn.reply.asks_feedback


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_gets_a_reply_and_never_an_error(text: str) -> None:
    reply = answer(text)
    assert reply.text
    assert 0 <= reply.confidence <= 1
    assert reply.article is None or Article.objects.filter(slug=reply.article).exists()


def test_a_sure_answer_quotes_the_sentence_that_answers_a_question_about_a_detail() -> None:
    reply = answer("can i make a complaint in this chat")

    assert (reply.intent, reply.article) == ("answer", "make-a-complaint")
    lines = reply.text.splitlines()
    assert lines[0].startswith("How to make a formal complaint")  # the summary first
    assert lines[1] == "The guidance says:"
    assert "We cannot take formal complaints by phone, web chat or through the chatbot." in lines[2]
    assert lines[-2:] == [
        "Make a complaint: /help/make-a-complaint/",
        "Did that answer your question?",
    ]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("i want to delete my account", "delete-your-account"),  # the summary says it
        ("my account is locked", "account-locked"),  # the article's own example question
    ],
)
def test_no_sentence_is_quoted_for_what_the_article_is_about_as_a_whole(
    question: str, slug: str
) -> None:
    reply = answer(question)

    assert reply.article == slug
    assert "The guidance says:" not in reply.text


def test_a_sentence_that_leans_on_the_one_before_is_never_quoted() -> None:
    # "If it keeps failing: This does not use a face scan." is about proving it online, which
    # the sentence before names: alone it reads as nonsense.
    reply = answer("face scan faild 3 times now whats next")

    assert reply.article == "face-scan-not-working"
    assert "This does not use a face scan" not in reply.text
