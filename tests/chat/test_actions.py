"""The chat's actions: numbering, idempotency, masking, the flow through routing and the bot,
and what agents and supervisors do."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from chat import actions, chatbot, hooks, selectors
from chat.actions import messages as messages_module
from chat.errors import ConversationClosed, EmptyMessage, MessageTooLong, NotPermitted
from chat.models import Conversation, Message, MessageKind, Participant
from chat.protocol import message_frame
from chat.transcripts import render_transcript
from contactcentre.models import AuditEvent, Contact, ContactStatus, Outcome
from contactcentre.roles import Role
from routing.models import AgentProfile, EntryStatus, OpeningSession, Presence, QueueEntry, Schedule
from tests.chat.conftest import FakeBot
from tests.factories import StaffFactory, UserFactory
from tests.routing.factories import AgentFactory

pytestmark = pytest.mark.django_db


def start(language: str = "en", citizen: Any = None) -> Conversation:
    return actions.start_conversation(citizen=citizen, language=language).conversation


def citizen_says(conversation: Conversation, body: str, client_id: str) -> actions.Posted:
    posted = actions.post_citizen_message(conversation, body=body, client_id=client_id)
    if posted.created:
        actions.handle_citizen_message(conversation.pk, posted.message.seq)
    conversation.refresh_from_db()
    conversation.contact.refresh_from_db()
    return posted


def bodies(conversation: Conversation) -> list[tuple[int, str, str]]:
    return list(conversation.messages.order_by("seq").values_list("seq", "kind", "body"))


def test_starting_a_conversation_opens_a_chat_contact_with_a_hashed_token() -> None:
    started = actions.start_conversation(citizen=None, language="cy")
    conversation = started.conversation
    assert conversation.contact.channel == "chat"
    assert conversation.contact.language == "cy"
    assert len(started.token) >= 40
    assert started.token not in conversation.token_hash
    assert conversation.token_hash == actions.hash_token(started.token)


@pytest.fixture(params=["one statement", "orm"])
def message_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on both ways of storing a message: one SQL statement (PostgreSQL) and the ORM
    queries other databases use."""
    if request.param == "orm":
        orm = messages_module._post_with_orm
        monkeypatch.setattr(messages_module, "_post_in_one_statement", orm)
    else:
        # PostgreSQL's own path: without it this fails in CI and skips elsewhere, as elsewhere.
        request.getfixturevalue("postgres")
    return str(request.param)


@pytest.mark.usefixtures("message_path")
def test_messages_are_numbered_in_order_and_a_repeated_client_id_is_stored_once() -> None:
    conversation = start()
    first = actions.post_message(conversation, kind=MessageKind.CITIZEN, body="a", client_id="c1")
    second = actions.post_message(conversation, kind=MessageKind.BOT, body="b")
    again = actions.post_message(conversation, kind=MessageKind.CITIZEN, body="a", client_id="c1")
    assert (first.message.seq, second.message.seq) == (1, 2)
    assert again.created is False
    assert again.message.pk == first.message.pk
    assert conversation.messages.count() == 2
    conversation.refresh_from_db()
    assert conversation.last_seq == 2


@pytest.mark.usefixtures("message_path")
def test_messages_are_masked_before_they_are_stored() -> None:
    conversation = start()
    posted = actions.post_message(
        conversation,
        kind=MessageKind.CITIZEN,
        body="card 4111 1111 1111 1111, NI QQ123456C and AB123456C",
        client_id="m",
    )
    stored = Message.objects.get(pk=posted.message.pk)
    assert "4111" not in stored.body
    assert "AB123456C" not in stored.body
    assert stored.masked is True


@pytest.mark.usefixtures("message_path")
def test_size_limit_and_empty_messages_are_refused(settings: Any) -> None:
    conversation = start()
    with pytest.raises(MessageTooLong):
        actions.post_message(conversation, kind=MessageKind.CITIZEN, body="x" * 2001)
    with pytest.raises(EmptyMessage):
        actions.post_message(conversation, kind=MessageKind.CITIZEN, body="   ")
    posted = actions.post_message(conversation, kind=MessageKind.CITIZEN, body="x" * 2000)
    assert posted.message.seq == 1


@pytest.mark.usefixtures("message_path")
def test_message_events_are_sent_only_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    conversation = start()
    with django_capture_on_commit_callbacks() as callbacks:
        actions.post_message(conversation, kind=MessageKind.CITIZEN, body="hi", client_id="x")
    assert len(callbacks) == 1


