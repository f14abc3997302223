"""Ask the chatbot from the command line, to check a change to guidance before citizens see it.

    python manage.py ask --json "how do I change my email"
    python manage.py ask --batch < questions.jsonl     # {"q": ..., "language": "cy"} a line

``--json`` prints one JSON object: reply, article (slug or null), alternatives (slugs),
confidence (0 to 1), handoff (true or false) and intent. ``--batch`` prints one such line for
each input line. Nothing is stored.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chat.chatbot import BotReply, answer

MAX_QUESTION = 5000


def as_dict(reply: BotReply) -> dict[str, Any]:
    return {
        "reply": reply.text,
        "article": reply.article,
        "alternatives": list(reply.alternatives),
        "confidence": reply.confidence,
        "handoff": reply.handoff,
        "intent": reply.intent,
    }


class Command(BaseCommand):
    help = "Show what the chatbot answers to a question, and how sure it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question", nargs="?", default=None, help="The citizen's question.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help='Read JSON lines {"q": ..., "language": ...} from standard input; print one '
            "JSON result a line.",
        )
        parser.add_argument(
            "--language", default="en", choices=["en", "cy"], help="The language chosen."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            self._batch(options["language"])
            return
        question = options["question"]
        if not question or not question.strip():
            raise CommandError('Give a question, for example: ask --json "forgot my password"')
        reply = answer(question[:MAX_QUESTION], language=options["language"])
        if options["json"]:
            self.stdout.write(json.dumps(as_dict(reply), ensure_ascii=False))
            return
        self.stdout.write(reply.text)
        self.stdout.write(
            f"\n[intent {reply.intent}, article {reply.article or '-'}, confidence "
            f"{reply.confidence:.2f}{', hand over' if reply.handoff else ''}]"
        )

    def _batch(self, default_language: str) -> None:
        for number, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                question = str(row["q"])
                language = str(row.get("language") or default_language)
            except (ValueError, KeyError, TypeError):
                self.stdout.write(
                    json.dumps({"line": number, "error": 'expected a JSON object with "q"'})
                )
                continue
            reply = answer(question[:MAX_QUESTION], language=language)
            self.stdout.write(json.dumps(as_dict(reply), ensure_ascii=False))
