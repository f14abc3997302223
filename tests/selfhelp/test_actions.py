"""Changing guidance keeps its history; what citizens and agents teach the bot is recorded."""

from __future__ import annotations

import pytest

from contactcentre.errors import InvalidTransition
from selfhelp import actions
from selfhelp.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    BotConversation,
    BotOutcome,
    ExampleQuestion,
    ExampleSource,
    UnansweredSearch,
)
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_importing_twice_changes_nothing_and_keeps_example_questions(guidance: None) -> None:
    again = actions.import_articles()
    assert (again.created, again.updated) == (0, 0)
    assert ExampleQuestion.objects.filter(
        article__slug="reset-password", source=ExampleSource.IMPORT
    ).exists()


def test_every_change_to_the_words_is_kept_as_a_revision(guidance: None) -> None:
    article = Article.objects.get(slug="reset-password")
    before = article.revisions.count()
    actions.save_translation(article, "en", title="Reset it", summary="S", body="B")
    actions.set_article_status(article, ArticleStatus.DRAFT, note="Rewriting")
    revisions = list(ArticleRevision.objects.filter(article=article)[:3])
    assert article.revisions.count() == before + 3  # one edit, two languages unpublished
    assert {r.status for r in revisions[:2]} == {ArticleStatus.DRAFT}
    assert "Reset it" in {r.title for r in revisions}


def test_publishing_an_unknown_status_is_refused(guidance: None) -> None:
    article = Article.objects.get(slug="reset-password")
    with pytest.raises(InvalidTransition):
        actions.set_article_status(article, "archived")


def test_an_unanswered_search_is_counted_once_per_text() -> None:
    actions.record_unanswered("Parking  FINES", language="en")
    actions.record_unanswered("parking fines", language="en")
    row = UnansweredSearch.objects.get()
    assert (row.text, row.times) == ("parking fines", 2)


def test_bot_outcomes_contained_then_handed_over_but_never_back() -> None:
    contact = ContactFactory()
    actions.record_bot_outcome(contact, BotOutcome.CONTAINED, first_question="lost my phone")
    actions.record_bot_outcome(contact, BotOutcome.CONTAINED)  # the same again: no change
    actions.record_bot_outcome(contact, BotOutcome.HANDED_OVER)
    conversation = BotConversation.objects.get(contact=contact)
    assert (conversation.outcome, conversation.first_question) == (
        BotOutcome.HANDED_OVER,
        "lost my phone",
    )
    assert conversation.outcome_at is not None
    with pytest.raises(InvalidTransition):
        actions.record_bot_outcome(contact, BotOutcome.CONTAINED)


def test_naming_the_answering_article_teaches_the_bot_the_first_question(guidance: None) -> None:
    from chat.chatbot import answer

    contact = ContactFactory()
    question = "the little padlock thing keeps spinning forever when I press go"
    actions.record_bot_outcome(contact, BotOutcome.HANDED_OVER, first_question=question)

    example = actions.record_answering_article(contact, "account-locked")

    assert example is not None
    assert (example.text, example.source) == (question, ExampleSource.AGENT)
    assert BotConversation.objects.get(contact=contact).answering_article.slug == "account-locked"
    assert answer(question).article == "account-locked"


def test_naming_an_unknown_article_is_refused() -> None:
    with pytest.raises(actions.UnknownArticle):
        actions.record_answering_article(ContactFactory(), "no-such-article", question="q")
