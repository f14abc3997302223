"""Reads of routing data that several pages share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from contactcentre.models import Contact
from routing.classifier import default_model
from routing.hours import ALWAYS_OPEN, OpeningHours, Session, is_open, next_opening
from routing.hours import Closure as HoursClosure
from routing.models import (
    ON_DUTY,
    ClassificationRule,
    Closure,
    EntryStatus,
    OpeningSession,
    PolicySettings,
    Queue,
    QueueEntry,
    RoutingDecision,
    Schedule,
    TopicRoute,
    Weekday,
)
from routing.policy import (
    DEFAULT_ROUTES,
    Availability,
    PolicyConfig,
    QueueAvailability,
    TopicModel,
)
from routing.policy import TopicRoute as PolicyTopicRoute
from routing.rules import Rule
from routing.waits import estimate_wait

# Arrivals over this window give the arrival rate; handle times over twice it.
LOAD_WINDOW = timedelta(minutes=60)
DEFAULT_HANDLE_MINUTES = 8.0
DEFAULT_CAPACITY = 3


@dataclass(frozen=True)
class OpeningPeriod:
    """Consecutive weekdays with the same hours, e.g. Monday to Friday, 08:00 to 20:00."""

    first_day: str
    last_day: str
    opens: time
    closes: time

    @property
    def single_day(self) -> bool:
        return self.first_day == self.last_day


def live_agent_schedule() -> Schedule | None:
    return (
        Schedule.objects.filter(slug=settings.LIVE_AGENT_SCHEDULE)
        .prefetch_related("sessions")
        .first()
    )


def opening_periods(schedule: Schedule | None) -> list[OpeningPeriod]:
    """Group a schedule's weekly sessions into readable periods, Monday first."""
    if schedule is None:
        return []
    sessions: list[OpeningSession] = sorted(
        schedule.sessions.all(), key=lambda s: (s.weekday, s.opens)
    )
    periods: list[OpeningPeriod] = []
    previous: OpeningSession | None = None
    for session in sessions:
        extends = (
            periods
            and previous is not None
            and session.weekday == previous.weekday + 1
            and (session.opens, session.closes) == (previous.opens, previous.closes)
        )
        day = str(Weekday(session.weekday).label)
        if extends:
            last = periods[-1]
            periods[-1] = OpeningPeriod(last.first_day, day, last.opens, last.closes)
        else:
            periods.append(OpeningPeriod(day, day, session.opens, session.closes))
        previous = session
    return periods


# The routing policy, opening hours and availability, as the plain data ``policy.decide`` takes.


def policy_config(*, model: TopicModel | None = None, with_model: bool = True) -> PolicyConfig:
    """The policy as managers have edited it, over the built-in defaults."""
    routes = dict(DEFAULT_ROUTES)
    for row in TopicRoute.objects.select_related("queue"):
        routes[row.topic] = PolicyTopicRoute(
            topic=row.topic,
            reason=row.reason,
            precedence=row.precedence,
            destination=row.destination,
            urgent=row.urgent,
            queue=row.queue.slug if row.queue else "",
            priority=row.priority,
            form=row.form,
            fallback=row.fallback,
            fallback_form=row.fallback_form,
            guidance=row.guidance,
        )
    rules = tuple(
        Rule(name=row.name, kind=row.kind, pattern=row.pattern, topic=row.topic)
        for row in ClassificationRule.objects.filter(active=True).order_by("id")
    )
    settings_row = PolicySettings.objects.first() or PolicySettings()
    if model is None and with_model:
        model = default_model()
    return PolicyConfig(
        routes=routes,
        rules=rules,
        model=model,
        overflow_wait_minutes=settings_row.overflow_wait_minutes,
        overflow_form=settings_row.overflow_form,
        repeat_window_days=settings_row.repeat_window_days,
        repeat_escalates_to=settings_row.repeat_escalates_to,
        min_confidence=settings_row.min_confidence,
    )


def opening_hours_of(schedule: Schedule | None, closures: list[Closure]) -> OpeningHours:
    """A schedule's hours as plain data; no schedule means always open."""
    if schedule is None:
        return ALWAYS_OPEN
    return OpeningHours(
        timezone=schedule.timezone,
        sessions=tuple(Session(s.weekday, s.opens, s.closes) for s in schedule.sessions.all()),
        closures=tuple(
            HoursClosure(c.starts_at, c.ends_at, c.reason)
            for c in closures
            if c.schedule_id in (None, schedule.pk)
        ),
        closed_on_bank_holidays=schedule.closed_on_bank_holidays,
    )


def queue_hours() -> dict[str, OpeningHours]:
    """Each queue's opening hours, by queue slug."""
    closures = list(Closure.objects.all())
    queues = Queue.objects.select_related("schedule").prefetch_related("schedule__sessions")
    return {queue.slug: opening_hours_of(queue.schedule, closures) for queue in queues}


