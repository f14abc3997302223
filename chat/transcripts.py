"""A conversation as plain text: what the citizen downloads or is emailed, and staff read.

Bodies are stored masked, so card and National Insurance numbers never appear here either.
Internal notes appear only in the staff version.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat.models import CITIZEN_VISIBLE_KINDS, Conversation, Message, MessageKind


def speaker(message: Message, *, for_staff: bool) -> str:
    if message.kind == MessageKind.CITIZEN:
        return _("Citizen") if for_staff else _("You")
    if message.kind == MessageKind.BOT:
        return _("Assistant")
    if message.kind == MessageKind.SYSTEM:
        return _("Chat")
    name = message.author.display_name if message.author else _("an adviser")
    if message.kind == MessageKind.NOTE:
        return _("Internal note by %(name)s") % {"name": name}
    return name


def transcript_messages(conversation: Conversation, *, for_staff: bool) -> Iterable[Message]:
    messages = conversation.messages.select_related("author").order_by("seq")
    if not for_staff:
        messages = messages.filter(kind__in=CITIZEN_VISIBLE_KINDS)
    return messages


def render_transcript(conversation: Conversation, *, for_staff: bool = False) -> str:
    """The transcript in the conversation's language, times in UK time."""
    with translation.override(conversation.language):
        contact = conversation.contact
        started = timezone.localtime(contact.created_at)
        lines = [
            _("Chat transcript"),
            _("Reference: %(ref)s") % {"ref": contact.public_id},
            _("Started: %(when)s") % {"when": started.strftime("%d/%m/%Y %H:%M")},
            "",
        ]
        for message in transcript_messages(conversation, for_staff=for_staff):
            at = timezone.localtime(message.created_at).strftime("%H:%M")
            who = speaker(message, for_staff=for_staff)
            body = message.body.replace("\r\n", "\n").replace("\n", "\n    ")
            lines.append(f"[{at}] {who}: {body}")
        return "\n".join(lines) + "\n"


def transcript_filename(conversation: Conversation) -> str:
    return f"chat-{str(conversation.contact.public_id)[:8]}.txt"
