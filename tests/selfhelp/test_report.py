"""The managers' report: missing guidance, pages not useful, and teaching the bot from it."""

from __future__ import annotations

import pytest
from django.test import Client

from chat.chatbot import answer
from selfhelp import actions
from selfhelp.models import Article, ExampleQuestion, ExampleSource

pytestmark = pytest.mark.usefixtures("guidance")


def test_the_report_lists_unanswered_searches_and_not_useful_pages(
    manager_client: Client,
) -> None:
    actions.record_unanswered("wibble code", language="en")
    actions.record_feedback(
        Article.objects.get(slug="sign-in"), language="en", useful=False, comment="Too vague"
    )
    body = manager_client.get("/manage/help/report/").content.decode()
    assert "wibble code" in body
    assert "sign-in" in body
    assert "Too vague" in body


def test_a_manager_attaches_a_search_to_an_article_and_the_bot_learns_it(
    manager_client: Client,
) -> None:
    question = "my little screen thing says nope every single time"
    response = manager_client.post(
        "/manage/help/report/",
        {"text": question, "language": "en", "article": "account-locked"},
    )
    assert response.status_code == 302
    example = ExampleQuestion.objects.get(text=question)
    assert example.source == ExampleSource.SEARCH
    assert answer(question).article == "account-locked"


def test_citizens_and_agents_cannot_see_the_report(client: Client) -> None:
    response = client.get("/manage/help/report/")
    assert response.status_code in {302, 404}


def test_a_manager_previews_a_draft_with_its_revision_history(manager_client: Client) -> None:
    article = Article.objects.create(slug="new-guide", topic="account")
    actions.save_translation(article, "en", title="New guide", summary="S", body="## Steps")
    body = manager_client.get("/manage/help/articles/new-guide/preview/").content.decode()
    assert "Preview of a draft" in body
    assert '<h2 class="govuk-heading-m">Steps</h2>' in body
    assert "Revision history" in body
