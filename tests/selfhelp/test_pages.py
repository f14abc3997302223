"""The help pages: home, articles in English and Welsh, "Is this page useful?" and search."""

from __future__ import annotations

import pytest
from django.test import Client

from selfhelp import actions
from selfhelp.models import Article, ArticleFeedback, ArticleStatus, UnansweredSearch

pytestmark = pytest.mark.usefixtures("guidance")


def welsh(client: Client) -> Client:
    client.post("/language/", {"language": "cy", "next": "/"})
    return client


def test_help_home_lists_topics_and_their_articles(client: Client) -> None:
    body = client.get("/help/").content.decode()
    assert "Signing in" in body
    assert 'href="/help/reset-password/"' in body


def test_an_article_page_shows_summary_body_and_related_guidance(client: Client) -> None:
    response = client.get("/help/reset-password/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Reset your password</h1>' in body
    assert "govuk-list govuk-list--number" in body
    assert 'href="/help/sign-in/"' in body  # related: same topic
    assert "Is this page useful?" in body


def test_a_draft_article_is_not_shown_to_citizens(client: Client) -> None:
    article = Article.objects.get(slug="reset-password")
    actions.set_article_status(article, ArticleStatus.DRAFT)
    assert client.get("/help/reset-password/").status_code == 404
    assert 'href="/help/reset-password/"' not in client.get("/help/").content.decode()


def test_a_welsh_reader_gets_the_welsh_version(client: Client) -> None:
    body = welsh(client).get("/help/reset-password/").content.decode()
    assert "Ailosod eich cyfrinair" in body
    article = body.split("<article>", 1)[1].split("</article>", 1)[0]
    assert 'lang="en"' not in article


def test_without_a_welsh_version_english_is_shown_with_a_notice(client: Client) -> None:
    body = welsh(client).get("/help/change-email-address/").content.decode()
    main = body.split("<main", 1)[1]
    assert "Change the email address for your account" in main
    assert 'lang="en"' in main
    assert "govuk-inset-text" in main


def test_useful_feedback_works_without_javascript(client: Client) -> None:
    response = client.post(
        "/help/reset-password/feedback/", {"useful": "no", "comment": "Did not say how long"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/help/reset-password/?feedback=sent#feedback"
    feedback = ArticleFeedback.objects.get()
    assert (feedback.useful, feedback.comment, feedback.language) == (
        False,
        "Did not say how long",
        "en",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback" in page


def test_feedback_without_an_answer_shows_a_govuk_error(client: Client) -> None:
    response = client.post("/help/reset-password/feedback/", {"comment": "x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert "Select yes if this page is useful" in body
    assert not ArticleFeedback.objects.exists()


def test_an_overlong_comment_is_refused(client: Client) -> None:
    response = client.post(
        "/help/reset-password/feedback/", {"useful": "yes", "comment": "x" * 1201}
    )
    assert response.status_code == 400
    assert not ArticleFeedback.objects.exists()


def test_a_search_that_finds_nothing_is_recorded_for_the_report(client: Client) -> None:
    body = client.get("/help/search/", {"q": "zorbing lessons"}).content.decode()
    assert "We could not find any guidance" in body
    assert UnansweredSearch.objects.get().text == "zorbing lessons"
