"""The websocket protocol end to end over the real ASGI stack (origin check, sessions, URL
router), with Channels' WebsocketCommunicator."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from psycopg_pool import PoolTimeout

from chat import actions, selectors
from chat.models import Conversation, Message, MessageKind
from contactcentre import realtime
from contactcentre.models import AuditEvent
from contactcentre.roles import Role
from routing.models import AgentProfile
from tests.chat.conftest import (
    Client,
    FakeBot,
    citizen_client,
    db_async,
    is_type,
    say_hello,
    session_cookie,
    staff_client,
)
from tests.factories import StaffFactory, UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def drain(client: Client) -> list[dict]:
    """Every frame already on its way (state frames may trail the messages)."""
    frames = []
    while not await client.nothing_more(0.5):
        frames.append(await client.receive())
    return frames


async def first_message(client: Client, body: str = "how do I reset my password") -> dict:
    """Say hello, send the first message; return the conversation frame (id and token)."""
    welcome = await say_hello(client)
    assert welcome["type"] == "welcome"
    assert welcome["conversation"] is None
    await client.send({"type": "message", "client_id": "c1", "body": body})
    conversation = await client.receive()
    assert conversation["type"] == "conversation"
    ack = await client.receive()
    assert ack == {"type": "ack", "client_id": "c1", "seq": 1, "duplicate": False}
    return conversation


async def answered_by_the_bot() -> tuple[Client, dict]:
    """A citizen connected, who has asked their first question and had the bot's answer."""
    client = citizen_client()
    await client.connect()
    started = await first_message(client)
    await client.receive_until(is_type("message", kind="bot"))
    return client, started


async def stored_with_client_id(conversation: str, client_id: str) -> int:
    """How many messages of the conversation carry this client id."""
    messages = Message.objects.filter(
        conversation__contact__public_id=conversation, client_id=client_id
    )
    return await db_async(messages.count)()


async def test_first_message_starts_a_conversation_and_the_bot_answers(bot: FakeBot, queues: Any):
    client = citizen_client()
    assert await client.connect()
    started = await first_message(client)
    frames = await client.receive_until(is_type("message", kind="bot"))
    messages = [f for f in frames if f["type"] == "message"]
    assert [(m["seq"], m["kind"]) for m in messages] == [(1, "citizen"), (2, "bot")]
    assert messages[0]["client_id"] == "c1"
    conversation = await db_async(Conversation.objects.get)(
        contact__public_id=started["conversation"]
    )
    assert conversation.token_hash == actions.hash_token(started["token"])
    await client.close()


async def test_reconnecting_client_receives_missed_messages_in_order(bot: FakeBot, queues: Any):
    client, started = await answered_by_the_bot()
    await client.close()

    # While the citizen is away, three more messages are stored.
    conversation = await db_async(Conversation.objects.get)(
        contact__public_id=started["conversation"]
    )
    for n in range(3):
        await db_async(actions.post_message)(conversation, kind=MessageKind.SYSTEM, body=f"m{n}")

    again = citizen_client()
    await again.connect()
    welcome = await say_hello(
        again, conversation=started["conversation"], token=started["token"], last_seq=2
    )
    assert welcome["conversation"] == started["conversation"]
    assert welcome["state"]["state"] == "bot"
    replayed = [await again.receive() for _ in range(3)]
    assert [(f["seq"], f["body"]) for f in replayed] == [(3, "m0"), (4, "m1"), (5, "m2")]
    assert await again.nothing_more()

    # Asking to resume from an earlier point sends those again, in order.
    await again.send({"type": "resume", "last_seq": 3})
    assert [(await again.receive())["seq"] for _ in range(2)] == [4, 5]
    await again.close()


async def test_resending_a_client_id_never_duplicates(bot: FakeBot, queues: Any):
    client, started = await answered_by_the_bot()
    await client.send({"type": "message", "client_id": "c1", "body": "how do I reset my password"})
    assert await client.receive() == {"type": "ack", "client_id": "c1", "seq": 1, "duplicate": True}
    await client.close()

    # The same id after a reconnect (the client never saw its ack) is still stored once.
    again = citizen_client()
    await again.connect()
    await say_hello(again, conversation=started["conversation"], token=started["token"], last_seq=2)
    await again.send({"type": "message", "client_id": "c2", "body": "second"})
    await again.send({"type": "message", "client_id": "c2", "body": "second"})
    acks = [
        f for f in await again.receive_until(is_type("ack", duplicate=True)) if f["type"] == "ack"
    ]
    assert [(a["seq"], a["duplicate"]) for a in acks] == [(3, False), (3, True)]
    assert await stored_with_client_id(started["conversation"], "c2") == 1
    await again.close()