@pytest.mark.usefixtures("message_path")
def test_a_closed_conversation_takes_no_more_citizen_messages_but_staff_may_still_write() -> None:
    conversation = start()
    actions.post_message(conversation, kind=MessageKind.CITIZEN, body="hi", client_id="a")
    conversation.contact.status = ContactStatus.CLOSED
    conversation.contact.outcome = Outcome.RESOLVED
    conversation.contact.save(update_fields=["status", "outcome"])
    with pytest.raises(ConversationClosed):
        actions.post_citizen_message(conversation, body="still there?", client_id="b")
    posted = actions.post_message(conversation, kind=MessageKind.SYSTEM, body="Chat ended.")
    assert posted.message.seq == 2
    assert posted.message.kind == MessageKind.SYSTEM
    assert bodies(conversation) == [(1, "citizen", "hi"), (2, "system", "Chat ended.")]


@pytest.mark.usefixtures("message_path")
def test_a_stored_message_is_returned_as_stored(django_capture_on_commit_callbacks: Any) -> None:
    """What the one statement hands back (and sends to readers) is the row as stored."""
    conversation = start()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posted = actions.post_message(
            conversation, kind=MessageKind.BOT, body="See this", meta={"reply": {"article": "x"}}
        )
    stored = Message.objects.get(conversation=conversation, seq=1)
    assert posted.message.pk == stored.pk
    assert (posted.message.body, posted.message.meta) == (stored.body, stored.meta)
    assert posted.message.created_at == stored.created_at
    assert len(callbacks) == 1
    conversation.refresh_from_db()
    assert conversation.last_seq == 1


@pytest.mark.usefixtures("message_path")
def test_a_repeated_client_id_inside_a_transaction_leaves_it_usable() -> None:
    conversation = start()
    with transaction.atomic():
        first = actions.post_citizen_message(conversation, body="a", client_id="same")
        again = actions.post_citizen_message(conversation, body="a", client_id="same")
        after = actions.post_message(conversation, kind=MessageKind.BOT, body="b")
    assert again.created is False
    assert again.message.pk == first.message.pk
    assert after.message.seq == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("message_path")
