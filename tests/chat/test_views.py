"""The chat's pages: the full-page chat, transcripts (token in the body, never the URL), the
console workspace and presence, audit-logged staff views, and the supervisors' live view."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from chat import actions
from chat.models import MessageKind
from contactcentre.models import AuditEvent
from contactcentre.roles import Role
from routing.models import AgentProfile, Presence
from tests.chat.conftest import FakeBot
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat() -> actions.Started:
    started = actions.start_conversation(citizen=None)
    actions.post_message(
        started.conversation, kind=MessageKind.CITIZEN, body="card 4111111111111111", client_id="a"
    )
    actions.post_message(started.conversation, kind=MessageKind.NOTE, body="staff only")
    return started


def staff_client(role: Role = Role.AGENT, **fields: Any) -> tuple[Client, Any]:
    user = StaffFactory(role=role, **fields)
    client = Client()
    client.force_login(user)
    return client, user


def test_chat_page_works_without_javascript_by_offering_the_webform(client: Client) -> None:
    response = client.get("/chat/")
    assert response.status_code == 200
    assert b'href="/forms/general/"' in response.content
    assert b'id="chat-config"' in response.content
    config = client.get("/chat/widget.json").json()
    assert config["socket"] == "/ws/chat/"
    assert config["maxChars"] == 2000
    assert config["strings"]["stateBot"] == "Chatting with the assistant"


def test_transcript_download_needs_the_token_and_hides_notes_and_card_numbers(
    client: Client, chat: actions.Started
) -> None:
    public_id = chat.conversation.public_id
    response = client.post("/chat/transcript/", {"conversation": public_id, "token": chat.token})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "You: card ••••" in text
    assert "4111" not in text
    assert "staff only" not in text
    wrong = client.post("/chat/transcript/", {"conversation": public_id, "token": "nope"})
    assert wrong.status_code == 404
    assert client.get("/chat/transcript/").status_code == 405


def test_signed_in_citizen_downloads_their_own_transcript_only(client: Client) -> None:
    owner, other = UserFactory(), UserFactory()
    started = actions.start_conversation(citizen=owner)
    client.force_login(owner)
    assert client.get(f"/chat/transcript/{started.conversation.public_id}/").status_code == 200
    client.force_login(other)
    assert client.get(f"/chat/transcript/{started.conversation.public_id}/").status_code == 404


def test_transcript_email_is_queued_once_a_minute(
    client: Client, chat: actions.Started, django_capture_on_commit_callbacks: Any
) -> None:
    from contactcentre.celery import app

    data = {"conversation": chat.conversation.public_id, "token": chat.token}
    assert client.post("/chat/transcript/email/", {**data, "email": "nope"}).status_code == 400
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/chat/transcript/email/",
                {**data, "email": "me@example.org"},
                HTTP_ACCEPT="application/json",
            )
    finally:
        app.conf.task_always_eager = False
    assert response.json() == {"sent": True}
    assert mail.outbox[0].to == ["me@example.org"]
    again = client.post("/chat/transcript/email/", {**data, "email": "me@example.org"})
    assert again.status_code == 429


def test_console_workspace_is_for_agents(client: Client, settings: Any) -> None:
    settings.STAFF_MFA_REQUIRED = False
    assert client.get("/console/chat/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/console/chat/").status_code == 403
    agent_client, _agent = staff_client()
    response = agent_client.get("/console/chat/")
    assert response.status_code == 200
    assert b"chat-console-config" in response.content
    home = agent_client.get("/console/")
    assert b"Live chat" in home.content
    assert b"Open your chats" in home.content


def test_becoming_available_takes_a_waiting_chat(
    settings: Any, queues: Any, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STAFF_MFA_REQUIRED = False
    agent_client, agent = staff_client(first_name="Sam")
    profile = AgentProfile.objects.create(user=agent, presence=Presence.BUSY)
    profile.skills.set(queues.values())
    started = actions.start_conversation(citizen=None)
    with django_capture_on_commit_callbacks(execute=True):
        posted = actions.post_citizen_message(started.conversation, body="hi", client_id="a")
        actions.handle_citizen_message(started.conversation.pk, posted.message.seq)
        actions.request_adviser(started.conversation, timezone.now(), reason="asked")
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post("/console/chat/presence/", {"presence": "available"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.presence == Presence.AVAILABLE
    assert profile.active_contacts == 1


def test_staff_views_of_a_conversation_are_audit_logged(
    settings: Any, chat: actions.Started
) -> None:
    settings.STAFF_MFA_REQUIRED = False
    public_id = chat.conversation.public_id
    agent_client, _agent = staff_client()
    assert agent_client.get(f"/console/chat/{public_id}/").status_code == 404  # not theirs
    supervisor_client, supervisor = staff_client(Role.SUPERVISOR)
    page = supervisor_client.get(f"/console/chat/{public_id}/")
    assert page.status_code == 200
    assert "staff only" in page.content.decode()
    assert "4111" not in page.content.decode()
    transcript = supervisor_client.get(f"/console/chat/{public_id}/transcript.txt")
    assert "Internal note" in transcript.content.decode()
    assert supervisor_client.get(f"/console/chat/{public_id}/context/").status_code == 200
    actions_logged = set(
        AuditEvent.objects.filter(actor=supervisor).values_list("action", flat=True)
    )
    assert actions_logged == {"view_conversation", "download_transcript"}
    assert AuditEvent.objects.filter(actor=supervisor, action="view_conversation").count() == 2


def test_supervisors_see_live_chats_and_queues_and_join(
    settings: Any, chat: actions.Started, queues: Any
) -> None:
    settings.STAFF_MFA_REQUIRED = False
    agent_client, _agent = staff_client()
    assert agent_client.get("/console/chat/live/").status_code == 403
    supervisor_client, supervisor = staff_client(Role.SUPERVISOR)
    live = supervisor_client.get("/console/chat/live/")
    assert live.status_code == 200
    assert chat.conversation.public_id[:8] in live.content.decode()
    joined = supervisor_client.post(f"/console/chat/{chat.conversation.public_id}/join/")
    assert joined.status_code == 302
    assert AuditEvent.objects.filter(actor=supervisor, action="join_conversation").exists()
