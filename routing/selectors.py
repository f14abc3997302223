"""Reads of routing data that several pages share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
from routing.hours import (
    ALWAYS_OPEN,
    OpeningHours,
    Session,
    is_open,
    next_change,
    next_opening,
)
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
    ContactDescription,
    KnownTexts,
    PolicyConfig,
    QueueAvailability,
    TopicModel,
    needs_classifier,
)
from routing.policy import TopicRoute as PolicyTopicRoute
from routing.rules import Rule
from routing.waits import WaitEstimate, estimate_wait

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
    return {slug: hours for slug, (_queue, hours) in _queues_with_hours().items()}


def _queues_with_hours() -> dict[str, tuple[Queue, OpeningHours]]:
    closures = list(Closure.objects.all())
    queues = Queue.objects.select_related("schedule").prefetch_related("schedule__sessions")
    return {queue.slug: (queue, opening_hours_of(queue.schedule, closures)) for queue in queues}


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
    return availability_from(
        hours, on_duty, loads, now, assume_staffed=assume_staffed, no_agents=no_agents
    )


def availability_from(
    hours: Mapping[str, OpeningHours],
    on_duty: Mapping[str, int],
    loads: Mapping[str, QueueLoad],
    now: datetime,
    *,
    assume_staffed: bool = False,
    no_agents: bool = False,
) -> Availability:
    """``availability_snapshot`` from what it reads: no database."""
    queues: dict[str, QueueAvailability] = {}
    for slug, queue_hours_ in hours.items():
        open_now = is_open(queue_hours_, now)
        agents = 0 if no_agents else (1 if assume_staffed and open_now else on_duty.get(slug, 0))
        wait = _wait(agents, loads.get(slug))
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


def _wait(agents: int, load: QueueLoad | None) -> WaitEstimate | None:
    if not agents or load is None:
        return None
    return estimate_wait(
        agents=agents,
        arrivals_per_minute=load.arrivals_per_minute,
        handle_minutes=load.handle_minutes,
        waiting=load.waiting,
        capacity_per_agent=DEFAULT_CAPACITY,
        abandon_per_minute=load.abandon_per_minute,
    )


class RoutingSnapshot:
    """Everything routing reads to place contacts (the policy, each queue and its opening
    hours, agents on duty, queue loads), read once for a batch of contacts instead of once per
    contact. What the batch itself queues is added to the loads as it goes, so each contact's
    wait estimate counts those queued before it, as a fresh read would; other processes' work
    is seen as of the read (a batch takes well under a second of reading's age).

    ``availability(now)`` is what ``availability_snapshot(now)`` would return from the same
    rows; it is worked out again only when an opening or closing time has passed, and a queue's
    wait estimate when the batch has queued a contact there."""

    def __init__(
        self,
        config: PolicyConfig,
        queues: Mapping[str, tuple[Queue, OpeningHours]],
        on_duty: Mapping[str, int],
        loads: Mapping[str, QueueLoad],
        repeats: Mapping[int, bool] | None = None,
        *,
        read_at: datetime,
    ) -> None:
        self.config = config
        self.queues = {slug: queue for slug, (queue, _hours) in queues.items()}
        self.hours = {slug: hours for slug, (_queue, hours) in queues.items()}
        self.on_duty = dict(on_duty)
        self.loads = dict(loads)
        self.repeats = dict(repeats or {})
        self.window_minutes = LOAD_WINDOW.total_seconds() / 60
        self._available: Availability | None = None
        self._valid: tuple[datetime, datetime | None] = (read_at, None)

    def availability(self, now: datetime) -> Availability:
        since, until = self._valid
        if self._available is None or now < since or (until is not None and now >= until):
            self._available = availability_from(self.hours, self.on_duty, self.loads, now)
            changes = [next_change(hours, now) for hours in self.hours.values()]
            self._valid = (now, min((c for c in changes if c is not None), default=None))
        return self._available

    def queued(self, slug: str) -> None:
        """The batch queued a contact in ``slug``: one more arrival and one more waiting."""
        load = self.loads.get(slug) or QueueLoad(0.0, DEFAULT_HANDLE_MINUTES, 0)
        self.loads[slug] = replace(
            load,
            arrivals_per_minute=load.arrivals_per_minute + 1 / self.window_minutes,
            waiting=load.waiting + 1,
        )
        if self._available is not None and slug in self._available.queues:
            queues = dict(self._available.queues)
            queues[slug] = replace(
                queues[slug], wait=_wait(queues[slug].agents_available, self.loads[slug])
            )
            self._available = Availability(queues)

    def is_repeat(self, contact: Contact) -> bool:
        if contact.pk in self.repeats:
            return self.repeats[contact.pk]
        return is_repeat_contact(contact, self.config.repeat_window_days)


def routing_snapshot(
    now: datetime,
    *,
    config: PolicyConfig | None = None,
    contacts: Sequence[Contact] = (),
    descriptions: Sequence[ContactDescription] = (),
) -> RoutingSnapshot:
    """What routing reads, once, to place ``contacts`` (whose repeat flags are read together)
    at about ``now``. The classifier's probabilities for the ``descriptions`` that need it are
    worked out in one call: one batch costs little more than one text."""
    config = config or policy_config()
    texts = [d.text for d in descriptions if needs_classifier(d)]
    if texts and config.model is not None:
        config = replace(config, model=KnownTexts(config.model, texts))
    return RoutingSnapshot(
        config,
        _queues_with_hours(),
        agents_on_duty(),
        queue_loads(now),
        repeat_contacts(contacts, config.repeat_window_days),
        read_at=now,
    )


def repeat_contacts(contacts: Sequence[Contact], window_days: int) -> dict[int, bool]:
    """``is_repeat_contact`` for each of ``contacts``, by contact id, in one query."""
    signed_in = [c for c in contacts if c.citizen_id is not None]
    repeats = {c.pk: False for c in contacts}
    if not signed_in:
        return repeats
    window = timedelta(days=window_days)
    earliest = min(c.created_at for c in signed_in) - window
    latest = max(c.created_at for c in signed_in)
    theirs: dict[int | None, list[tuple[datetime, int]]] = {}
    rows = Contact.objects.filter(
        citizen_id__in={c.citizen_id for c in signed_in},
        created_at__gte=earliest,
        created_at__lte=latest,
    ).values_list("citizen_id", "created_at", "pk")
    for citizen_id, created_at, pk in rows:
        theirs.setdefault(citizen_id, []).append((created_at, pk))
    for contact in signed_in:
        since = contact.created_at - window
        repeats[contact.pk] = any(
            since <= created_at <= contact.created_at and pk != contact.pk
            for created_at, pk in theirs.get(contact.citizen_id, ())
        )
    return repeats


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
