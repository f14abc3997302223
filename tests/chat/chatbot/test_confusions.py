"""Operators can see which articles the chatbot mixes up, and on which example questions."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chat.chatbot.confusions import confused_articles
from selfhelp.actions import add_example_question, set_article_status
from selfhelp.models import Article, ArticleStatus, ExampleQuestion

pytestmark = pytest.mark.usefixtures("guidance")


def test_an_example_question_worded_like_another_article_is_reported() -> None:
    misplaced = "how do i change the email address on my account"
    add_example_question(Article.objects.get(slug="reset-password"), misplaced)

    confusions = confused_articles()

    pair = next(c for c in confusions if misplaced in c.questions)
    assert (pair.article, pair.taken_for) == ("reset-password", "change-email-address")
    counts = [len(c.questions) for c in confusions]
    assert counts == sorted(counts, reverse=True)
    # Most of the demo's examples are understood: the report is about the few that are not.
    reported = sum(counts)
    assert 0 < reported < 0.4 * ExampleQuestion.objects.filter(language="en").count()


def test_the_command_prints_pairs_as_json_lines() -> None:
    out = StringIO()
    call_command("confused_articles", "--json", "--limit", "3", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 3
    assert set(lines[0]) == {"article", "taken_for", "questions"}
    assert lines[0]["article"] != lines[0]["taken_for"]
    assert lines[0]["questions"]


def test_the_command_explains_when_there_is_nothing_to_compare() -> None:
    for article in Article.objects.exclude(slug="reset-password"):
        set_article_status(article, ArticleStatus.DRAFT)

    with pytest.raises(CommandError, match="at least two published articles"):
        call_command("confused_articles", stdout=StringIO())
