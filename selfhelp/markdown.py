"""Article Markdown to safe HTML in GOV.UK style.

markdown-it-py with raw HTML switched off: anything that looks like a tag is shown as text, and
its link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and most ``data:`` URLs.
Headings move down a level (the page's own title is the only ``h1``) and every element gets
its GOV.UK Design System class.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--visible govuk-section-break--m",
    "code_inline": "app-code",
}
_HEADINGS = {"h1": ("h2", "govuk-heading-l"), "h2": ("h2", "govuk-heading-m"),
             "h3": ("h3", "govuk-heading-s"), "h4": ("h4", "govuk-heading-s"),
             "h5": ("h5", "govuk-heading-s"), "h6": ("h6", "govuk-heading-s")}  # fmt: skip


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    return parser


def _decorate(tokens: list[Any]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag, css = _HEADINGS.get(token.tag, (token.tag, "govuk-heading-s"))
            if token.type == "heading_open":
                token.attrSet("class", css)
        elif token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if href.startswith(("http://", "https://")):
                token.attrSet("rel", "noreferrer noopener")
        if token.children:
            _decorate(token.children)


def render_markdown(text: str) -> SafeString:
    """Safe HTML for an article body."""
    parser = _parser()
    tokens = parser.parse(text)
    _decorate(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    return mark_safe(html)  # noqa: S308 - raw HTML is disabled and links are validated above