async def test_acks_arrive_by_client_id_and_seen_acks_may_come_out_of_order(
    bot: FakeBot, queues: Any
):
    client = citizen_client()
    await client.connect()
    started = await first_message(client)
    for n in range(2, 6):
        await client.send({"type": "message", "client_id": f"c{n}", "body": f"message {n}"})
    frames = await client.receive_until(
        lambda f: f["type"] == "ack" and f["client_id"] == "c5", timeout=10
    )
    acks = {f["client_id"]: f["seq"] for f in frames if f["type"] == "ack"}
    assert sorted(acks) == ["c2", "c3", "c4", "c5"]
    assert len(set(acks.values())) == 4

    # The client acknowledges what it has shown, out of order: the highest counts.
    for seq in (5, 3, 4):
        await client.send({"type": "seen", "seq": seq})
    await client.send({"type": "ping"})
    await client.receive_until(is_type("pong"))
    conversation = await db_async(Conversation.objects.get)(
        contact__public_id=started["conversation"]
    )
    assert conversation.citizen_seen_seq == 5
    await client.close()


async def test_a_forged_token_is_refused_and_the_connection_stays_usable(bot: FakeBot, queues: Any):
    client = citizen_client()
    await client.connect()
    started = await first_message(client)
    await client.close()

    intruder = citizen_client()
    await intruder.connect()
    # One character changed (a fixed replacement would equal the real one 1 time in 16: the
    # last character of a 32-byte token takes only 16 values).
    last = started["token"][-1]
    near_miss = started["token"][:-1] + ("B" if last != "B" else "C")
    for forged in ("x" * 43, near_miss, "", None):
        refused = await say_hello(intruder, conversation=started["conversation"], token=forged)
        assert refused["type"] == "error"
        assert refused["code"] == "not_permitted"
    # Sending into it without a hello is refused too.
    await intruder.send({"type": "message", "client_id": "x", "body": "hi"})
    assert (await intruder.receive())["code"] == "hello_first"
    # The same connection can still say hello with the right token.
    welcome = await say_hello(
        intruder, conversation=started["conversation"], token=started["token"]
    )
    assert welcome["type"] == "welcome"
    await intruder.close()


async def test_nobody_reads_or_writes_another_citizens_conversation(bot: FakeBot, queues: Any):
    owner, other = await db_async(UserFactory)(), await db_async(UserFactory)()
    alice = citizen_client()
    await alice.connect()
    alice_chat = await first_message(alice)
    await alice.close()

    # Bob has a conversation and token of his own: they do not open Alice's.
    bob = citizen_client()
    await bob.connect()
    bob_chat = await first_message(bob)
    await bob.close()
    bob_again = citizen_client()
    await bob_again.connect()
    refused = await say_hello(
        bob_again, conversation=alice_chat["conversation"], token=bob_chat["token"]
    )
    assert refused["code"] == "not_permitted"
    await bob_again.close()

    # A signed-in citizen's chat opens with their session, not with someone else's.
    started = await db_async(actions.start_conversation)(citizen=owner)
    public_id = started.conversation.public_id
    mine = Client("/ws/chat/", [await db_async(session_cookie)(owner)])
    await mine.connect()
    assert (await say_hello(mine, conversation=public_id))["type"] == "welcome"
    await mine.close()
    theirs = Client("/ws/chat/", [await db_async(session_cookie)(other)])
    await theirs.connect()
    assert (await say_hello(theirs, conversation=public_id))["code"] == "not_permitted"
    await theirs.close()


async def test_oversized_and_malformed_frames_get_errors_and_the_connection_stays_usable(
    bot: FakeBot, queues: Any
):
    client = citizen_client()
    await client.connect()
    await client.send("not json")
    assert (await client.receive())["code"] == "malformed"
    await say_hello(client)
    cases: list[tuple[Any, str]] = [
        ("{", "malformed"),
        ("[1, 2]", "malformed"),
        ({"no": "type"}, "malformed"),
        ({"type": "launch"}, "unknown_type"),
        ({"type": "message", "body": "no client id"}, "malformed"),
        ({"type": "message", "client_id": "a b", "body": "bad id"}, "malformed"),
        ({"type": "message", "client_id": "n", "body": 42}, "malformed"),
        ({"type": "message", "client_id": "e", "body": "   "}, "empty"),
        ({"type": "message", "client_id": "big", "body": "x" * 2001}, "too_long"),
        ("x" * 100_000, "too_large"),
        ({"type": "seen", "seq": -1}, "no_conversation"),
    ]
    for frame, code in cases:
        await client.send(frame)
        error = await client.receive()
        assert (error["type"], error["code"]) == ("error", code), frame
    await client.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await client.receive())["code"] == "malformed"
    too_long = {"type": "message", "client_id": "big", "body": "x" * 2001}
    await client.send(too_long)
    error = await client.receive()
    assert error["client_id"] == "big"
    assert error["max_chars"] == 2000
    # Still usable: a proper message starts the conversation.
    await client.send({"type": "message", "client_id": "ok", "body": "x" * 2000})
    assert (await client.receive())["type"] == "conversation"
    assert (await client.receive())["type"] == "ack"
    await client.close()


