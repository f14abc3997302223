"""Build the chatbot's index of published guidance now, instead of at the first question.

    python manage.py prepare_assistant

The sentence model's vectors of every title, example question, summary and sentence are
computed once and kept in the database (``selfhelp.TextMeaning``), so each web process that
starts afterwards reads them back instead of computing them while a citizen waits for the
first answer. Run it after loading or importing a lot of guidance, and after a deploy (the
demo runs it after ``seed_demo``). Safe to run again: it computes only what is not kept yet.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from chat.chatbot.index import current_index


class Command(BaseCommand):
    help = "Build the chatbot's index and keep its sentence vectors, so first answers are quick."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        index = current_index()
        articles = sum(len(language.slugs) for language in index.languages.values())
        self.stdout.write(
            f"Assistant ready: {articles} articles indexed in {time.monotonic() - started:.1f} s."
        )
