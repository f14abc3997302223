"""Live chat: a conversation on a chat contact, its numbered messages, who is in it, and the
canned responses agents insert."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcentre.models import Contact


class Conversation(models.Model):
    """The chat on one contact (channel ``chat``). Its messages are numbered 1, 2, 3...

    ``last_seq`` is the number of the latest message; ``post_message`` takes the row lock on the
    conversation to give the next one, so numbers are gap-free per conversation.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="conversation")
    # SHA-256 of the citizen's conversation token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    # The latest citizen message the flow (routing, the bot) has dealt with.
    handled_seq = models.PositiveIntegerField(default=0, editable=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations",
        help_text=_("The adviser chatting with the citizen now (after accepting)."),
    )
    # The latest wait estimate shown to the citizen, in whole minutes; null when not waiting.
    wait_low = models.PositiveSmallIntegerField(null=True, blank=True)
    wait_high = models.PositiveSmallIntegerField(null=True, blank=True)
    # Offers shown to the citizen, such as "webform:general" or "guidance:fraud-safety".
    offers = models.JSONField(default=list, blank=True)
    # When agents are closed: the next time they open.
    agents_open_at = models.DateTimeField(null=True, blank=True)
    citizen_active_at = models.DateTimeField(
        help_text=_("The citizen's last message or 'stay': the inactivity time-out counts from it.")
    )
    citizen_seen_seq = models.PositiveIntegerField(default=0)
    citizen_left_at = models.DateTimeField(null=True, blank=True)
    wrap_up = models.CharField(max_length=32, blank=True)
    wrap_up_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Chat {self.contact.public_id}"

    @property
    def public_id(self) -> str:
        return str(self.contact.public_id)


class MessageKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    AGENT = "agent", _("Adviser")
    BOT = "bot", _("Assistant")
    SYSTEM = "system", _("System")
    NOTE = "note", _("Internal note")


# Kinds the citizen sees; notes are for staff only.
CITIZEN_VISIBLE_KINDS = (
    MessageKind.CITIZEN,
    MessageKind.AGENT,
    MessageKind.BOT,
    MessageKind.SYSTEM,
)


class Message(models.Model):
    """One message, stored (masked) with its number before anyone is told of it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The sender's own id for the message: sending it again never stores it twice.
    client_id = models.CharField(max_length=64, blank=True)
    body = models.TextField(help_text=_("Card and National Insurance numbers already masked."))
    masked = models.BooleanField(default=False)
    # Extra data for the widget: the article the bot used, offers, state changes.
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.kind}"


class ParticipantRole(models.TextChoices):
    AGENT = "agent", _("Adviser")
    SUPERVISOR = "supervisor", _("Supervisor")


class Participant(models.Model):
    """A member of staff in a conversation, from joining until leaving."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=ParticipantRole.choices)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    seen_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=models.Q(left_at__isnull=True),
                name="chat_one_open_participation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class WrapUp(models.TextChoices):
    """Why the citizen got in touch, as the agent records it on closing."""

    SIGN_IN = "sign-in", _("Signing in")
    IDENTITY = "identity", _("Proving identity")
    ACCOUNT_CHANGE = "account-change", _("Changing account details")
    FRAUD = "fraud", _("Fraud or security")
    COMPLAINT = "complaint", _("Complaint")
    INFORMATION = "information", _("General information")
    OTHER = "other", _("Something else")


class CannedResponse(models.Model):
    """A reply agents insert, managed by supervisors. ``{citizen_name}`` and ``{agent_name}``
    are filled in when it is inserted."""

    title = models.CharField(max_length=100)
    shortcut = models.SlugField(
        max_length=32, unique=True, help_text=_("Type /shortcut in the reply box to insert it.")
    )
    body = models.TextField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