async def test_a_message_refused_while_the_database_is_saturated_can_be_sent_again(
    bot: FakeBot, queues: Any, monkeypatch: pytest.MonkeyPatch
):
    client, started = await answered_by_the_bot()
    stores = actions.apost_citizen_message

    async def no_connection_free(*args: Any, **kwargs: Any) -> Any:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr(actions, "apost_citizen_message", no_connection_free)
    await client.send({"type": "message", "client_id": "c2", "body": "are you there?"})
    error = await client.receive()
    assert error["code"] == "busy"
    assert error["client_id"] == "c2"
    assert error["retry_after"] > 0
    # Sent again (as the widget and the console do after retry_after): stored once.
    monkeypatch.setattr(actions, "apost_citizen_message", stores)
    await client.send({"type": "message", "client_id": "c2", "body": "are you there?"})
    ack = (await client.receive_until(is_type("ack")))[-1]
    assert (ack["client_id"], ack["duplicate"]) == ("c2", False)
    assert await stored_with_client_id(started["conversation"], "c2") == 1
    await client.close()


async def test_card_and_national_insurance_numbers_are_masked_for_everyone(
    bot: FakeBot, queues: Any
):
    client = citizen_client()
    await client.connect()
    started = await first_message(client, "my card 4111-1111-1111-1111 and NI AB 12 34 56 C")
    echo = (await client.receive_until(is_type("message", kind="citizen")))[-1]
    assert "4111" not in echo["body"]
    assert "AB 12" not in echo["body"]
    assert echo["masked"] is True
    stored = await db_async(Message.objects.get)(
        conversation__contact__public_id=started["conversation"], seq=1
    )
    assert "4111" not in stored.body
    # Anything the bot was asked was masked too.
    assert "4111" not in bot.questions[0][0]
    await client.close()


async def test_rate_limit_per_connection_and_per_ip(bot: FakeBot, queues: Any, settings: Any):
    settings.CHAT_RATE_BURST = 3
    settings.CHAT_RATE_PER_SECOND = 0.001
    client = citizen_client()
    await client.connect()
    await first_message(client)  # hello and one message: two of the burst of three
    await client.send({"type": "message", "client_id": "c2", "body": "two"})
    await client.send({"type": "message", "client_id": "c3", "body": "three"})
    frames = await client.receive_until(is_type("error"))
    assert frames[-1]["code"] == "rate_limited"
    assert frames[-1]["client_id"] == "c3"
    await client.close()

    settings.CHAT_RATE_BURST = 100
    settings.CHAT_RATE_PER_IP_PER_MINUTE = 2
    await db_async(cache.clear)()
    other = citizen_client()
    other.communicator.scope["client"] = ["192.0.2.7", 50000]
    await other.connect()
    await first_message(other)  # the first of this IP's two a minute (the cache was cleared)
    await other.send({"type": "message", "client_id": "c2", "body": "two"})
    await other.send({"type": "message", "client_id": "c3", "body": "three"})
    frames = await other.receive_until(is_type("error"))
    assert frames[-1]["code"] == "rate_limited"
    await other.close()


