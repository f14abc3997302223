"""The Celery side of webform intake, in-process: CPU time and queries per submission for
``process_submissions`` (route, acknowledge, send the acknowledgement) on batches like the ones
the background publisher and the sweep queue.

Submissions of several forms (general, FOI, complaint, fraud, feedback), a quarter in Welsh and
a fifth from signed-in citizens, are stored first with ``submit_draft`` (their tasks are not
queued); then they are processed in batches of ``publisher.MAX_BATCH`` in this process, with
Celery's task body called directly, on PostgreSQL (DATABASE_URL; a throwaway test database is
made from it and dropped). One agent is signed in and serves every queue, so routing sends some
contacts to agents while the demo hours are open. Prints one JSON object.

CPU time (``time.process_time``) is the figure to compare on a shared machine; the database's
share is not in it (see ``bench/webforms.py``'s Celery round for the worker as a whole).

Options (environment): WEBFORMS_TASKS_SUBMISSIONS (200); WEBFORMS_TASKS_PROFILE: a path to
write a cProfile of the processing to (its top functions are printed to stderr).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SUBMISSIONS = int(os.environ.get("WEBFORMS_TASKS_SUBMISSIONS", "200"))
PROFILE = os.environ.get("WEBFORMS_TASKS_PROFILE", "")
MIX = ("general", "foi", "general", "complaint", "fraud", "feedback", "general", "foi")
TEXT = {
    "general": "I cannot sign in, the code never arrives on my phone",
    "feedback": "The new sign in page is much clearer, thank you",
}


def answers_for(form: Any, n: int) -> dict[str, str]:
    from webforms.models import FieldKind

    answers: dict[str, str] = {}
    for field in form.fields.all():
        if field.kind == FieldKind.EMAIL:
            answers[field.name] = f"citizen{n}@example.org"
        elif field.kind == FieldKind.CHOICE:
            answers[field.name] = str(field.choices[0]["value"])
        elif field.kind == FieldKind.YES_NO:
            answers[field.name] = "no"
        elif field.kind == FieldKind.CONFIRM:
            answers[field.name] = "on"
        else:
            answers[field.name] = TEXT.get(form.slug, f"My {field.name.replace('_', ' ')} {n}")
    return answers


def store_submissions(count: int) -> list[int]:
    from django.utils import timezone

    from contactcentre.models import User
    from routing.models import AgentProfile, Presence, Queue
    from webforms import tasks
    from webforms.actions.intake import submit_draft
    from webforms.models import Draft, FormDefinition

    agent = User.objects.create_user("bench-agent@example.org", "x")
    profile = AgentProfile.objects.create(user=agent, presence=Presence.AVAILABLE)
    profile.skills.set(Queue.objects.all())
    citizens = [User.objects.create_user(f"bench-citizen{n}@example.org", "x") for n in range(10)]
    forms = {form.slug: form for form in FormDefinition.objects.prefetch_related("fields")}
    expires = timezone.now() + timedelta(days=30)
    tasks.queue_after_commit = lambda *args, **kwargs: None  # processed below instead
    ids = []
    for n in range(count):
        form = forms[MIX[n % len(MIX)]]
        draft = Draft.objects.create(
            form=form,
            answers=answers_for(form, n),
            language="cy" if n % 4 == 3 else "en",
            citizen=citizens[n % len(citizens)] if n % 5 == 0 else None,
            expires_at=expires,
        )
        ids.append(submit_draft(draft, citizen=draft.citizen, now=timezone.now()).pk)
    return ids


def process(ids: list[int]) -> dict[str, Any]:
    from routing.classifier import default_model
    from webforms.publisher import MAX_BATCH
    from webforms.tasks import process_submissions

    default_model()  # trained once per process: not what is measured
    profiler = cProfile.Profile() if PROFILE else None
    queries = 0
    cpu_started, started = time.process_time(), time.perf_counter()
    for start in range(0, len(ids), MAX_BATCH):
        with CaptureQueriesContext(connection) as captured:
            if profiler:
                profiler.enable()
            process_submissions(ids[start : start + MAX_BATCH])
            if profiler:
                profiler.disable()
        queries += len(captured.captured_queries)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - started
    if profiler:
        profiler.dump_stats(PROFILE)
        pstats.Stats(PROFILE, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    return {
        "cpu_ms_per_submission": round(cpu * 1000 / len(ids), 2),
        "wall_ms_per_submission": round(wall * 1000 / len(ids), 2),
        "queries_per_submission": round(queries / len(ids), 2),
        "profiled": bool(profiler),
    }


def outcome(ids: list[int]) -> dict[str, Any]:
    from django.core import mail

    from routing.models import QueueEntry, RoutingDecision
    from webforms.models import EmailStatus, OutboundEmail, Submission

    ours = Submission.objects.filter(pk__in=ids)
    return {
        "routed": ours.exclude(routed_at=None).count(),
        "acknowledged": ours.exclude(acknowledged_at=None).count(),
        "decisions": RoutingDecision.objects.filter(contact__submission__in=ours).count(),
        "queue_entries": QueueEntry.objects.filter(contact__submission__in=ours).count(),
        "emails_sent": OutboundEmail.objects.filter(status=EmailStatus.SENT).count(),
        "emails_in_backend": len(getattr(mail, "outbox", [])),
    }


def main() -> int:
    from routing.demo import load_demo_data as load_routing
    from webforms.demo import load_demo_data as load_forms

    figures: dict[str, Any] = {
        "submissions": SUBMISSIONS,
        "database": connection.vendor,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    settings.WEBFORMS_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        load_routing()
        load_forms()
        ids = store_submissions(SUBMISSIONS)
        figures.update(process(ids))
        figures.update(outcome(ids))
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
