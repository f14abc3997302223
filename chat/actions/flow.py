"""Where a conversation goes: routing on the first message, the chatbot's answers, the hand-over
to the agent queue with its wait estimate, assignment, and what to say when agents are closed.

``handle_citizen_message`` runs after the citizen's message is stored and acknowledged, so a slow
answer never delays the acknowledgement. It is idempotent: ``Conversation.handled_seq`` records
the latest citizen message dealt with, under the conversation's row lock, and the housekeeping
task runs it again for any message left unhandled (say, a web process died in between).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chat import chatbot, events
from chat.actions.messages import post_message
from chat.models import Conversation, Message, MessageKind
from contactcentre.actions import transition_contact
from contactcentre.models import Channel, ContactStatus
from routing import selectors as routing_selectors
from routing.actions import Assignment, assign_next, route_contact
from routing.choices import Destination, Topic
from routing.hours import next_opening
from routing.models import Closure, EntryStatus, QueueEntry, RoutingDecision
from routing.policy import ContactDescription

# How many recent citizen messages describe the contact when it is routed again.
DESCRIPTION_MESSAGES = 5
# Assignments made in one go, so one call never runs for ever.
ASSIGN_BATCH = 100


def handle_citizen_message(conversation_id: int, seq: int, now: datetime | None = None) -> None:
    """Route the first message; let the chatbot answer while the chat is with it."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("contact")
            .get(pk=conversation_id)
        )
        if seq <= conversation.handled_seq:
            return
        message = Message.objects.get(conversation=conversation, seq=seq)
        Conversation.objects.filter(pk=conversation.pk).update(handled_seq=seq)
        conversation.handled_seq = seq
        with translation.override(conversation.language):
            status = conversation.contact.status
            if status == ContactStatus.NEW:
                _route_first_message(conversation, message.body, now)
            elif status == ContactStatus.WITH_BOT:
                bot_answers(conversation, message.body, now)


def _description(conversation: Conversation, text: str, **extra: Any) -> ContactDescription:
    return ContactDescription(text=text, language=conversation.language, **extra)


def _route_first_message(conversation: Conversation, text: str, now: datetime) -> None:
    decision = route_contact(conversation.contact, _description(conversation, text), now)
    if decision.destination == Destination.AGENT:
        _tell_waiting(conversation, decision, now)
        return
    transition_contact(conversation.contact, ContactStatus.WITH_BOT, reason="routed to the chatbot")
    events.state_changed(conversation.pk)
    if decision.destination == Destination.WEBFORM and _written_only(decision):
        _offer_webform(conversation, decision)
        return
    if decision.destination == Destination.WEBFORM or decision.offers:
        _tell_agents_closed(conversation, decision, now)
    bot_answers(conversation, text, now)


def _written_only(decision: RoutingDecision) -> bool:
    """The topic itself goes to a webform (say an FOI request), not for want of agents."""
    route = routing_selectors.policy_config(with_model=False).routes.get(decision.topic)
    return route is not None and route.destination == Destination.WEBFORM


def bot_answers(conversation: Conversation, question: str, now: datetime) -> None:
    """The chatbot answers ``question``; if it cannot help, the chat goes to an adviser."""
    reply = chatbot.answer(
        question, language=conversation.language, previous=_bot_turns(conversation)
    )
    post_message(
        conversation,
        kind=MessageKind.BOT,
        body=reply.text,
        meta={"reply": dataclasses.asdict(reply)},
    )
    if reply.handoff:
        request_adviser(conversation, now, reason="the assistant handed over")


def _bot_turns(conversation: Conversation) -> list[chatbot.BotTurn]:
    """Earlier questions and the bot's replies, oldest first."""
    turns = []
    question = None
    fields = {f.name for f in dataclasses.fields(chatbot.BotReply)}
    for message in Message.objects.filter(
        conversation=conversation, kind__in=(MessageKind.CITIZEN, MessageKind.BOT)
    ).order_by("seq"):
        if message.kind == MessageKind.CITIZEN:
            question = message.body
        elif question is not None and "reply" in message.meta:
            reply = {k: v for k, v in message.meta["reply"].items() if k in fields}
            turns.append(chatbot.BotTurn(question=question, reply=chatbot.BotReply(**reply)))
            question = None
    return turns


@transaction.atomic
def request_adviser(conversation: Conversation, now: datetime, *, reason: str) -> None:
    """The citizen asked for a person (or the bot handed over): queue the chat for an adviser,
    or say when advisers are next available and offer the webform."""
    contact = conversation.contact
    contact.refresh_from_db(fields=["status"])
    if contact.status != ContactStatus.WITH_BOT:
        return  # already waiting, with an adviser, or closed
    texts = list(
        Message.objects.filter(conversation=conversation, kind=MessageKind.CITIZEN)
        .order_by("-seq")
        .values_list("body", flat=True)[:DESCRIPTION_MESSAGES]
    )
    description = _description(
        conversation, "\n".join(reversed(texts)), needs=frozenset({Topic.PERSON})
    )
    with translation.override(conversation.language):
        decision = route_contact(contact, description, now)
        if decision.destination == Destination.AGENT:
            _tell_waiting(conversation, decision, now)
        else:
            _tell_agents_closed(conversation, decision, now)


