"""The periodic sweep (Celery beat, every 30 seconds): nothing is left half done."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from chat.actions.flow import assign_waiting, handle_citizen_message, refresh_wait_estimates
from chat.actions.staff import close_inactive
from chat.models import CITIZEN_VISIBLE_KINDS, Conversation, Message, MessageKind
from contactcentre.models import ContactStatus

# A citizen message the flow has not handled after this long was dropped by a dying process.
UNHANDLED_AFTER = timedelta(seconds=10)
# Chats that wait on the citizen, and so can time out.
TIMES_OUT = (ContactStatus.WITH_BOT, ContactStatus.IN_PROGRESS, ContactStatus.AWAITING_CITIZEN)


def housekeeping(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "handled": handle_leftover_messages(now),
        "timed_out": close_timed_out(now),
        "assigned": len(assign_waiting(now)),
        "waits_changed": refresh_wait_estimates(now),
    }


def handle_leftover_messages(now: datetime) -> int:
    leftovers = (
        Message.objects.filter(
            kind=MessageKind.CITIZEN,
            conversation__contact__status__in=(ContactStatus.NEW, ContactStatus.WITH_BOT),
            created_at__lt=now - UNHANDLED_AFTER,
        )
        .values("conversation_id")
        .annotate(latest=Max("seq"))
    )
    count = 0
    for row in leftovers:
        conversation = Conversation.objects.only("handled_seq").get(pk=row["conversation_id"])
        if row["latest"] > conversation.handled_seq:
            handle_citizen_message(row["conversation_id"], row["latest"], now)
            count += 1
    return count


def close_timed_out(now: datetime) -> int:
    """Close chats whose citizen has not answered for ``CHAT_INACTIVITY_MINUTES`` (the widget
    warned them ``CHAT_INACTIVITY_WARNING_SECONDS`` before, with a way to stay)."""
    cutoff = now - timedelta(minutes=settings.CHAT_INACTIVITY_MINUTES)
    candidates = Conversation.objects.select_related("contact").filter(
        contact__status__in=TIMES_OUT, citizen_active_at__lt=cutoff, citizen_left_at__isnull=True
    )
    count = 0
    for conversation in candidates:
        if conversation.contact.status != ContactStatus.WITH_BOT and conversation.agent_id is None:
            continue  # assigned but not yet accepted: the citizen is waiting for us
        last = (
            Message.objects.filter(conversation=conversation, kind__in=CITIZEN_VISIBLE_KINDS)
            .order_by("-seq")
            .first()
        )
        if last is None or last.kind == MessageKind.CITIZEN or last.created_at >= cutoff:
            continue  # the citizen is waiting for an answer, or it is recent
        close_inactive(conversation, now)
        count += 1
    return count