def agents_on_duty() -> dict[str, int]:
    """Signed-in agents (available or busy) serving each queue, by queue slug."""
    rows = (
        Queue.objects.filter(agents__presence__in=ON_DUTY)
        .values("slug")
        .annotate(on_duty=Count("agents"))
    )
    return {row["slug"]: row["on_duty"] for row in rows}


@dataclass(frozen=True)
class QueueLoad:
    """Recent traffic in one queue, for the wait estimate."""

    arrivals_per_minute: float
    handle_minutes: float
    waiting: int
    # θ: contacts giving up per minute of waiting, one over their mean patience.
    abandon_per_minute: float = 0.0


def queue_loads(now: datetime, window: timedelta = LOAD_WINDOW) -> dict[str, QueueLoad]:
    since = now - window
    arrivals = {
        row["queue__slug"]: row
        for row in QueueEntry.objects.filter(enqueued_at__gte=since, enqueued_at__lte=now)
        .values("queue__slug")
        .annotate(
            n=Count("id"),
            abandoned=Count("id", filter=Q(status=EntryStatus.ABANDONED)),
            waited=Sum(_time_waited(now)),
        )
    }
    waiting = dict(
        QueueEntry.objects.filter(status=EntryStatus.WAITING)
        .values_list("queue__slug")
        .annotate(n=Count("id"))
        .values_list("queue__slug", "n")
    )
    handled = QueueEntry.objects.filter(
        status=EntryStatus.FINISHED, ended_at__gte=since - window, assigned_at__isnull=False
    )
    handle = {
        slug: duration.total_seconds() / 60
        for slug, duration in handled.values_list("queue__slug")
        .annotate(mean=Avg(F("ended_at") - F("assigned_at")))
        .values_list("queue__slug", "mean")
        if duration
    }
    minutes = window.total_seconds() / 60
    return {
        slug: QueueLoad(
            arrivals_per_minute=arrivals[slug]["n"] / minutes if slug in arrivals else 0.0,
            handle_minutes=handle.get(slug, DEFAULT_HANDLE_MINUTES),
            waiting=waiting.get(slug, 0),
            abandon_per_minute=_abandon_rate(arrivals.get(slug)),
        )
        for slug in set(arrivals) | set(waiting) | set(handle)
    }


def _time_waited(now: datetime) -> ExpressionWrapper:
    """How long each entry waited: to its assignment, to giving up, or (still waiting) to now."""
    left = Coalesce("assigned_at", "ended_at", Value(now, output_field=DateTimeField()))
    return ExpressionWrapper(left - F("enqueued_at"), output_field=DurationField())


def _abandon_rate(arrivals: Mapping[str, Any] | None) -> float:
    """Contacts who gave up per minute spent waiting: the estimate of θ for exponential
    patience that allows for those still waiting, or served, before they would have given up."""
    if not arrivals or not arrivals["abandoned"] or not arrivals["waited"]:
        return 0.0
    return float(arrivals["abandoned"] / (arrivals["waited"].total_seconds() / 60))


def availability_snapshot(
    now: datetime, *, assume_staffed: bool = False, no_agents: bool = False
) -> Availability:
    """Every queue at ``now``. ``assume_staffed``: scheduled staff count as signed in during
    opening hours (the ``route`` command's view); ``no_agents``: nobody is signed in."""
    hours = queue_hours()
    on_duty = {} if (assume_staffed or no_agents) else agents_on_duty()
    loads = {} if (assume_staffed or no_agents) else queue_loads(now)
    queues: dict[str, QueueAvailability] = {}
    for slug, queue_hours_ in hours.items():
        open_now = is_open(queue_hours_, now)
        agents = 0 if no_agents else (1 if assume_staffed and open_now else on_duty.get(slug, 0))
        load = loads.get(slug)
        wait = None
        if agents and load is not None:
            wait = estimate_wait(
                agents=agents,
                arrivals_per_minute=load.arrivals_per_minute,
                handle_minutes=load.handle_minutes,
                waiting=load.waiting,
                capacity_per_agent=DEFAULT_CAPACITY,
                abandon_per_minute=load.abandon_per_minute,
            )
        opening = None if open_now else next_opening(queue_hours_, now)
        zone = queue_hours_.zone
        queues[slug] = QueueAvailability(
            queue=slug,
            is_open=open_now,
            next_opening=opening.astimezone(zone) if opening else None,
            agents_available=agents,
            wait=wait,
        )
    return Availability(queues)


def is_repeat_contact(contact: Contact, window_days: int) -> bool:
    """The same signed-in citizen got in touch in the ``window_days`` before this contact."""
    if contact.citizen_id is None:
        return False
    since = contact.created_at - timedelta(days=window_days)
    return (
        Contact.objects.filter(citizen_id=contact.citizen_id, created_at__gte=since)
        .filter(created_at__lte=contact.created_at)
        .exclude(pk=contact.pk)
        .exists()
    )


def decisions_for_contact(contact: Contact) -> list[RoutingDecision]:
    return list(RoutingDecision.objects.filter(contact=contact).order_by("-decided_at", "-id"))