def _tell_waiting(conversation: Conversation, decision: RoutingDecision, now: datetime) -> None:
    wait = routing_selectors.availability_snapshot(now).of(decision.queue).wait
    low, high = (wait.low_minutes, wait.high_minutes) if wait else (None, None)
    offers = list(decision.offers)
    Conversation.objects.filter(pk=conversation.pk).update(
        wait_low=low, wait_high=high, offers=offers, agents_open_at=None
    )
    conversation.wait_low, conversation.wait_high, conversation.offers = low, high, offers
    text = _("You're in the queue for an adviser.")
    if low is not None and high is not None:
        text = f"{text} {describe_wait(low, high)}"
    if offers:
        text = f"{text} {_('You can also use our online form instead of waiting.')}"
    post_message(
        conversation,
        kind=MessageKind.SYSTEM,
        body=text,
        meta={"event": "waiting", "wait": [low, high], "offers": offer_links(offers)},
    )
    events.state_changed(conversation.pk)
    transaction.on_commit(assign_waiting)


def describe_wait(low: int, high: int) -> str:
    """ "The wait is about 5 to 10 minutes." in the active language."""
    if high <= 1:
        return _("The wait is under a minute.")
    if low == high:
        return ngettext(
            "The wait is about %(high)d minute.", "The wait is about %(high)d minutes.", high
        ) % {"high": high}
    return _("The wait is about %(low)d to %(high)d minutes.") % {"low": low, "high": high}


def _offer_webform(conversation: Conversation, decision: RoutingDecision) -> None:
    offers = [f"webform:{decision.form}"]
    Conversation.objects.filter(pk=conversation.pk).update(offers=offers)
    conversation.offers = offers
    url = form_url(decision.form)
    post_message(
        conversation,
        kind=MessageKind.SYSTEM,
        body=_("This needs to be sent to us in writing. Please use our online form: %(url)s")
        % {"url": url},
        meta={"event": "webform", "offers": offer_links(offers)},
    )


def _tell_agents_closed(
    conversation: Conversation, decision: RoutingDecision, now: datetime
) -> None:
    """No adviser can take the chat: when they open, and the webform."""
    opens = agents_next_open(now)
    offers = list(decision.offers) or ([f"webform:{decision.form}"] if decision.form else [])
    Conversation.objects.filter(pk=conversation.pk).update(
        offers=offers, agents_open_at=opens, wait_low=None, wait_high=None
    )
    conversation.offers, conversation.agents_open_at = offers, opens
    if opens is not None and opens > now:
        when = formats.date_format(timezone.localtime(opens), "l j F, H:i")
        text = _("Our advisers are not available now. They are next available on %(when)s.") % {
            "when": when
        }
    else:
        text = _("No adviser is free to chat at the moment.")
    webforms = [o for o in offers if o.startswith("webform:")]
    if webforms:
        url = form_url(webforms[0].removeprefix("webform:"))
        form_text = _("You can send us your question with our online form: %(url)s") % {"url": url}
        text = f"{text} {form_text}"
    text = f"{text} {_('You can keep asking the assistant here.')}"
    post_message(
        conversation,
        kind=MessageKind.SYSTEM,
        body=text,
        meta={
            "event": "agents_closed",
            "opens": opens.isoformat() if opens else None,
            "offers": offer_links(offers),
        },
    )
    events.state_changed(conversation.pk)


def agents_next_open(now: datetime) -> datetime | None:
    """When the published live-chat hours next start (now, if open now)."""
    schedule = routing_selectors.live_agent_schedule()
    if schedule is None:
        return None
    hours = routing_selectors.opening_hours_of(schedule, list(Closure.objects.all()))
    return next_opening(hours, now)


def form_url(slug: str) -> str:
    return f"/forms/{slug}/"


def offer_links(offers: list[str]) -> list[dict[str, str]]:
    """Offers as links the widget shows: webforms at /forms/<slug>/, guidance at /help/<slug>/."""
    links = []
    for offer in offers:
        kind, _sep, slug = offer.partition(":")
        if kind == "webform" and slug:
            links.append({"kind": kind, "slug": slug, "url": form_url(slug)})
        elif kind == "guidance" and slug:
            links.append({"kind": kind, "slug": slug, "url": f"/help/{slug}/"})
    return links


def assign_waiting(now: datetime | None = None) -> list[Assignment]:
    """Give waiting contacts to free agents (routing's rules), and tell each chat's citizen.

    Run after a chat is queued, and whenever an agent frees up or becomes available. Each
    assignment is its own transaction.
    """
    assignments = []
    for _n in range(ASSIGN_BATCH):
        assignment = assign_next(now or timezone.now())
        if assignment is None:
            break
        assignments.append(assignment)
        if assignment.entry.contact.channel == Channel.CHAT:
            _assigned(assignment)
    if assignments:
        refresh_wait_estimates(now or timezone.now())
    return assignments


@transaction.atomic
def _assigned(assignment: Assignment) -> None:
    conversation = Conversation.objects.filter(contact_id=assignment.entry.contact_id).first()
    if conversation is None:
        return
    Conversation.objects.filter(pk=conversation.pk).update(wait_low=None, wait_high=None)
    events.state_changed(conversation.pk)


@transaction.atomic
def refresh_wait_estimates(now: datetime) -> int:
    """Recompute the wait shown to every waiting chat; wake those whose range changed."""
    waiting = QueueEntry.objects.filter(
        status=EntryStatus.WAITING, contact__channel=Channel.CHAT
    ).values_list("contact_id", "queue__slug")
    queues = dict(waiting)
    if not queues:
        return 0
    availability = routing_selectors.availability_snapshot(now)
    changed = 0
    for conversation in Conversation.objects.filter(contact_id__in=queues):
        wait = availability.of(queues[conversation.contact_id]).wait
        low, high = (wait.low_minutes, wait.high_minutes) if wait else (None, None)
        if (low, high) != (conversation.wait_low, conversation.wait_high):
            Conversation.objects.filter(pk=conversation.pk).update(wait_low=low, wait_high=high)
            events.state_changed(conversation.pk)
            changed += 1
    return changed


def inactivity_limit_seconds() -> int:
    return int(settings.CHAT_INACTIVITY_MINUTES) * 60
