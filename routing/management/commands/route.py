"""Try the routing policy from the command line: where would this message go, and why?

    python manage.py route --json --at 2026-12-01T10:00:00+00:00 "first message text"
    python manage.py route --batch < messages.jsonl     # {"text": ..., "at": ...} a line

It uses the configured policy and opening hours and assumes the scheduled staff are signed in
during opening hours (``--no-agents``: nobody is). Nothing is stored.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from routing.policy import ContactDescription, Decision, PolicyConfig, decide
from routing.selectors import availability_snapshot, policy_config

MAX_TEXT = 5000


def parse_at(value: str) -> datetime:
    """An ISO 8601 time; one without an offset is taken as the service's local time."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not an ISO 8601 date and time: {value!r}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return at


class Command(BaseCommand):
    help = "Show where the routing policy sends a message, and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", default=None, help="The citizen's first message.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--at", help="The time to decide at (ISO 8601). Default: now.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help='Read JSON lines {"text": ..., "at": ...} from standard input; print one JSON '
            "result a line.",
        )
        parser.add_argument("--language", default="en", help="The language the citizen chose.")
        parser.add_argument("--form", default="", help="The webform the citizen chose, if any.")
        parser.add_argument(
            "--repeat", action="store_true", help="The citizen got in touch in the last 7 days."
        )
        parser.add_argument(
            "--no-agents", action="store_true", help="Assume no agents are signed in."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = policy_config()
        default_at = parse_at(options["at"]) if options["at"] else timezone.now()
        if options["batch"]:
            self._batch(config, default_at, no_agents=options["no_agents"])
            return
        if options["text"] is None:
            raise CommandError("Give the message text, or --batch to read JSON lines.")
        description = ContactDescription(
            text=options["text"][:MAX_TEXT],
            language=options["language"],
            form=options["form"],
            repeat_contact=options["repeat"],
        )
        decision = self._decide(config, description, default_at, options["no_agents"])
        if options["json"]:
            self.stdout.write(json.dumps(decision.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(describe(decision))

    def _decide(
        self, config: PolicyConfig, description: ContactDescription, at: datetime, no_agents: bool
    ) -> Decision:
        snapshot = availability_snapshot(at, assume_staffed=not no_agents, no_agents=no_agents)
        return decide(description, at, snapshot, config)

    def _batch(self, config: PolicyConfig, default_at: datetime, *, no_agents: bool) -> None:
        failures = 0
        for number, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                description, at = read_line(line, default_at)
            except (CommandError, ValueError, TypeError) as error:
                failures += 1
                self.stdout.write(json.dumps({"error": f"line {number}: {error}"}))
                continue
            decision = self._decide(config, description, at, no_agents)
            self.stdout.write(json.dumps(decision.as_dict(), ensure_ascii=False))
        if failures:
            raise CommandError(f"{failures} line(s) could not be read.")


def read_line(line: str, default_at: datetime) -> tuple[ContactDescription, datetime]:
    row = json.loads(line)
    if not isinstance(row, dict) or not isinstance(row.get("text", ""), str):
        raise ValueError('each line must be a JSON object with a "text" string')
    at = parse_at(row["at"]) if row.get("at") else default_at
    description = ContactDescription(
        text=row.get("text", "")[:MAX_TEXT],
        language=str(row.get("language") or "en"),
        form=str(row.get("form") or ""),
        repeat_contact=bool(row.get("repeat_contact", False)),
        needs=frozenset(map(str, row.get("needs") or ())),
    )
    return description, at


def describe(decision: Decision) -> str:
    where = decision.destination
    if decision.queue:
        where += f" (queue {decision.queue}, priority {decision.priority})"
    if decision.form:
        where += f", form {decision.form}"
    lines = [where]
    lines += [f"  offered: {offer}" for offer in decision.offers]
    lines += [f"  because: {reason}" for reason in decision.reasons]
    return "\n".join(lines)
