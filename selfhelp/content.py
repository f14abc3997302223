"""Reading guidance articles from Markdown files with front matter.

A file looks like::

    ---
    slug: reset-password
    title: Reset your password
    topic: sign-in
    summary: What to do if you've forgotten your password.
    questions: forgot my password | can't log in, password wrong
    ---
    The body, in Markdown.

``questions`` is optional: example questions, separated by ``|``, that the chatbot learns from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REQUIRED_FIELDS = ("slug", "title", "topic", "summary")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ArticleFileError(ValueError):
    """An article file is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ArticleFile:
    language: str
    slug: str
    title: str
    topic: str
    summary: str
    body: str
    questions: tuple[str, ...] = ()


def parse_article(text: str, *, language: str, source: str) -> ArticleFile:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleFileError(f"{source}: must start with a '---' front matter line.")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ArticleFileError(f"{source}: front matter is not closed with '---'.") from None
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ArticleFileError(f"{source}:{number}: expected 'key: value'.")
        fields[key.strip()] = value.strip().strip("\"'")
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise ArticleFileError(f"{source}: missing {', '.join(missing)}.")
    if not _SLUG.match(fields["slug"]) or not _SLUG.match(fields["topic"]):
        raise ArticleFileError(f"{source}: slug and topic must be lower-case words with hyphens.")
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ArticleFileError(f"{source}: the article has no body.")
    questions = tuple(q.strip() for q in fields.get("questions", "").split("|") if q.strip())
    return ArticleFile(
        language,
        fields["slug"],
        fields["title"],
        fields["topic"],
        fields["summary"],
        body,
        questions,
    )


def read_article_tree(root: Path, languages: list[str]) -> list[ArticleFile]:
    """Every ``<root>/<language>/*.md`` file, English (the first language) first."""
    articles = []
    for language in languages:
        folder = root / language
        for path in sorted(folder.glob("*.md")):
            text = path.read_text(encoding="utf-8")
            articles.append(parse_article(text, language=language, source=str(path)))
    return articles
