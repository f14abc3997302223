"""When people are working, which queues they serve, the policy managers edit, and the
decision taken for each contact."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcentre.models import Contact
from routing.choices import Destination, RuleKind, Topic


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(models.Model):
    """A named set of weekly opening hours, in one time zone (e.g. "Live agents")."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="Europe/London")
    closed_on_bank_holidays = models.BooleanField(
        default=True, help_text=_("Closed on England and Wales bank holidays.")
    )

    def __str__(self) -> str:
        return self.name


class OpeningSession(models.Model):
    """One weekly opening: ``opens`` up to (not including) ``closes`` on ``weekday``."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                name="session_opens_before_closes", condition=models.Q(opens__lt=models.F("closes"))
            ),
            models.UniqueConstraint(
                fields=["schedule", "weekday", "opens"], name="unique_session_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError(_("A session must close after it opens."))


class Queue(models.Model):
    """Contacts wait in a queue for an agent with the matching skill."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    schedule = models.ForeignKey(
        Schedule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queues",
        help_text=_("When agents serve this queue. Empty means always open."),
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A one-off closure, such as an early close on 24 December."""

    schedule = models.ForeignKey(
        Schedule,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Empty closes every schedule."),
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="closure_starts_before_it_ends",
                condition=models.Q(starts_at__lt=models.F("ends_at")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M} {self.reason}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError(_("A closure must end after it starts."))


class TopicRoute(models.Model):
    """Where contacts about one topic go. When a contact has several topics (say fraud and
    Welsh), the route with the lowest precedence number wins."""

    topic = models.CharField(max_length=32, choices=Topic.choices, unique=True)
    reason = models.CharField(
        max_length=120, help_text=_("Shown as the first reason, e.g. 'urgent: suspected fraud'.")
    )
    precedence = models.PositiveSmallIntegerField(default=50)
    destination = models.CharField(max_length=16, choices=Destination.choices)
    urgent = models.BooleanField(default=False)
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("For agent routes: the queue the contact waits in."),
    )
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("For agent routes: 1 is served first.")
    )
    form = models.SlugField(max_length=32, blank=True, help_text=_("For webform routes."))
    fallback = models.CharField(
        max_length=16,
        choices=[(Destination.CHATBOT, _("Chatbot")), (Destination.WEBFORM, _("Webform"))],
        default=Destination.WEBFORM,
        help_text=_("For agent routes: where the contact goes when no agents are available."),
    )
    fallback_form = models.SlugField(
        max_length=32, blank=True, default="general", help_text=_("The webform then offered.")
    )
    guidance = models.SlugField(
        max_length=64,
        blank=True,
        help_text=_("Guidance the chatbot gives, e.g. report-fraud (an article slug)."),
    )

    class Meta:
        ordering = ["precedence", "topic"]

    def __str__(self) -> str:
        return self.get_topic_display()

    def clean(self) -> None:
        if self.destination == Destination.AGENT and (self.queue is None or not self.priority):
            raise ValidationError(_("A route to agents needs a queue and a priority."))
        if self.destination == Destination.WEBFORM and not self.form:
            raise ValidationError(_("A route to a webform needs the form."))


class PolicySettings(models.Model):
    """The numbers in the routing policy. One row; the defaults apply until it exists."""

    overflow_wait_minutes = models.PositiveSmallIntegerField(
        default=20,
        help_text=_("Offer a webform beside a non-urgent queue when the wait may pass this."),
    )
    overflow_form = models.SlugField(max_length=32, default="general")
    repeat_window_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("A citizen who got in touch within this many days is a repeat.")
    )
    repeat_escalates_to = models.CharField(
        max_length=32,
        choices=Topic.choices,
        default=Topic.ACCOUNT,
        help_text=_("The route a repeat contact takes instead of the chatbot."),
    )
    min_confidence = models.FloatField(
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Below this the classifier's topic is not trusted: a general question."),
    )

    class Meta:
        verbose_name = _("policy settings")
        verbose_name_plural = _("policy settings")

    def __str__(self) -> str:
        return str(_("Routing policy settings"))


class ClassificationRule(models.Model):
    """Phrases or a pattern that name a topic. Where a rule matches, it wins over the trained
    classifier."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=RuleKind.choices, default=RuleKind.PHRASE)
    pattern = models.TextField(help_text=_("Phrases one a line, or one regular expression."))
    topic = models.CharField(max_length=32, choices=Topic.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["topic", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == RuleKind.PATTERN:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValidationError({"pattern": _("Not a valid pattern: %s") % error}) from None


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


# Presences in which an agent counts as on duty for the queues they serve.
ON_DUTY = (Presence.AVAILABLE, Presence.BUSY)


class AgentProfile(models.Model):
    """An agent's presence, how many contacts they take at once, and the queues they serve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    skills = models.ManyToManyField(Queue, related_name="agents", blank=True)
    active_contacts = models.PositiveSmallIntegerField(default=0, editable=False)
    idle_since = models.DateTimeField(
        null=True, blank=True, help_text=_("When their workload last changed.")
    )

    class Meta:
        indexes = [models.Index(fields=["presence", "idle_since"])]
        constraints = [
            models.CheckConstraint(
                name="agent_within_capacity",
                condition=models.Q(active_contacts__lte=models.F("capacity")),
            ),
            models.CheckConstraint(
                name="agent_capacity_positive", condition=models.Q(capacity__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ASSIGNED = "assigned", _("With an agent")
    FINISHED = "finished", _("Finished")
    ABANDONED = "abandoned", _("Abandoned")


ENTRY_TRANSITIONS: dict[str, frozenset[str]] = {
    EntryStatus.WAITING: frozenset({EntryStatus.ASSIGNED, EntryStatus.ABANDONED}),
    EntryStatus.ASSIGNED: frozenset({EntryStatus.FINISHED}),
    EntryStatus.FINISHED: frozenset(),
    EntryStatus.ABANDONED: frozenset(),
}


class QueueEntry(models.Model):
    """A contact waiting in a queue, then with an agent. Served by priority, then first come."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="queue_entries")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="entries")
    priority = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(
        max_length=16, choices=EntryStatus.choices, default=EntryStatus.WAITING
    )
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    enqueued_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("queue entries")
        ordering = ["priority", "enqueued_at", "id"]
        indexes = [
            models.Index(
                fields=["priority", "enqueued_at", "id"],
                condition=models.Q(status="waiting"),
                name="routing_waiting_order",
            ),
            # Assignment reads the first few waiting entries of each queue a free agent serves.
            models.Index(
                fields=["queue", "priority", "enqueued_at", "id"],
                condition=models.Q(status="waiting"),
                name="routing_waiting_by_queue",
            ),
            models.Index(fields=["queue", "enqueued_at"], name="routing_entry_arrivals"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status__in=["waiting", "assigned"]),
                name="one_open_queue_entry_per_contact",
            ),
            models.CheckConstraint(
                name="assigned_entry_has_agent",
                condition=~models.Q(status="assigned") | models.Q(agent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.queue_id} ({self.status})"


class RoutingDecision(models.Model):
    """Where a contact was sent and why: what a manager reads to see how the policy works."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="routing_decisions")
    decided_at = models.DateTimeField(db_index=True)
    destination = models.CharField(max_length=16, choices=Destination.choices)
    queue = models.SlugField(max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    form = models.SlugField(max_length=32, blank=True)
    offers = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list)
    topic = models.CharField(max_length=32, choices=Topic.choices)
    urgent = models.BooleanField(default=False)
    classified_by = models.CharField(max_length=120, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    repeat_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["contact", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.destination} {self.queue or self.form}"
