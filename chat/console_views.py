"""The agent console's chat pages: the chat workspace, presence, a conversation's context and
transcript (each view audit-logged), and the supervisors' live view."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat import actions, selectors
from chat.errors import NotPermitted
from chat.models import Conversation, WrapUp
from chat.transcripts import render_transcript, transcript_filename
from contactcentre.access import staff_page
from contactcentre.actions import record_audit_event
from contactcentre.models import Outcome, User
from contactcentre.roles import Role
from routing.actions import set_presence
from routing.models import AgentProfile, Presence, Queue, RoutingDecision


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _conversation(request: HttpRequest, public_id: str) -> Conversation:
    try:
        return selectors.conversation_for_staff(_user(request), public_id)
    except NotPermitted:
        raise Http404 from None


@staff_page(Role.AGENT)
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """My chats, side by side in tabs; the console script fills it over the websocket."""
    user = _user(request)
    profile = AgentProfile.objects.filter(user=user).first()
    canned = [
        {"title": c.title, "shortcut": c.shortcut, "body": c.body, "language": c.language}
        for c in selectors.canned_responses()
    ]
    agents = [
        {"id": p.user_id, "name": p.user.get_full_name() or p.user.email}
        for p in AgentProfile.objects.select_related("user")
        .filter(presence=Presence.AVAILABLE)
        .exclude(user=user)
    ]
    config = {
        "socket": "/ws/chat/staff/",
        "agentName": user.display_name,
        "canned": canned,
        "queues": [{"slug": q.slug, "name": q.name} for q in Queue.objects.order_by("name")],
        "agents": agents,
        "outcomes": [{"value": v, "label": str(label)} for v, label in Outcome.choices],
        "wrapUps": [{"value": v, "label": str(label)} for v, label in WrapUp.choices],
        "contextUrl": "/console/chat/{id}/context/",
        "capacity": profile.capacity if profile else 3,
    }
    return render(
        request,
        "chat/console.html",
        {
            "config": config,
            "strings": console_strings(),
            "profile": profile,
            "presences": Presence.choices,
        },
    )


def console_strings() -> dict[str, str]:
    return {
        "noChats": _("No chats yet. Set your status to Available to take chats."),
        "newChat": _("New chat assigned to you"),
        "accept": _("Accept chat"),
        "send": _("Send"),
        "message": _("Reply"),
        "messages": _("Messages"),
        "note": _("Internal note (the citizen will not see it)"),
        "noteLabel": _("Internal note"),
        "canned": _("Canned responses"),
        "cannedSearch": _("Search canned responses (Alt+R, or type / and a shortcut)"),
        "insert": _("Insert"),
        "transfer": _("Transfer"),
        "transferTo": _("Transfer to"),
        "transferNote": _("Note for the next adviser"),
        "close": _("Close chat"),
        "outcome": _("Outcome"),
        "wrapUp": _("Reason for contact"),
        "closeNote": _("Wrap-up note"),
        "unread": _("unread"),
        "citizen": _("Citizen"),
        "you": _("You"),
        "assistant": _("Assistant"),
        "system": _("Chat"),
        "typing": _("The citizen is typing"),
        "reconnecting": _("Reconnecting…"),
        "closed": _("Closed"),
        "queue": _("Queue"),
        "agent": _("Adviser"),
        "sound": _("Play a sound for new chats"),
        "waitingAccept": _("Assigned to you: accept it to start chatting"),
        "chatting": _("Chatting"),
        "error": _("That did not work: %(message)s"),
        "sending": _("Not sent yet: it will be sent when the connection is back"),
        "notSent": _("Not sent: %(message)s"),
    }


@staff_page(Role.AGENT)
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    """The agent says whether they can take chats; becoming available may bring one at once."""
    user = _user(request)
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    value = request.POST.get("presence", "")
    if value in Presence.values:
        set_presence(profile, Presence(value), timezone.now())
        if value == Presence.AVAILABLE:
            actions.assign_waiting()
    return redirect(request.POST.get("next") or "chat_console:workspace")


@staff_page(Role.AGENT)
@require_GET
def context(request: HttpRequest, public_id: str) -> HttpResponse:
    """Beside a chat: who the citizen is, their earlier contacts, the routing reasons."""
    conversation = _conversation(request, public_id)
    record_audit_event(_user(request), "view_conversation", conversation.contact, via="context")
    decision = (
        RoutingDecision.objects.filter(contact=conversation.contact)
        .order_by("-decided_at", "-id")
        .first()
    )
    return render(
        request,
        "chat/console_context.html",
        {
            "conversation": conversation,
            "contact": conversation.contact,
            "earlier": selectors.earlier_contacts(conversation),
            "decision": decision,
        },
    )


@staff_page(Role.AGENT)
@require_GET
def conversation_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """A conversation's full transcript, notes included."""
    conversation = _conversation(request, public_id)
    record_audit_event(_user(request), "view_conversation", conversation.contact, via="page")
    messages = conversation.messages.select_related("author").order_by("seq")
    return render(
        request,
        "chat/console_conversation.html",
        {
            "conversation": conversation,
            "contact": conversation.contact,
            "messages": messages,
            "earlier": selectors.earlier_contacts(conversation),
        },
    )


@staff_page(Role.AGENT)
@require_GET
def staff_transcript(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(request, public_id)
    record_audit_event(_user(request), "download_transcript", conversation.contact)
    response = HttpResponse(
        render_transcript(conversation, for_staff=True), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{transcript_filename(conversation)}"'
    return response


@staff_page(Role.SUPERVISOR)
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """Every live conversation and queue, for supervisors."""
    conversations = [
        (conversation, selectors.conversation_state(conversation))
        for conversation in selectors.live_conversations()[:500]
    ]
    return render(
        request,
        "chat/console_live.html",
        {"conversations": conversations, "queues": selectors.queue_summaries()},
    )


@staff_page(Role.SUPERVISOR)
@require_POST
def join(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(request, public_id)
    try:
        actions.join_as_supervisor(conversation, _user(request), timezone.now())
    except NotPermitted:
        raise Http404 from None
    return redirect("chat_console:workspace")
