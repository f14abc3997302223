"""The wait estimate against a simulated queue with known arrival and handle-time laws."""

from __future__ import annotations

import heapq
import random

import pytest

from routing.waits import erlang_c, estimate_wait


def simulate_waits(
    agents: int, arrivals_per_minute: float, handle_minutes: float, contacts: int, seed: int
) -> list[float]:
    """First-come first-served M/M/N: Poisson arrivals, exponential handle times."""
    rng = random.Random(seed)
    free_at = [0.0] * agents
    heapq.heapify(free_at)
    clock, waits = 0.0, []
    for _ in range(contacts):
        clock += rng.expovariate(arrivals_per_minute)
        agent_free = heapq.heappop(free_at)
        start = max(clock, agent_free)
        waits.append(start - clock)
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


def test_nobody_serving_means_no_estimate() -> None:
    assert estimate_wait(agents=0, arrivals_per_minute=1, handle_minutes=8) is None


def test_an_overloaded_queue_grows_with_the_people_waiting() -> None:
    short = estimate_wait(agents=2, arrivals_per_minute=5, handle_minutes=8, waiting=4)
    long = estimate_wait(agents=2, arrivals_per_minute=5, handle_minutes=8, waiting=40)
    assert short is not None
    assert long is not None
    assert long.low_minutes > short.high_minutes
