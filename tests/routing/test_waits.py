"""The wait estimate against a simulated queue with known arrival and handle-time laws."""

from __future__ import annotations

import heapq
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import EntryStatus
from routing.selectors import queue_loads
from routing.waits import ErlangA, erlang_c, estimate_wait, wait_quantile
from tests.routing.factories import AgentFactory, QueueFactory, WaitingEntryFactory


def simulate_waits(
    agents: int,
    arrivals_per_minute: float,
    handle_minutes: float,
    contacts: int,
    seed: int,
    patience_minutes: float | None = None,
) -> list[float]:
    """First-come first-served M/M/N (+M with ``patience_minutes``): Poisson arrivals,
    exponential handle times and patience.

    Each contact's wait is how long they would wait for an agent if they stayed: the time an
    agent would take them. Those ahead who gave up do not hold an agent; those behind do not
    matter, so it is known for those who gave up too.
    """
    rng = random.Random(seed)
    free_at = [0.0] * agents
    heapq.heapify(free_at)
    clock, waits = 0.0, []
    for _ in range(contacts):
        clock += rng.expovariate(arrivals_per_minute)
        agent_free = heapq.heappop(free_at)
        start = max(clock, agent_free)
        waits.append(start - clock)
        gives_up = patience_minutes and rng.expovariate(1 / patience_minutes) < start - clock
        if gives_up:
            heapq.heappush(free_at, agent_free)
        else:
            heapq.heappush(free_at, start + rng.expovariate(1 / handle_minutes))
    return waits[contacts // 10 :]  # leave out the warm-up


def test_erlang_c_matches_known_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(10, 8) == pytest.approx(0.4092, abs=1e-3)
    assert erlang_c(2, 0) == 0
    assert erlang_c(2, 3) == 1


@pytest.mark.parametrize(
    ("agents", "arrivals", "handle"),
    [(5, 0.55, 8.0), (10, 1.15, 8.0), (3, 0.5, 5.0), (20, 2.3, 8.0)],
)
def test_most_contacts_wait_a_time_inside_the_estimated_range(
    agents: int, arrivals: float, handle: float
) -> None:
    estimate = estimate_wait(agents=agents, arrivals_per_minute=arrivals, handle_minutes=handle)
    assert estimate is not None
    waits = simulate_waits(agents, arrivals, handle, contacts=40_000, seed=agents)
    inside = sum(estimate.contains(w) for w in waits) / len(waits)
    print(f"N={agents} λ={arrivals}/min AHT={handle}: {estimate.describe()}, inside {inside:.0%}")
    assert inside >= 0.75


@pytest.mark.parametrize(
    ("agents", "arrivals", "handle", "patience"),
    [
        (5, 0.55, 8.0, 5.0),
        (10, 1.15, 8.0, 10.0),
        (3, 0.5, 5.0, 3.0),
        (20, 2.3, 8.0, 8.0),
        # More arrivals than the agents can take: only people giving up keep the queue finite.
        (10, 1.6, 8.0, 5.0),
        (5, 1.0, 8.0, 10.0),
    ],
)
def test_with_people_giving_up_most_contacts_wait_a_time_inside_the_range(
    agents: int, arrivals: float, handle: float, patience: float
) -> None:
    estimate = estimate_wait(
        agents=agents,
        arrivals_per_minute=arrivals,
        handle_minutes=handle,
        abandon_per_minute=1 / patience,
    )
    assert estimate is not None
    waits = simulate_waits(agents, arrivals, handle, 40_000, seed=agents, patience_minutes=patience)
    inside = sum(estimate.contains(w) for w in waits) / len(waits)
    print(
        f"N={agents} λ={arrivals}/min AHT={handle} patience={patience}: "
        f"{estimate.describe()}, inside {inside:.0%}"
    )
    assert inside >= 0.75


def test_erlang_a_becomes_erlang_c_as_nobody_gives_up() -> None:
    queue = ErlangA(10, 1.15, 1 / 8, abandon=1e-7)
    assert queue.waits_probability() == pytest.approx(erlang_c(10, 1.15 * 8), abs=1e-4)
    for probability in (0.5, 0.9):
        expected = wait_quantile(probability, 10, 1.15, 1 / 8)
        assert queue.wait_quantile(probability) == pytest.approx(expected, abs=0.02)


def test_people_giving_up_shorten_the_wait() -> None:
    patient = estimate_wait(agents=5, arrivals_per_minute=0.6, handle_minutes=8)
    impatient = estimate_wait(
        agents=5, arrivals_per_minute=0.6, handle_minutes=8, abandon_per_minute=0.2
    )
    assert patient is not None
    assert impatient is not None
    assert impatient.high_minutes < patient.high_minutes


@pytest.mark.django_db
def test_the_abandonment_rate_is_those_who_gave_up_per_minute_waited() -> None:
    queue = QueueFactory(slug="general")
    now = timezone.now()
    # Two gave up after 4 and 6 minutes; one was answered after 5; one has waited 5 so far.
    for waited, status in [(4, "abandoned"), (6, "abandoned"), (5, "assigned")]:
        enqueued = now - timedelta(minutes=30)
        ended = enqueued + timedelta(minutes=waited)
        WaitingEntryFactory(
            queue=queue,
            enqueued_at=enqueued,
            status=status,
            ended_at=ended if status == EntryStatus.ABANDONED else None,
            assigned_at=ended if status == EntryStatus.ASSIGNED else None,
            agent=AgentFactory() if status == EntryStatus.ASSIGNED else None,
        )
    WaitingEntryFactory(queue=queue, enqueued_at=now - timedelta(minutes=5))
    load = queue_loads(now)["general"]
    assert load.abandon_per_minute == pytest.approx(2 / 20)
    assert load.arrivals_per_minute == pytest.approx(4 / 60)


def test_nobody_serving_means_no_estimate() -> None:
    assert estimate_wait(agents=0, arrivals_per_minute=1, handle_minutes=8) is None


def test_an_overloaded_queue_grows_with_the_people_waiting() -> None:
    short = estimate_wait(agents=2, arrivals_per_minute=5, handle_minutes=8, waiting=4)
    long = estimate_wait(agents=2, arrivals_per_minute=5, handle_minutes=8, waiting=40)
    assert short is not None
    assert long is not None
    assert long.low_minutes > short.high_minutes
