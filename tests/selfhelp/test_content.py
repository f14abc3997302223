"""Help articles load from Markdown with front matter; malformed files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfhelp.actions import import_articles
from selfhelp.content import ArticleFileError, parse_article
from selfhelp.models import Article, ArticleRevision, ArticleStatus, ArticleTranslation

GOOD = """---
slug: reset-password
title: Reset your password
topic: sign-in
summary: What to do if you've forgotten it.
---

Body text.
"""


def test_front_matter_and_body_are_read() -> None:
    article = parse_article(GOOD, language="en", source="x.md")
    assert (article.slug, article.title, article.topic) == (
        "reset-password",
        "Reset your password",
        "sign-in",
    )
    assert article.body == "Body text."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "must start with"),
        ("---\nslug: a\n", "not closed"),
        ("---\nslug: a\ntitle: T\ntopic: t\n---\nbody", "missing summary"),
        ("---\nslug: Not A Slug\ntitle: T\ntopic: t\nsummary: s\n---\nbody", "lower-case"),
        ("---\nslug: a\ntitle: T\ntopic: t\nsummary: s\n---\n\n", "no body"),
        ("---\njust words\n---\nbody", "expected 'key: value'"),
    ],
)
def test_malformed_articles_are_refused_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(ArticleFileError, match=message) as error:
        parse_article(text, language="en", source="help/bad.md")
    assert "help/bad.md" in str(error.value)


@pytest.mark.django_db
def test_a_welsh_article_without_an_english_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "orphan.md").write_text(GOOD.replace("reset-password", "orphan"))
    with pytest.raises(ArticleFileError, match="No en article for: orphan"):
        import_articles(tmp_path)
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_reimport_updates_changed_text(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    path = tmp_path / "en" / "reset-password.md"
    path.write_text(GOOD)
    assert import_articles(tmp_path).created == 1
    path.write_text(GOOD.replace("Body text.", "New body."))
    result = import_articles(tmp_path)
    assert (result.created, result.updated) == (0, 1)
    assert ArticleTranslation.objects.get().body == "New body."


@pytest.mark.django_db
@pytest.mark.usefixtures("postgres")
def test_each_imported_text_is_written_as_an_edit_is(tmp_path: Path) -> None:
    """A revision, the article's time of change and the search vector, for each text the
    import creates or changes, as ``save_translation`` writes them; unchanged texts keep theirs."""
    (tmp_path / "en").mkdir()
    (tmp_path / "cy").mkdir()
    (tmp_path / "en" / "reset-password.md").write_text(GOOD)
    (tmp_path / "en" / "sign-in.md").write_text(GOOD.replace("reset-password", "sign-in"))
    (tmp_path / "cy" / "reset-password.md").write_text(
        GOOD.replace("Reset your password", "Ailosod eich cyfrinair")
    )
    import_articles(tmp_path)
    (tmp_path / "en" / "reset-password.md").write_text(GOOD.replace("Body text.", "New body."))
    changed_at = Article.objects.get(slug="sign-in").updated_at

    result = import_articles(tmp_path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    revisions = ArticleRevision.objects.filter(article__slug="reset-password")
    assert [(r.language, r.body, r.status, r.note) for r in revisions] == [
        ("en", "New body.", ArticleStatus.PUBLISHED, "Imported"),
        ("cy", "Body text.", ArticleStatus.PUBLISHED, "Imported"),
        ("en", "Body text.", ArticleStatus.PUBLISHED, "Imported"),
    ]
    assert Article.objects.get(slug="reset-password").updated_at > changed_at
    assert Article.objects.get(slug="sign-in").updated_at == changed_at
    assert not ArticleTranslation.objects.filter(search_vector=None).exists()
    texts = ArticleTranslation.objects.filter(article__slug="reset-password")
    assert {t.language: t.title for t in texts} == {
        "en": "Reset your password",
        "cy": "Ailosod eich cyfrinair",
    }
