"""Sending a citizen their transcript by email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import Conversation
from chat.transcripts import render_transcript, transcript_filename


def email_transcript(conversation: Conversation, address: str) -> None:
    """Queue the transcript for ``address`` (sent by a Celery task once this commits)."""
    from chat.tasks import send_transcript_email

    transaction.on_commit(lambda: send_transcript_email.delay(conversation.pk, address))


def deliver_transcript_email(conversation_id: int, address: str) -> None:
    conversation = Conversation.objects.select_related("contact").get(pk=conversation_id)
    with translation.override(conversation.language):
        email = EmailMessage(
            subject=_("Your chat with %(service)s") % {"service": settings.SERVICE_NAME},
            body=_("The transcript of your chat is attached.") + "\n",
            to=[address],
        )
        email.attach(
            transcript_filename(conversation), render_transcript(conversation), "text/plain"
        )
        email.send()
