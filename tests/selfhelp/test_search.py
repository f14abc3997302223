"""Search finds the right article first, tolerates typos, and knows Welsh mutations."""

from __future__ import annotations

import pytest
from django.db import connection

from selfhelp.selectors import search_articles

pytestmark = pytest.mark.usefixtures("guidance")


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("reset password", "reset-password"),
        ("forgotten my password", "reset-password"),
        ("change email address", "change-email-address"),
        ("security code not arriving", "security-code-not-arriving"),
        ("authenticator app", "use-an-authenticator-app"),
        ("subject access request", "subject-access-request"),
        ("freedom of information", "freedom-of-information-request"),
        ("delete account", "delete-your-account"),
    ],
)
def test_typical_searches_put_the_right_article_first(query: str, slug: str) -> None:
    results = search_articles(query, "en")
    assert [r.slug for r in results][:1] == [slug], [r.slug for r in results]


@pytest.mark.parametrize(
    ("query", "slug"),
    [("pasword", "reset-password"), ("authenticater", "use-an-authenticator-app")],
)
def test_misspelt_searches_still_find_the_article(query: str, slug: str) -> None:
    assert slug in [r.slug for r in search_articles(query, "en")[:3]]


@pytest.mark.usefixtures("postgres")
def test_postgres_uses_weighted_vectors_with_english_stemming() -> None:
    # "resetting" and "passwords" only match "reset" and "password" through the stemmer.
    assert search_articles("resetting passwords", "en")[0].slug == "reset-password"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'selfhelp_translation_search_gin'"
        )
        assert "gin" in cursor.fetchone()[0].lower()


@pytest.mark.parametrize(
    "query",
    ["ailosod cyfrinair", "ailosod fy nghyfrinair", "gyfrinair", "chyfrinair"],
)
def test_welsh_search_matches_mutated_forms(query: str) -> None:
    results = search_articles(query, "cy")
    assert [r.slug for r in results][:1] == ["reset-password"], [r.slug for r in results]


def test_welsh_search_of_codau_finds_cod() -> None:
    # Plural "codau" and mutated "god" meet the singular "cod".
    slugs = [r.slug for r in search_articles("codau diogelwch", "cy")]
    assert "security-code-not-arriving" in slugs[:3]


def test_nothing_matches_nonsense() -> None:
    assert search_articles("qqqxxz", "en") == []