def test_the_same_client_id_sent_at_once_from_many_connections_is_stored_once(
    postgres: None,
) -> None:
    """Six copies race (a flaky network resending on other sockets): one row, and every copy
    is answered with it."""
    conversation = start()
    barrier = threading.Barrier(6)
    results: list[actions.Posted] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            barrier.wait()
            results.append(
                actions.post_citizen_message(conversation, body="only once", client_id="dup")
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert conversation.messages.count() == 1
    assert sum(posted.created for posted in results) == 1
    assert {posted.message.pk for posted in results} == {conversation.messages.get().pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("message_path")
def test_concurrent_posts_get_distinct_consecutive_numbers(postgres: None) -> None:
    conversation = start()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                actions.post_message(
                    conversation, kind=MessageKind.CITIZEN, body=f"{n}-{i}", client_id=f"{n}-{i}"
                )
                # Every message is sent twice: the second never stores anything.
                actions.post_message(
                    conversation, kind=MessageKind.CITIZEN, body=f"{n}-{i}", client_id=f"{n}-{i}"
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seqs = sorted(conversation.messages.values_list("seq", flat=True))
    assert seqs == list(range(1, 61))


def test_a_general_question_goes_to_the_bot_which_answers(
    queues: Any, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "how do I reset my password", "q1")
    assert conversation.contact.status == ContactStatus.WITH_BOT
    assert bot.questions == [("how do I reset my password", "en", 0)]
    assert [kind for _s, kind, _b in bodies(conversation)] == ["citizen", "bot"]
    citizen_says(conversation, "and my email?", "q2")
    assert bot.questions[-1] == ("and my email?", "en", 1)  # the first turn went with it
    assert selectors.conversation_state(conversation)["state"] == "bot"


def test_asking_for_a_person_queues_the_chat_with_a_wait_and_assigns_an_agent(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "how do I reset my password", "q1")
        actions.request_adviser(conversation, timezone.now(), reason="asked")
    conversation.refresh_from_db()
    system = conversation.messages.filter(kind=MessageKind.SYSTEM).first()
    assert system is not None
    assert "queue for an adviser" in system.body
    entry = QueueEntry.objects.get(contact=conversation.contact)
    # The agent was free, so routing assigned the chat at once (after the commit).
    assert entry.status == EntryStatus.ASSIGNED
    assert entry.agent == agent
    state = selectors.conversation_state(Conversation.objects.get(pk=conversation.pk))
    assert state["state"] == "assigned"


def test_the_bot_hands_over_when_it_cannot_help(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    agent.presence = Presence.BUSY
    agent.save()
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "I am unsure about my thing", "q1")
    assert conversation.contact.status == ContactStatus.WAITING
    assert conversation.wait_high is not None
    state = selectors.conversation_state(conversation)
    assert state["state"] == "waiting"
    assert state["wait"] == {"low": conversation.wait_low, "high": conversation.wait_high}
    texts = [b for _s, _k, b in bodies(conversation)]
    assert any("The wait is" in t for t in texts)


def test_a_hand_over_with_guidance_shows_the_article_and_still_queues_the_chat(
    queues: Any,
    agent: AgentProfile,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The bot hands over and also gives an article to read while waiting (as it does for a
    # request for a person that asks a question too): both reach the citizen.
    reply = chatbot.BotReply(
        text="I'll pass you to an adviser.\nWhile you wait, this may help:\n"
        "Contact GovSign and opening hours: /help/contact-us/",
        article="contact-us",
        handoff=True,
        intent="person",
        link="/help/contact-us/",
        title="Contact GovSign and opening hours",
        reason="asked for a person",
    )
    monkeypatch.setattr(chatbot, "answer", lambda question, **kwargs: reply)
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "what time do you close", "q1")
    message = conversation.messages.get(kind=MessageKind.BOT)
    assert "/help/contact-us/" in message.body
    assert message_frame(message, "c", staff=False)["article"] == "contact-us"
    assert QueueEntry.objects.filter(contact=conversation.contact).exists()


def test_when_agents_are_closed_the_citizen_is_told_when_they_open_and_offered_the_webform(
    queues: Any, bot: FakeBot, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = Schedule.objects.create(slug="live-agents", name="Live agents")
    now = timezone.now()
    opens = (now + timedelta(days=2)).astimezone(timezone.get_current_timezone())
    OpeningSession.objects.create(
        schedule=schedule, weekday=opens.weekday(), opens="08:00", closes="20:00"
    )
    for queue in queues.values():
        queue.schedule = schedule
        queue.save()
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "can I talk to a person please", "q1")
    conversation.refresh_from_db()
    closed = conversation.messages.get(meta__event="agents_closed")
    assert "next available on" in closed.body
    assert "/forms/general/" in closed.body
    assert closed.meta["offers"][0]["url"] == "/forms/general/"
    assert conversation.agents_open_at is not None
    state = selectors.conversation_state(conversation)
    assert state["offers"] == [{"kind": "webform", "slug": "general", "url": "/forms/general/"}]


def test_a_written_only_request_is_offered_its_webform(
    queues: Any, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = start()
    with django_capture_on_commit_callbacks(execute=True):
        citizen_says(conversation, "I want to make a freedom of information request", "q1")
    assert conversation.offers == ["webform:foi"]
    assert "/forms/foi/" in conversation.messages.get(meta__event="webform").body


def assigned_chat(agent: AgentProfile, bot: FakeBot, capture: Any) -> Conversation:
    conversation = start()
    with capture(execute=True):
        citizen_says(conversation, "hello", "q1")
        actions.request_adviser(conversation, timezone.now(), reason="asked")
    conversation.refresh_from_db()
    return conversation


def test_agent_accepts_replies_and_closes_with_outcome_and_wrap_up(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
    closed: list[int] = []
    hooks.CLOSED_HANDLERS.append(lambda c: closed.append(c.pk))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.accept_conversation(conversation, agent.user, timezone.now())
            actions.staff_says(conversation, agent.user, body="Hi, I'm Sam", client_id="a1")
            state = selectors.conversation_state(Conversation.objects.get(pk=conversation.pk))
            assert state == state | {"state": "agent", "agent": "Sam"}
            actions.close_conversation(
                conversation,
                agent.user,
                timezone.now(),
                outcome=Outcome.RESOLVED,
                wrap_up="sign-in",
            )
    finally:
        hooks.CLOSED_HANDLERS.clear()
    conversation.refresh_from_db()
    conversation.contact.refresh_from_db()
    assert conversation.contact.status == ContactStatus.CLOSED
    assert conversation.contact.outcome == Outcome.RESOLVED
    assert conversation.contact.first_response_at is not None
    assert conversation.wrap_up == "sign-in"
    assert closed == [conversation.pk]
    agent.refresh_from_db()
    assert agent.active_contacts == 0
    assert QueueEntry.objects.get(contact=conversation.contact).status == EntryStatus.FINISHED
    with pytest.raises(ConversationClosed):
        actions.post_citizen_message(conversation, body="still there?", client_id="late")


def test_only_the_assigned_agent_can_accept_and_write(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
    other = AgentFactory(skills=list(queues.values()))
    with pytest.raises(NotPermitted):
        actions.accept_conversation(conversation, other.user, timezone.now())
    with pytest.raises(NotPermitted):
        actions.staff_says(conversation, other.user, body="hi", client_id="x")
    with pytest.raises(NotPermitted):
        selectors.conversation_for_staff(other.user, conversation.public_id)


def test_notes_are_for_staff_only(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
    actions.accept_conversation(conversation, agent.user, timezone.now())
    actions.add_note(conversation, agent.user, body="Checked ID", client_id="n1")
    citizen_view = [m.kind for m in selectors.messages_after(conversation.pk, 0, staff=False)]
    staff_view = [m.kind for m in selectors.messages_after(conversation.pk, 0, staff=True)]
    assert "note" not in citizen_view
    assert "note" in staff_view
    assert "Checked ID" not in render_transcript(conversation)
    assert "Checked ID" in render_transcript(conversation, for_staff=True)


def test_transfer_to_a_queue_and_to_an_agent(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
    actions.accept_conversation(conversation, agent.user, timezone.now())
    agent.presence = Presence.BUSY  # so the transfer is not given straight back
    agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transfer_conversation(
            conversation, agent.user, timezone.now(), queue=queues["identity"], note="ID issue"
        )
    entries = QueueEntry.objects.filter(contact=conversation.contact).order_by("id")
    assert [e.status for e in entries] == [EntryStatus.FINISHED, EntryStatus.WAITING]
    assert entries[1].queue.slug == "identity"
    note = conversation.messages.get(kind=MessageKind.NOTE)
    assert "Identity" in note.body
    assert "ID issue" in note.body

    # Another agent takes it from the queue, then hands it straight to a named colleague.
    second = AgentFactory(skills=[queues["identity"]], user__first_name="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_waiting()
    conversation.refresh_from_db()
    actions.accept_conversation(conversation, second.user, timezone.now())
    third = AgentFactory(skills=[queues["general"]], user__first_name="Bo")
    with django_capture_on_commit_callbacks(execute=True):
        actions.transfer_conversation(
            conversation, second.user, timezone.now(), to_agent=third.user
        )
    entry = QueueEntry.objects.filter(contact=conversation.contact).order_by("-id").first()
    assert entry is not None
    assert entry.agent == third
    assert entry.status == EntryStatus.ASSIGNED
    second.refresh_from_db()
    assert second.active_contacts == 0


def test_supervisor_joins_and_the_join_is_audited(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
    supervisor = StaffFactory(role=Role.SUPERVISOR, first_name="Priya")
    actions.join_as_supervisor(conversation, supervisor, timezone.now())
    assert Participant.objects.filter(conversation=conversation, user=supervisor).exists()
    assert AuditEvent.objects.filter(actor=supervisor, action="join_conversation").exists()
    with pytest.raises(NotPermitted):
        actions.join_as_supervisor(conversation, agent.user, timezone.now())


def test_citizen_ending_a_bot_chat_closes_it(queues: Any, bot: FakeBot) -> None:
    conversation = start()
    citizen_says(conversation, "how do I reset my password", "q1")
    actions.citizen_ends(conversation, timezone.now())
    conversation.contact.refresh_from_db()
    assert conversation.contact.status == ContactStatus.CLOSED


def test_an_idle_citizen_is_timed_out_but_not_while_waiting_for_an_answer(
    queues: Any, bot: FakeBot, settings: Any
) -> None:
    conversation = start()
    citizen_says(conversation, "how do I reset my password", "q1")
    later = timezone.now() + timedelta(minutes=settings.CHAT_INACTIVITY_MINUTES + 1)
    # The bot answered last and the citizen said nothing more: closed as abandoned.
    Message.objects.filter(conversation=conversation).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    assert actions.housekeeping(later)["timed_out"] == 1
    conversation.contact.refresh_from_db()
    assert conversation.contact.outcome == Outcome.ABANDONED

    waiting_for_us = start()
    actions.post_citizen_message(waiting_for_us, body="hello?", client_id="x")
    waiting_for_us.contact.status = ContactStatus.WITH_BOT
    waiting_for_us.contact.save()
    Conversation.objects.filter(pk=waiting_for_us.pk).update(handled_seq=1)  # the bot is slow
    assert actions.housekeeping(later)["timed_out"] == 0


def test_housekeeping_handles_a_message_a_dying_process_left(queues: Any, bot: FakeBot) -> None:
    conversation = start()
    actions.post_citizen_message(conversation, body="how do I reset my password", client_id="q")
    later = timezone.now() + timedelta(seconds=30)
    assert actions.housekeeping(later)["handled"] == 1
    assert actions.housekeeping(later)["handled"] == 0
    assert conversation.messages.filter(kind=MessageKind.BOT).count() == 1


def test_transcript_email_is_sent_with_the_masked_transcript(
    queues: Any, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    from contactcentre.celery import app

    conversation = start()
    citizen_says(conversation, "my card 4111 1111 1111 1111 got charged", "q1")
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.email_transcript(conversation, "me@example.org")
    finally:
        app.conf.task_always_eager = False
    assert len(mail.outbox) == 1
    attachment = mail.outbox[0].attachments[0]
    assert "4111" not in attachment[1]
    assert "You: my card" in attachment[1]


def test_citizen_access_needs_the_token_or_the_account() -> None:
    owner = UserFactory()
    started = actions.start_conversation(citizen=owner)
    public_id = started.conversation.public_id
    assert selectors.conversation_for_citizen(public_id, started.token).pk
    assert selectors.conversation_for_citizen(public_id, None, owner).pk
    for token, user in (("forged", None), (None, UserFactory()), ("", None)):
        with pytest.raises(NotPermitted):
            selectors.conversation_for_citizen(public_id, token, user)
    with pytest.raises(NotPermitted):
        selectors.conversation_for_citizen("not-a-uuid", started.token)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_adviser_writing_from_the_console_loop_must_be_in_the_chat(
    queues: Any, agent: AgentProfile, bot: FakeBot, django_capture_on_commit_callbacks: Any
) -> None:
    """``astaff_says`` (the console's path: one statement on an async connection where the
    database is PostgreSQL) stores, numbers, records the first response, refuses a second copy
    of a client id, and refuses once the adviser has left or the chat has closed."""

    @sync_to_async
    def accepted_chat() -> Conversation:
        conversation = assigned_chat(agent, bot, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            actions.accept_conversation(conversation, agent.user, timezone.now())
        return conversation

    conversation = await accepted_chat()
    says = actions.astaff_says
    first = await says(conversation.pk, agent.user, body="Hi, I'm Sam", client_id="s1")
    again = await says(conversation.pk, agent.user, body="Hi, I'm Sam", client_id="s1")
    assert first.created
    assert not again.created
    assert again.message.pk == first.message.pk
    stored = await Message.objects.aget(pk=first.message.pk)
    assert (stored.kind, stored.author_id) == ("agent", agent.user.pk)
    contact = await Contact.objects.aget(pk=conversation.contact_id)
    assert contact.first_response_at is not None

    someone_else = await sync_to_async(AgentFactory)(skills=list(queues.values()))
    with pytest.raises(NotPermitted):
        await says(conversation.pk, someone_else.user, body="Not mine", client_id="x1")
    participants = Participant.objects.filter(conversation=conversation)
    await participants.aupdate(left_at=timezone.now())
    with pytest.raises(NotPermitted):
        await says(conversation.pk, agent.user, body="After leaving", client_id="s2")
    await participants.aupdate(left_at=None)

    @sync_to_async
    def close() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            actions.close_conversation(
                conversation, agent.user, timezone.now(), outcome=Outcome.RESOLVED, wrap_up="x"
            )

    await close()
    with pytest.raises(ConversationClosed):
        await says(conversation.pk, agent.user, body="After closing", client_id="s3")
    assert not await Message.objects.filter(client_id__in=["x1", "s2", "s3"]).aexists()
