"""The citizen's chat pages: the full-page chat, the widget's strings, and the transcript.

The transcript views take the conversation's token in the POST body (never the URL, which
servers log). They are exempt from CSRF checks: a forged request cannot know the token, and
they change nothing but sending the citizen's own transcript to an address they give.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chat import actions, selectors
from chat.errors import NotPermitted
from chat.models import Conversation
from chat.transcripts import render_transcript, transcript_filename
from contactcentre.models import User

GENERAL_FORM = "general"
# One transcript email a conversation a minute.
EMAIL_INTERVAL_SECONDS = 60


def _citizen(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    """The full-page chat. Without JavaScript it offers the webform instead."""
    return render(
        request,
        "chat/page.html",
        {"webform_url": f"/forms/{GENERAL_FORM}/", "chat_config": _config()},
    )


def widget_strings() -> dict[str, str]:
    """Everything the widget says, in the active language."""
    return {
        "title": _("Chat with us"),
        "open": _("Chat with us"),
        "minimise": _("Minimise chat"),
        "log": _("Chat messages"),
        "you": _("You"),
        "assistant": _("Assistant"),
        "adviser": _("Adviser"),
        "system": _("Chat"),
        "label": _("Your message"),
        "hint": _("Do not include card numbers or passwords."),
        "send": _("Send"),
        "sending": _("Sending…"),
        "notSent": _("Not sent yet: it will be sent when you are back online."),
        "handoff": _("Talk to an adviser"),
        "end": _("End chat"),
        "stateNew": _("Ask a question to start"),
        "stateBot": _("Chatting with the assistant"),
        "stateWaiting": _("Waiting for an adviser"),
        "stateWaitingRange": _("Waiting: about %(low)s to %(high)s minutes"),
        "stateWaitingAbout": _("Waiting: about %(high)s minutes"),
        "stateWaitingShort": _("Waiting: less than a minute"),
        "stateAssigned": _("An adviser will be with you shortly"),
        "stateAgent": _("Chatting with %(name)s"),
        "stateClosed": _("Closed"),
        "typing": _("%(name)s is typing"),
        "offline": _("You are offline. We will reconnect when your connection is back."),
        "reconnecting": _("Reconnecting…"),
        "connected": _("Connected"),
        "inactiveTitle": _("Are you still there?"),
        "inactiveBody": _("The chat will close in %(seconds)s seconds if you do not reply."),
        "stay": _("Stay in chat"),
        "webform": _("Use our online form"),
        "guidance": _("Read our guidance"),
        "transcriptTitle": _("Get a copy of this chat"),
        "download": _("Download the transcript"),
        "emailLabel": _("Email address"),
        "emailSend": _("Email me the transcript"),
        "emailSent": _("We have sent the transcript to %(email)s."),
        "emailError": _("Enter an email address in the correct format, like name@example.com"),
        "tooLong": _("Your message must be %(max)s characters or fewer"),
        "rateLimited": _("You are sending messages too quickly. Wait a moment and try again."),
        "error": _("Something went wrong. Try again."),
        "charactersLeft": _("You have %(count)s characters remaining"),
        "charactersOver": _("You have %(count)s characters too many"),
        "closedBody": _("This chat has ended."),
        "newChat": _("Start a new chat"),
        "survey": _("Tell us how we did"),
    }


@require_GET
def widget_config(request: HttpRequest) -> JsonResponse:
    """What the embedded widget needs: its strings in the page's language and the URLs."""
    return JsonResponse(_config())


def _config() -> dict[str, object]:
    return {
        "language": get_language() or "en",
        "strings": widget_strings(),
        "socket": "/ws/chat/",
        "transcript": reverse("chat:transcript"),
        "email": reverse("chat:email_transcript"),
        "webform": f"/forms/{GENERAL_FORM}/",
        "maxChars": settings.CHAT_MAX_MESSAGE_CHARS,
    }


def _conversation_from_post(request: HttpRequest) -> Conversation:
    try:
        return selectors.conversation_for_citizen(
            request.POST.get("conversation"), request.POST.get("token"), _citizen(request)
        )
    except NotPermitted:
        raise Http404 from None


def _transcript_response(conversation: Conversation) -> HttpResponse:
    response = HttpResponse(
        render_transcript(conversation), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{transcript_filename(conversation)}"'
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def transcript(request: HttpRequest) -> HttpResponse:
    """The citizen's transcript as a plain-text download."""
    return _transcript_response(_conversation_from_post(request))


@login_required
@require_GET
def my_transcript(request: HttpRequest, public_id: str) -> HttpResponse:
    """A signed-in citizen's transcript of one of their own chats."""
    try:
        conversation = selectors.conversation_for_citizen(public_id, None, _citizen(request))
    except NotPermitted:
        raise Http404 from None
    return _transcript_response(conversation)


@csrf_exempt
@require_POST
def email_transcript(request: HttpRequest) -> HttpResponse:
    """Email the transcript to the address the citizen gives."""
    conversation = _conversation_from_post(request)
    address = request.POST.get("email", "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return HttpResponseBadRequest(_("Enter an email address in the correct format."))
    if not cache.add(f"chat:email:{conversation.pk}", 1, EMAIL_INTERVAL_SECONDS):
        return JsonResponse({"sent": False, "error": "rate_limited"}, status=429)
    actions.email_transcript(conversation, address)
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"sent": True})
    return render(request, "chat/email_sent.html", {"email": address})
