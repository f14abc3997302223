"""The omnichannel spine: people, contacts on any channel, and the audit log."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    """Users are known by email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **fields)


class User(AbstractUser):
    """A citizen or a member of staff. Staff are those in a role group (see ``roles``)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        permissions = [
            ("work_contacts", "Can work contacts in the agent console"),
            ("supervise_contacts", "Can watch live queues and join any conversation"),
            ("manage_service", "Can change the service's configuration and see its figures"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        """The name shown to citizens: first name only, never the email address."""
        return self.first_name or str(_("an adviser"))


class Channel(models.TextChoices):
    CHAT = "chat", _("Web chat")
    WEBFORM = "webform", _("Webform")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class ContactStatus(models.TextChoices):
    NEW = "new", _("New")
    WITH_BOT = "with_bot", _("With the assistant")
    WAITING = "waiting", _("Waiting for an adviser")
    IN_PROGRESS = "in_progress", _("With an adviser")
    AWAITING_CITIZEN = "awaiting_citizen", _("Waiting for the citizen")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    NOT_RESOLVED = "not_resolved", _("Not resolved")
    PASSED_TO_WEBFORM = "passed_to_webform", _("Passed to a webform")
    ABANDONED = "abandoned", _("Abandoned by the citizen")


S = ContactStatus
# Which status may follow which. Anything else is refused by ``actions.transition_contact``.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.WITH_BOT, S.WAITING, S.IN_PROGRESS, S.CLOSED}),
    S.WITH_BOT: frozenset({S.WAITING, S.CLOSED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.WITH_BOT, S.CLOSED}),
    # Back to WAITING is a transfer to another queue.
    S.IN_PROGRESS: frozenset({S.WAITING, S.AWAITING_CITIZEN, S.CLOSED}),
    S.AWAITING_CITIZEN: frozenset({S.IN_PROGRESS, S.WAITING, S.CLOSED}),
    # A citizen replying to a closed written contact reopens it.
    S.CLOSED: frozenset({S.WAITING}),
}


class Contact(models.Model):
    """One citizen contact on any channel: chats, submissions and surveys hang from it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        help_text=_("The signed-in citizen, if known."),
    )
    topic = models.SlugField(max_length=64, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=20, choices=ContactStatus.choices, default=S.NEW)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was closed as resolved.")
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["citizen", "-created_at"]),
            models.Index(fields=["channel", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="contact_outcome_only_when_closed",
                condition=(models.Q(status="closed") & ~models.Q(outcome=""))
                | (~models.Q(status="closed") & models.Q(outcome="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} contact {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status != ContactStatus.CLOSED


class ContactTransition(models.Model):
    """Each status change of a contact: who, when and why. The history agents read."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ContactStatus.choices)
    to_status = models.CharField(max_length=20, choices=ContactStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AuditEvent(models.Model):
    """A staff member read or changed personal data. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.object_type}:{self.object_id}"
