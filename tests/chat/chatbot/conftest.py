"""Chatbot fixtures: the demo guidance (the GovSign articles in English and Welsh)."""

from __future__ import annotations

import pytest

from selfhelp.actions import import_articles


@pytest.fixture
def guidance(db: None) -> None:
    """The demo articles, published, with their example questions."""
    import_articles()
