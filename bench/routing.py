"""Routing speed: pure policy decisions per second, and assignments per second with their p99
latency on PostgreSQL with 200 agents and 5,000 waiting contacts.

Runs in a throwaway test database made from DATABASE_URL and dropped afterwards.
Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

AGENTS = 200
WAITING = 5_000
ASSIGNMENTS = 3_000
QUEUES = ("general", "identity", "fraud", "accessibility", "welsh")
TEXTS = (
    "I think I've been scammed",
    "how do I change my password",
    "my ID check has failed three times",
    "can I talk to a real person",
    "I want to make an FOI request",
    "I'm deaf and need help",
    "Sut ydw i'n newid fy nghyfrinair?",
    "lost my phone and have no backup codes",
)


def bench_decisions() -> dict[str, float]:
    from routing.classifier import default_model
    from routing.demo import DEMO_RULES
    from routing.policy import (
        DEFAULT_ROUTES,
        Availability,
        ContactDescription,
        PolicyConfig,
        QueueAvailability,
        classify,
        decide,
    )
    from routing.rules import Rule

    config = PolicyConfig(
        routes=DEFAULT_ROUTES,
        rules=tuple(Rule(n, k, p, t) for n, k, t, p in DEMO_RULES),
        model=default_model(),
    )
    now = datetime(2026, 3, 10, 11, tzinfo=UTC)
    availability = Availability({q: QueueAvailability(q, True, None, 2) for q in QUEUES})
    descriptions = [ContactDescription(text) for text in TEXTS]
    classified = [classify(d, config) for d in descriptions]
    rounds = 20_000
    started = time.perf_counter()
    for n in range(rounds):
        i = n % len(descriptions)
        decide(descriptions[i], now, availability, config, classified[i])
    policy_rate = rounds / (time.perf_counter() - started)
    rounds = 2_000
    started = time.perf_counter()
    for n in range(rounds):
        decide(descriptions[n % len(descriptions)], now, availability, config)
    full_rate = rounds / (time.perf_counter() - started)
    return {
        "decisions_per_second": round(policy_rate),
        "classify_and_decide_per_second": round(full_rate),
    }


def seed(rng: random.Random) -> None:
    from django.contrib.auth.models import Group

    from contactcentre.models import Contact, ContactStatus, User
    from routing.models import AgentProfile, Presence, Queue, QueueEntry

    Group.objects.get_or_create(name="Agent")
    queues = [Queue.objects.create(slug=slug, name=slug) for slug in QUEUES]
    users = User.objects.bulk_create(User(email=f"agent{n}@bench.example") for n in range(AGENTS))
    now = datetime.now(UTC)
    agents = AgentProfile.objects.bulk_create(
        AgentProfile(
            user=user,
            presence=Presence.AVAILABLE,
            capacity=3,
            idle_since=now - timedelta(seconds=rng.randint(0, 3600)),
        )
        for user in users
    )
    through = AgentProfile.skills.through
    through.objects.bulk_create(
        through(agentprofile_id=agent.pk, queue_id=queue.pk)
        for agent in agents
        for queue in rng.sample(queues, rng.randint(1, 3))
    )
    contacts = Contact.objects.bulk_create(
        Contact(channel="chat", status=ContactStatus.WAITING) for _ in range(WAITING)
    )
    QueueEntry.objects.bulk_create(
        QueueEntry(
            contact=contact,
            queue=rng.choice(queues),
            priority=rng.choice((1, 2, 3, 3, 3)),
            enqueued_at=now - timedelta(seconds=rng.randint(0, 3600)),
        )
        for contact in contacts
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a load this size


def bench_assignments() -> dict[str, float]:
    from routing.actions import assign_next, finish_assignment
    from routing.models import QueueEntry

    rng = random.Random(7)
    seed(rng)
    latencies: list[float] = []
    started = time.perf_counter()
    while len(latencies) < ASSIGNMENTS:
        before = time.perf_counter()
        assignment = assign_next(datetime.now(UTC))
        after = time.perf_counter()
        if assignment is None:
            # Everyone is at capacity: finish some contacts (not timed) and carry on.
            for entry in QueueEntry.objects.filter(status="assigned")[:300]:
                finish_assignment(entry, datetime.now(UTC))
            started += time.perf_counter() - after
            continue
        latencies.append(after - before)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "assignments": len(latencies),
        "assignments_per_second": round(len(latencies) / elapsed),
        "assignment_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "assignment_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "agents": AGENTS,
        "waiting_contacts": WAITING,
        # Latency on a shared machine depends on what else runs: report it with the figures.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    figures: dict[str, object] = {"database": connection.vendor}
    figures.update(bench_decisions())
    if connection.vendor != "postgresql":
        print(json.dumps(figures | {"error": "set DATABASE_URL to a PostgreSQL server"}))
        return 1
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        figures.update(bench_assignments())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
