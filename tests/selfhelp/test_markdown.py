"""Article Markdown renders as GOV.UK HTML, and nothing in it can run in a citizen's browser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfhelp.markdown import render_markdown


def test_markdown_gets_govuk_classes_and_headings_move_down_a_level() -> None:
    html = render_markdown("# Big\n\n## Steps\n\n1. one\n2. two\n\n- a\n\n[Guide](/help/x/)")
    assert '<h2 class="govuk-heading-l">Big</h2>' in html
    assert '<h2 class="govuk-heading-m">Steps</h2>' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<a href="/help/x/" class="govuk-link">Guide</a>' in html
    assert "<h1" not in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://evil.example" onclick="steal()">x</a>',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_raw_html_and_dangerous_links_are_shown_as_text_never_run(markdown: str) -> None:
    html = render_markdown(markdown).lower()
    assert "<script" not in html
    assert '<img src="x"' not in html
    assert "<iframe" not in html
    assert 'href="javascript' not in html
    assert 'href="vbscript' not in html
    assert 'onerror="' not in html
    assert 'onclick="' not in html


@given(st.text(max_size=400))
def test_any_markdown_renders_without_tags_from_the_text(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html.lower()
    assert "<iframe" not in html.lower()
