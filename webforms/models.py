"""Webforms: the form catalogue (data a manager edits), drafts, submissions with reference
numbers, the messages on a submission, attachments and the email outbox."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contactcentre.models import Contact


def in_language(english: str, welsh: str, language: str | None = None) -> str:
    """The Welsh text when Welsh is active and there is some, else the English."""
    language = (language or get_language() or "en")[:2]
    return welsh if language == "cy" and welsh else english


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    TEXTAREA = "textarea", _("Long text")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    CHOICE = "choice", _("One of a list")
    YES_NO = "yes_no", _("Yes or no")
    CONFIRM = "confirm", _("Tick to confirm")
    CALLBACK_SLOT = "callback_slot", _("Call-back time within opening hours")


class FormDefinition(models.Model):
    """One kind of form citizens can send, with where it goes and how fast it is answered."""

    slug = models.SlugField(max_length=32, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_cy = models.CharField(_("title (Welsh)"), max_length=120, blank=True)
    summary_en = models.TextField(_("what it is for (English)"), blank=True)
    summary_cy = models.TextField(_("what it is for (Welsh)"), blank=True)
    queue_slug = models.SlugField(
        max_length=64, help_text=_("The routing queue submissions wait in, e.g. general.")
    )
    priority = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    urgent = models.BooleanField(default=False)
    sla_working_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(60)],
        help_text=_("Answered by the end of this many working days after the day it arrives."),
    )
    attachments_allowed = models.BooleanField(default=False)
    max_attachments = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(10)]
    )
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=50)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_cy)

    @property
    def summary(self) -> str:
        return in_language(self.summary_en, self.summary_cy)

    def clean(self) -> None:
        from routing.models import Queue

        if self.queue_slug and not Queue.objects.filter(slug=self.queue_slug).exists():
            raise ValidationError({"queue_slug": _("There is no queue with this slug.")})


class FormField(models.Model):
    """One question on a form. Fields with the same ``page`` are asked on one page."""

    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="fields")
    name = models.SlugField(
        max_length=40, help_text=_("Key in the stored answers, e.g. full_name.")
    )
    kind = models.CharField(max_length=20, choices=FieldKind.choices, default=FieldKind.TEXT)
    label_en = models.CharField(max_length=200)
    label_cy = models.CharField(max_length=200, blank=True)
    help_en = models.CharField(max_length=300, blank=True)
    help_cy = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    required_error_en = models.CharField(
        max_length=200, blank=True, help_text=_("e.g. Enter your full name")
    )
    required_error_cy = models.CharField(max_length=200, blank=True)
    max_length = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(1), MaxValueValidator(20000)]
    )
    pattern = models.CharField(
        max_length=200, blank=True, help_text=_("A regular expression the whole answer matches.")
    )
    pattern_error_en = models.CharField(max_length=200, blank=True)
    pattern_error_cy = models.CharField(max_length=200, blank=True)
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text=_('For "one of a list": [{"value": "...", "en": "...", "cy": "..."}]'),
    )
    page = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["page", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "name"], name="webforms_unique_field_name")
        ]

    def __str__(self) -> str:
        return f"{self.form.slug}.{self.name}"

    @property
    def label(self) -> str:
        return in_language(self.label_en, self.label_cy)

    @property
    def help_text(self) -> str:
        return in_language(self.help_en, self.help_cy)

    def clean(self) -> None:
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValidationError({"pattern": _("Not a valid pattern: %s") % error}) from None
        if self.kind == FieldKind.CHOICE and (
            not self.choices
            or not all(isinstance(c, dict) and c.get("value") and c.get("en") for c in self.choices)
        ):
            raise ValidationError({"choices": _("Give each choice a value and English text.")})


class DraftStatus(models.TextChoices):
    ACTIVE = "active", _("Being filled in")
    SUBMITTED = "submitted", _("Sent")
    EXPIRED = "expired", _("Expired")


class Draft(models.Model):
    """A form being filled in. Every form in progress is a draft: the answers so far live here,
    so "save and come back" is only a question of who may open it again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="drafts")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webform_drafts",
    )
    email = models.EmailField(blank=True, help_text=_("Where the magic link was sent."))
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    answers = models.JSONField(default=dict, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=DraftStatus.choices, default="active")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["citizen", "status"]),
        ]

    def __str__(self) -> str:
        return f"draft {self.public_id} of {self.form.slug}"


class LinkPurpose(models.TextChoices):
    RESUME_DRAFT = "resume_draft", _("Carry on with a saved form")


class MagicLink(models.Model):
    """A single-use, expiring link emailed to a citizen. Only a hash of its token is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="magic_links")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.draft_id}"


class Submission(models.Model):
    """A sent form: committed with its reference before the citizen is told the reference."""

    reference = models.CharField(max_length=20, unique=True)
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="submissions")
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="submission")
    idempotency_key = models.UUIDField(unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webform_submissions",
    )
    email = models.EmailField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    answers = models.JSONField(default=dict)
    from_contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webform_submissions_started",
        help_text=_("The chat this form was started from."),
    )
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text=_("The service-level due date."))
    queue_slug = models.SlugField(max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webform_submissions_owned",
        help_text=_("The agent working it: set when an agent first acts on it."),
    )
    # Work markers: each is set, with a status-checked update, by the step that did the work.
    routed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    breach_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["due_at"]),
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(routed_at__isnull=True) | models.Q(acknowledged_at__isnull=True),
                name="webforms_unfinished_work",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class MessageKind(models.TextChoices):
    CITIZEN_REPLY = "citizen_reply", _("Message from the citizen")
    AGENT_REPLY = "agent_reply", _("Reply to the citizen")
    INFO_REQUEST = "info_request", _("Request for more information")
    NOTE = "note", _("Internal note")
    TRANSFER = "transfer", _("Transfer")
    RESOLUTION = "resolution", _("Resolved")


CITIZEN_VISIBLE = (
    MessageKind.CITIZEN_REPLY,
    MessageKind.AGENT_REPLY,
    MessageKind.INFO_REQUEST,
    MessageKind.RESOLUTION,
)


class SubmissionMessage(models.Model):
    """A reply, note or request on a submission. Notes never reach the citizen."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.submission_id}"

    @property
    def visible_to_citizen(self) -> bool:
        return self.kind in CITIZEN_VISIBLE


class Attachment(models.Model):
    """A file sent with a form, stored under a random name outside the web root."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    original_name = models.CharField(max_length=120)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EmailKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    STATUS_CHANGE = "status_change", _("Status changed")
    REPLY = "reply", _("Reply")
    MAGIC_LINK = "magic_link", _("Link to a saved form")
    DRAFT_REMINDER = "draft_reminder", _("Saved form expiring")
    SLA_BREACH = "sla_breach", _("Service level breached")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """The outbox: every email is a row first, sent after the commit by a task. ``dedupe_key``
    is unique, so work that is retried never writes (and so never sends) a second copy."""

    dedupe_key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    to = models.EmailField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
