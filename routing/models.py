"""When people are working and which queues they serve."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
