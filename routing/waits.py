"""Wait in minutes from a queueing model (Erlang C: Poisson arrivals, exponential handling).

For a new arrival in an M/M/N queue in steady state, the wait W is 0 with probability 1 - C and
otherwise exponential with rate N·μ - λ, where C is the Erlang C probability of waiting. We give
the 10th to 90th percentile of W, rounded out to whole minutes, so about 80% of contacts should
wait a time inside the range we show. When arrivals outpace the agents the steady state does not
exist; then the estimate comes from the people already waiting, each needing 1/(N·μ) on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9


@dataclass(frozen=True)
class WaitEstimate:
    low_minutes: int
    high_minutes: int

    def describe(self) -> str:
        if self.high_minutes <= 1:
            return "under a minute"
        if self.low_minutes == self.high_minutes:
            return f"about {self.low_minutes} minutes"
        return f"about {self.low_minutes} to {self.high_minutes} minutes"

    def contains(self, minutes: float) -> bool:
        return self.low_minutes <= minutes <= self.high_minutes


def erlang_c(agents: int, offered_load: float) -> float:
    """Probability an arrival waits, for ``agents`` servers and load λ/μ (in Erlangs)."""
    if agents <= 0:
        return 1.0
    if offered_load <= 0:
        return 0.0
    if offered_load >= agents:
        return 1.0
    # Erlang B by its stable recurrence, then C from B.
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilisation = offered_load / agents
    return blocking / (1 - utilisation + utilisation * blocking)


def wait_quantile(probability: float, agents: int, arrivals: float, service: float) -> float:
    """The ``probability`` quantile of the wait, in the time unit of the rates."""
    waits = erlang_c(agents, arrivals / service)
    no_wait = 1 - waits
    if probability <= no_wait:
        return 0.0
    drain = agents * service - arrivals
    return -math.log((1 - probability) / waits) / drain


def estimate_wait(
    *,
    agents: int,
    arrivals_per_minute: float,
    handle_minutes: float,
    waiting: int = 0,
    capacity_per_agent: int = 1,
) -> WaitEstimate | None:
    """A range in minutes for a contact joining now, or None when nobody serves the queue.

    ``capacity_per_agent`` counts each agent's concurrent chats as servers.
    """
    servers = agents * max(capacity_per_agent, 1)
    if servers <= 0 or handle_minutes <= 0:
        return None
    service = 1 / handle_minutes
    if arrivals_per_minute < servers * service * 0.98:
        low = wait_quantile(LOW_QUANTILE, servers, arrivals_per_minute, service)
        high = wait_quantile(HIGH_QUANTILE, servers, arrivals_per_minute, service)
    else:
        # Overloaded: everyone ahead must be served first (an Erlang-distributed sum).
        mean = (waiting + 1) * handle_minutes / servers
        spread = mean / math.sqrt(waiting + 1)
        low, high = max(mean - 1.28 * spread, 0.0), mean + 1.28 * spread
    return WaitEstimate(math.floor(low), max(math.ceil(high), 1))