async def test_a_lost_wakeup_is_recovered_from_the_database(
    bot: FakeBot, queues: Any, monkeypatch: pytest.MonkeyPatch
):
    client, started = await answered_by_the_bot()
    conversation = await db_async(Conversation.objects.get)(
        contact__public_id=started["conversation"]
    )
    await drain(client)
    # A ping with nothing missed reads no messages: only the conversation's last number.
    reads: list[int] = []
    real_messages_after = selectors.messages_after

    def counting(conversation_id: int, seq: int, *, staff: bool) -> Any:
        reads.append(seq)
        return real_messages_after(conversation_id, seq, staff=staff)

    monkeypatch.setattr(selectors, "messages_after", counting)
    await client.send({"type": "ping"})
    assert [f["type"] for f in await client.receive_until(is_type("pong"))] == ["pong"]
    assert reads == []
    # The channel layer drops the event for this message.
    monkeypatch.setattr(realtime, "send_event_on_commit", lambda *args: None)
    await db_async(actions.post_message)(conversation, kind=MessageKind.SYSTEM, body="lost")
    assert await client.nothing_more()
    await client.send({"type": "ping"})
    frames = await client.receive_until(is_type("pong"))
    assert [(f["seq"], f["body"]) for f in frames if f["type"] == "message"] == [(3, "lost")]
    assert reads == [2]
    await client.close()


async def test_websockets_from_another_origin_or_path_are_refused():
    from channels.testing import WebsocketCommunicator

    from contactcentre.asgi import application

    evil = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await evil.connect()
    assert not connected
    await evil.disconnect()
    nowhere = Client("/ws/nowhere/")
    assert not await nowhere.connect()
    await nowhere.close()


async def test_unsupported_protocol_version_is_refused():
    client = citizen_client()
    await client.connect()
    error = await say_hello(client, v=99)
    assert error["code"] == "unsupported_version"
    assert error["supported"] == [1]
    assert (await say_hello(client))["type"] == "welcome"
    await client.close()


