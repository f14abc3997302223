"""Wait in minutes from a queueing model: Poisson arrivals, exponential handling, and (Erlang A)
exponential patience.

Erlang C (nobody gives up): for a new arrival in an M/M/N queue in steady state, the wait W is 0
with probability 1 - C and otherwise exponential with rate N·μ - λ, where C is the Erlang C
probability of waiting. When arrivals outpace the agents the steady state does not exist; then
the estimate comes from the people already waiting, each needing 1/(N·μ) on average.

Erlang A (M/M/N+M, people give up at rate θ each while they wait): the queue always has a steady
state, because it sheds load. An arrival finding all N busy and j waiting ahead waits while those
j + 1 stages pass, at rates N·μ + jθ down to N·μ (a service, or someone ahead giving up). That sum
of exponentials has an exact law: e^(-θW) ~ Beta(N·μ/θ, j + 1), so P(W > t) is a negative-binomial
sum; weighting it by the queue lengths arrivals see gives the wait of a contact who stays.

Either way we give the 10th to 90th percentile of the wait of a contact who stays, rounded out to
whole minutes, so about 80% of contacts should wait a time inside the range we show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9
# Below this θ·(handle time), so few give up that Erlang C is as good.
MIN_ABANDONMENT = 1e-3
# The longest queue the Erlang A sums run over; past it, Erlang C's estimate is used.
MAX_QUEUE = 20_000


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
    abandon_per_minute: float = 0.0,
) -> WaitEstimate | None:
    """A range in minutes for a contact joining now, or None when nobody serves the queue.

    ``capacity_per_agent`` counts each agent's concurrent chats as servers.
    ``abandon_per_minute`` is θ, one over the mean patience of waiting contacts (0: nobody
    gives up, Erlang C).
    """
    servers = agents * max(capacity_per_agent, 1)
    if servers <= 0 or handle_minutes <= 0:
        return None
    service = 1 / handle_minutes
    if abandon_per_minute * handle_minutes >= MIN_ABANDONMENT and arrivals_per_minute > 0:
        queue = ErlangA(servers, arrivals_per_minute, service, abandon_per_minute)
        if queue.converged:
            low, high = queue.wait_quantile(LOW_QUANTILE), queue.wait_quantile(HIGH_QUANTILE)
            return WaitEstimate(math.floor(low), max(math.ceil(high), 1))
    if arrivals_per_minute < servers * service * 0.98:
        low = wait_quantile(LOW_QUANTILE, servers, arrivals_per_minute, service)
        high = wait_quantile(HIGH_QUANTILE, servers, arrivals_per_minute, service)
    else:
        # Overloaded: everyone ahead must be served first (an Erlang-distributed sum).
        mean = (waiting + 1) * handle_minutes / servers
        spread = mean / math.sqrt(waiting + 1)
        low, high = max(mean - 1.28 * spread, 0.0), mean + 1.28 * spread
    return WaitEstimate(math.floor(low), max(math.ceil(high), 1))


class ErlangA:
    """The M/M/N+M queue in steady state: the queue lengths arrivals see, and the wait of an
    arrival who stays until served."""

    def __init__(self, servers: int, arrivals: float, service: float, abandon: float) -> None:
        self.servers, self.abandon = servers, abandon
        self.drain = servers * service  # N·μ: the rate the head of the queue is served
        self.shape = self.drain / abandon  # α = N·μ/θ
        log_ahead = _log_queue_lengths(servers, arrivals, service, abandon)
        self.converged = log_ahead is not None
        # P(an arrival finds all busy and at least k waiting ahead), for k = 0, 1, ...
        self._log_at_least: list[float] = []
        if log_ahead:
            running = -math.inf
            for log_p in reversed(log_ahead):
                running = _log_add(running, log_p)
                self._log_at_least.append(running)
            self._log_at_least.reverse()
        # log of (α)_k / k!, the negative-binomial coefficients.
        self._log_coefficients = [
            math.lgamma(self.shape + k) - math.lgamma(self.shape) - math.lgamma(k + 1)
            for k in range(len(self._log_at_least))
        ]

    def waits_probability(self) -> float:
        return math.exp(self._log_at_least[0]) if self._log_at_least else 0.0

    def wait_longer_than(self, minutes: float) -> float:
        """P(W > minutes) = Σ_k P(NegBin(α, e^(-θt)) = k) · P(at least k waiting ahead)."""
        if minutes <= 0:
            return self.waits_probability()
        log_x = -self.abandon * minutes
        log_rest = math.log(-math.expm1(log_x))
        head = self.shape * log_x
        return sum(
            math.exp(head + log_c + k * log_rest + log_at_least)
            for k, (log_c, log_at_least) in enumerate(
                zip(self._log_coefficients, self._log_at_least, strict=True)
            )
        )

    def wait_quantile(self, probability: float) -> float:
        """The ``probability`` quantile of the wait in minutes, to about a second."""
        beyond = 1 - probability
        if self.waits_probability() <= beyond:
            return 0.0
        low, high = 0.0, 1 / self.drain
        while self.wait_longer_than(high) > beyond:
            low, high = high, high * 2
        while high - low > 0.01:
            middle = (low + high) / 2
            if self.wait_longer_than(middle) > beyond:
                low = middle
            else:
                high = middle
        return high


def _log_queue_lengths(
    servers: int, arrivals: float, service: float, abandon: float
) -> list[float] | None:
    """log P(an arrival finds all ``servers`` busy and exactly j waiting), j = 0, 1, ...

    The birth-death chain: up to N busy the rates are λ and n·μ; past N, λ and N·μ + jθ. By
    Poisson arrivals seeing time averages, arrivals see the stationary law. None if the tail
    does not die out within ``MAX_QUEUE``.
    """
    load = math.log(arrivals / service)
    # log of the unnormalised weight of n busy, n = 0..N: (λ/μ)^n / n!
    below = [n * load - math.lgamma(n + 1) for n in range(servers + 1)]
    above: list[float] = [below[-1]]
    drain, peak = servers * service, max(below)
    # Past the peak the weights fall; stop once they are e^-40 of it.
    while drain + len(above) * abandon < arrivals or above[-1] - peak > -40:
        if len(above) > MAX_QUEUE:
            return None
        above.append(above[-1] + math.log(arrivals / (drain + len(above) * abandon)))
        peak = max(peak, above[-1])
    total = _log_sum(below[:-1] + above)
    return [log_weight - total for log_weight in above]


def _log_add(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    high, low = max(a, b), min(a, b)
    return high + math.log1p(math.exp(low - high))


def _log_sum(values: list[float]) -> float:
    high = max(values)
    return high + math.log(sum(math.exp(v - high) for v in values))
