"""Which articles the chatbot mixes up, and on which example questions (``chat.chatbot.
confusions``): where managers should add example questions that tell two articles apart.

    python manage.py confused_articles            # the worst pairs, with their questions
    python manage.py confused_articles --json     # one JSON object a pair, a line each
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chat.chatbot.confusions import ConfusionsUnavailable, confused_articles


class Command(BaseCommand):
    help = "List the articles the chatbot mixes up, with the example questions it gets wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=25, help="How many pairs (default 25).")
        parser.add_argument(
            "--json",
            action="store_true",
            help='One JSON object a line: {"article", "taken_for", "questions"}.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        try:
            confusions = confused_articles()
        except ConfusionsUnavailable as error:
            raise CommandError(str(error)) from error
        shown = confusions[: options["limit"]]
        if options["json"]:
            for c in shown:
                line = {"article": c.article, "taken_for": c.taken_for, "questions": c.questions}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            return
        if not shown:
            self.stdout.write("No example question is taken for another article.")
        for c in shown:
            self.stdout.write(f"{c.article} taken for {c.taken_for}: {len(c.questions)}")
            for question in c.questions:
                self.stdout.write(f"    {question}")