async def test_the_token_is_never_logged(
    bot: FakeBot, queues: Any, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    client, started = await answered_by_the_bot()
    await client.close()
    assert started["token"] not in caplog.text


async def test_staff_socket_needs_a_signed_in_agent_with_a_second_factor(settings: Any):
    settings.STAFF_MFA_REQUIRED = True
    agent = await db_async(StaffFactory)(role=Role.AGENT)
    without_app = Client("/ws/chat/staff/", [await db_async(session_cookie)(agent)])
    assert not await without_app.connect()
    citizen = await db_async(UserFactory)()
    refused = Client("/ws/chat/staff/", [await db_async(session_cookie)(citizen)])
    assert not await refused.connect()
    anonymous = Client("/ws/chat/staff/")
    assert not await anonymous.connect()


async def test_agent_is_offered_the_chat_accepts_and_they_talk_both_ways(
    bot: FakeBot, queues: Any, agent: AgentProfile
):
    agent_user = await db_async(lambda: agent.user)()
    console = await staff_client(agent_user)
    assert await console.connect()
    welcome = await say_hello(console)
    assert welcome["conversations"] == []

    citizen = citizen_client()
    await citizen.connect()
    started = await first_message(citizen, "can I talk to a person please")
    public_id = started["conversation"]
    await citizen.send({"type": "handoff"})
    await citizen.receive_until(
        lambda f: f["type"] == "state" and f["state"] in ("waiting", "assigned")
    )

    # Routing assigns it: the console gets the chat with everything said so far.
    frames = await console.receive_until(is_type("assigned"))
    summary = next(f for f in frames if f["type"] == "conversation")
    assert summary["conversation"] == public_id
    assert summary["accepted"] is False
    assert any(f["type"] == "message" and f["kind"] == "citizen" for f in frames)

    await console.send({"type": "accept", "conversation": public_id})
    state = await citizen.receive_until(is_type("state", state="agent"))
    assert state[-1]["agent"] == "Sam"
    await console.send(
        {"type": "message", "conversation": public_id, "client_id": "a1", "body": "Hello, I'm Sam"}
    )
    got = await citizen.receive_until(is_type("message", kind="agent"))
    assert got[-1]["body"] == "Hello, I'm Sam"
    assert got[-1]["author"] == "Sam"
    assert "client_id" not in got[-1]

    await console.send(
        {"type": "note", "conversation": public_id, "client_id": "n1", "body": "secret note"}
    )
    await console.receive_until(is_type("message", kind="note"))
    await citizen.send({"type": "typing", "active": True})
    typing = await console.receive_until(is_type("typing"))
    assert typing[-1]["who"] == "citizen"
    await citizen.send({"type": "message", "client_id": "c9", "body": "Thanks Sam"})
    seen = await console.receive_until(is_type("message", kind="citizen", body="Thanks Sam"))
    assert seen[-1]["conversation"] == public_id
    # The note never reached the citizen.
    frames = await citizen.receive_until(is_type("message", body="Thanks Sam"))
    assert not any(f.get("kind") == "note" for f in frames)

    await console.send(
        {"type": "close", "conversation": public_id, "outcome": "resolved", "wrap_up": "sign-in"}
    )
    closed = await citizen.receive_until(is_type("state", state="closed"))
    assert closed[-1]["outcome"] == "resolved"
    await console.receive_until(is_type("removed"))
    assert await db_async(
        AuditEvent.objects.filter(actor=agent_user, action="view_conversation").exists
    )()
    await citizen.close()
    await console.close()


async def test_an_agent_cannot_touch_a_chat_that_is_not_theirs(
    bot: FakeBot, queues: Any, agent: AgentProfile
):
    started = await db_async(actions.start_conversation)(citizen=None)
    outsider = await db_async(StaffFactory)(role=Role.AGENT)
    console = await staff_client(outsider)
    await console.connect()
    await say_hello(console)
    public_id = started.conversation.public_id
    for frame in (
        {"type": "accept", "conversation": public_id},
        {"type": "message", "conversation": public_id, "client_id": "x", "body": "hi"},
        {"type": "resume", "conversation": public_id, "last_seq": 0},
        {"type": "join", "conversation": public_id},
    ):
        await console.send(frame)
        assert (await console.receive())["code"] == "not_permitted", frame
    await console.close()


async def test_supervisor_joins_a_live_chat(bot: FakeBot, queues: Any):
    supervisor = await db_async(StaffFactory)(role=Role.SUPERVISOR, first_name="Priya")
    citizen = citizen_client()
    await citizen.connect()
    started = await first_message(citizen)
    console = await staff_client(supervisor)
    await console.connect()
    await say_hello(console)
    await console.send({"type": "join", "conversation": started["conversation"]})
    frames = await console.receive_until(is_type("message", event="supervisor_joined"))
    assert frames[0]["type"] in ("conversation", "live", "message", "state")
    told = await citizen.receive_until(is_type("message", event="supervisor_joined"))
    assert "Priya" in told[-1]["body"]
    await console.send(
        {
            "type": "message",
            "conversation": started["conversation"],
            "client_id": "s1",
            "body": "Hi from Priya",
        }
    )
    await citizen.receive_until(is_type("message", body="Hi from Priya"))
    await citizen.close()
    await console.close()


async def test_a_console_with_many_chats_gets_each_summary_and_what_it_missed_on_hello(
    bot: FakeBot, queues: Any
):
    supervisor = await db_async(StaffFactory)(role=Role.SUPERVISOR, first_name="Priya")

    def joined_chats() -> list[Conversation]:
        chats = []
        for n in range(4):
            conversation = actions.start_conversation(citizen=None).conversation
            for m in range(2):
                body = f"chat {n} line {m}"
                actions.post_citizen_message(conversation, body=body, client_id=f"c{m}")
            actions.join_as_supervisor(conversation, supervisor, timezone.now())
            chats.append(conversation)
        return chats

    chats = await db_async(joined_chats)()  # three messages each: two lines and the join
    ids = [str(c.public_id) for c in chats]
    console = await staff_client(supervisor)
    await console.connect()
    # It had seen everything of the first chat and one message of the second.
    welcome = await say_hello(console, seen={ids[0]: 3, ids[1]: 1})
    assert welcome["conversations"] == ids
    frames = await console.receive_until(
        lambda f: f["type"] == "message" and f["conversation"] == ids[3] and f["seq"] == 3
    )
    opened = [
        (f["conversation"], f["type"], f.get("seq"))
        for f in frames
        if f["type"] in ("conversation", "message")
    ]
    assert opened == [
        (ids[0], "conversation", None),
        (ids[1], "conversation", None),
        (ids[1], "message", 2),
        (ids[1], "message", 3),
        (ids[2], "conversation", None),
        *((ids[2], "message", seq) for seq in (1, 2, 3)),
        (ids[3], "conversation", None),
        *((ids[3], "message", seq) for seq in (1, 2, 3)),
    ]
    summaries = [f for f in frames if f["type"] == "conversation"]
    assert [s["unread"] for s in summaries] == [3, 3, 3, 3]
    assert all(s["accepted"] is False and s["last_seq"] == 3 for s in summaries)
    # Every chat opened on this connection is an audited view.
    audited = await db_async(
        lambda: AuditEvent.objects.filter(actor=supervisor, action="view_conversation").count()
    )()
    assert audited == 4
    # The console follows every chat it opened.
    await db_async(actions.post_citizen_message)(chats[2], body="one more", client_id="c9")
    more = await console.receive_until(is_type("message", body="one more"))
    assert more[-1]["conversation"] == ids[2]
    assert more[-1]["seq"] == 4
    await console.close()
