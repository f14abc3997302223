"""Websocket consumers of the chat protocol (docs/chat-protocol.md).

Thin, as STYLE.md asks: parse a frame, check it, call one action or selector through
``database_sync_to_async``, send frames. Messages reach a client only from the database: a
``chat.message`` event says "look after seq N", and the consumer sends what it reads, in
sequence order, so a lost event is made good by the next one, by a ``ping`` or by ``resume``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from psycopg_pool import PoolTimeout

from chat import actions, events, selectors
from chat.models import CITIZEN_VISIBLE_KINDS, Conversation
from chat.protocol import (
    SUPPORTED_VERSIONS,
    VERSION,
    FrameError,
    body_of,
    client_id_of,
    dumps,
    error_frame,
    message_frame,
    parse_frame,
    seq_of,
    text_of,
)
from chat.ratelimit import TokenBucket, connection_bucket, ip_allows
from contactcentre import realtime
from contactcentre.access import needs_second_factor
from contactcentre.actions import record_audit_events
from contactcentre.errors import ContactCentreError
from contactcentre.models import ContactStatus, Outcome, User
from contactcentre.roles import WORK_CONTACTS
from routing.models import Queue

logger = logging.getLogger(__name__)


# ORM work runs in the thread pool, not the single thread-sensitive thread: consumers share no
# connection state, and one slow query must not hold up every socket in the process. The
# wake-ups it commits are sent from the consumer's own loop as soon as it returns.
db = realtime.in_worker_thread


Handler = Callable[[dict[str, Any]], Awaitable[None]]
# Frames that count against the sender's rate limit.
LIMITED = frozenset({"message", "note", "hello", "handoff", "end"})
TYPING_INTERVAL = 0.5
# After a ``busy`` error, when a client sends the refused frame again.
BUSY_RETRY_SECONDS = 2
FLOW_STATUSES = frozenset({ContactStatus.NEW, ContactStatus.WITH_BOT})


class ProtocolConsumer(AsyncWebsocketConsumer):
    """Frame parsing, error frames, rate limiting and dispatch to ``frame_<type>`` methods."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' own dispatch first closes stale Django connections on the thread-sensitive
        thread, a hop to a thread for every frame and every wake-up. Our consumers touch the
        ORM only through ``db``, which does that on its own worker thread, and the hot paths
        not at all: so no hop here."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.greeted = False
        self.bucket = connection_bucket()
        self.typing_bucket = TokenBucket(3, 1 / TYPING_INTERVAL)
        await self.accept()

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=dumps(frame))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_frame(error_frame(code, message, **extra))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame: dict[str, Any] = {}
        try:
            frame = parse_frame(text_data, bytes_data)
            kind = frame["type"]
            handler: Handler | None = getattr(self, f"frame_{kind}", None)
            if handler is None:
                raise FrameError("unknown_type", f"Unknown frame type {kind!r}.")
            if kind != "hello" and not self.greeted:
                raise FrameError("hello_first", "Send a 'hello' frame first.")
            if kind in LIMITED and not self.bucket.take():
                raise FrameError(
                    "rate_limited",
                    "Too many messages: wait a moment.",
                    retry_after=self.bucket.retry_after(),
                    client_id=_client_id_or_none(frame),
                )
            await handler(frame)
        except FrameError as error:
            await self.send_error(error.code, str(error), **error.extra)
        except ContactCentreError as error:
            await self.send_error(error.code, str(error), client_id=_client_id_or_none(frame))
        except Exception as error:
            if not _waited_for_database(error):
                logger.exception("chat frame failed")
                await self.send_error("server_error", "Something went wrong: try again.")
                return
            # Overloaded, not broken: nothing was stored, and the client sends it again.
            logger.warning("chat frame refused: no database connection free in time")
            await self.send_error(
                "busy",
                "The service is busy: trying again in a moment.",
                retry_after=BUSY_RETRY_SECONDS,
                client_id=_client_id_or_none(frame),
            )

    def check_version(self, frame: dict[str, Any]) -> None:
        if frame.get("v") not in SUPPORTED_VERSIONS:
            raise FrameError(
                "unsupported_version",
                f"This server speaks protocol version {VERSION}.",
                supported=list(SUPPORTED_VERSIONS),
            )

    async def frame_ping(self, frame: dict[str, Any]) -> None:
        await self.catch_up_all()
        await self.send_frame({"type": "pong"})

    async def catch_up_all(self) -> None:
        """Overridden: send whatever was stored and not yet sent (reading messages only where
        a conversation's last number is past what was sent)."""

    def client_ip(self) -> str:
        client = self.scope.get("client")
        return str(client[0]) if client else ""


class CitizenConsumer(ProtocolConsumer):
    """One citizen's widget. It knows at most one conversation, proven by its token (or by the
    citizen's signed-in account)."""

    async def connect(self) -> None:
        self.conversation: Conversation | None = None
        self.public_id = ""
        self.language = "en"
        self.sent_seq = 0
        await super().connect()

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(
                events.conversation_group(self.conversation.pk), self.channel_name
            )

    def user(self) -> User | None:
        user = self.scope.get("user")
        return user if isinstance(user, User) and user.is_authenticated else None

    async def attach(self, conversation: Conversation, after: int) -> None:
        self.conversation = conversation
        self.public_id = conversation.public_id
        self.sent_seq = after
        await self.channel_layer.group_add(
            events.conversation_group(conversation.pk), self.channel_name
        )

    # --- frames from the widget ---------------------------------------------------------

    async def frame_hello(self, frame: dict[str, Any]) -> None:
        self.check_version(frame)
        if self.greeted:
            raise FrameError("already_greeted", "This connection has already said hello.")
        language = frame.get("language")
        self.language = language if isinstance(language, str) and language in ("en", "cy") else "en"
        state = None
        if frame.get("conversation"):
            after = seq_of(frame, "last_seq", 0)
            conversation = await db(selectors.conversation_for_citizen)(
                frame.get("conversation"), frame.get("token"), self.user()
            )
            # A client cannot have seen more than there is: never skip what is still to come.
            await self.attach(conversation, min(after, conversation.last_seq))
            state = await self.read_state()
        self.greeted = True
        await self.send_frame(
            {
                "type": "welcome",
                "v": VERSION,
                "conversation": self.public_id or None,
                "state": state,
                "limits": {"max_chars": settings.CHAT_MAX_MESSAGE_CHARS},
                "inactivity": {
                    "after": int(settings.CHAT_INACTIVITY_MINUTES) * 60,
                    "warning": int(settings.CHAT_INACTIVITY_WARNING_SECONDS),
                },
            }
        )
        if self.conversation is not None:
            await self.catch_up()

    async def frame_message(self, frame: dict[str, Any]) -> None:
        client_id = client_id_of(frame)
        body = body_of(frame, client_id)
        if not body.strip():
            raise FrameError("empty", "A message needs some text.", client_id=client_id)
        if not ip_allows(self.client_ip()):
            raise FrameError(
                "rate_limited",
                "Too many messages from your network: wait a minute.",
                retry_after=60,
                client_id=client_id,
            )
        if self.conversation is None:
            started = await db(actions.start_conversation)(
                citizen=self.user(), language=self.language
            )
            await self.attach(started.conversation, 0)
            await self.send_frame(
                {"type": "conversation", "conversation": self.public_id, "token": started.token}
            )
        conversation = self.require_conversation()
        try:
            posted = await actions.apost_citizen_message(
                conversation, body=body, client_id=client_id
            )
        except ContactCentreError as error:
            raise FrameError(error.code, str(error), client_id=client_id) from None
        await self.send_frame(
            {
                "type": "ack",
                "client_id": client_id,
                "seq": posted.message.seq,
                "duplicate": not posted.created,
            }
        )
        if posted.created and conversation.contact.status in FLOW_STATUSES:
            # Routing and the bot follow a citizen's message while no person has the chat.
            await db(actions.handle_citizen_message)(
                posted.message.conversation_id, posted.message.seq
            )

    async def frame_resume(self, frame: dict[str, Any]) -> None:
        """Send again everything after ``last_seq`` (the client noticed a gap)."""
        self.require_conversation()
        self.sent_seq = seq_of(frame, "last_seq")
        await self.catch_up()

    async def frame_handoff(self, frame: dict[str, Any]) -> None:
        conversation = self.require_conversation()
        await db(actions.request_adviser)(
            conversation, timezone.now(), reason="the citizen asked for an adviser"
        )

    async def frame_typing(self, frame: dict[str, Any]) -> None:
        conversation = self.require_conversation()
        if not self.typing_bucket.take():
            return
        await self.channel_layer.group_send(
            events.conversation_group(conversation.pk),
            {
                "type": "chat.typing",
                "conversation": conversation.pk,
                "who": "citizen",
                "name": None,
                "active": bool(frame.get("active", True)),
                "sender": self.channel_name,
            },
        )

    async def frame_seen(self, frame: dict[str, Any]) -> None:
        conversation = self.require_conversation()
        await db(actions.citizen_saw)(conversation, seq_of(frame))

    async def frame_stay(self, frame: dict[str, Any]) -> None:
        conversation = self.require_conversation()
        await db(actions.citizen_stays)(conversation, timezone.now())
        await self.send_frame({"type": "stayed"})

    async def frame_end(self, frame: dict[str, Any]) -> None:
        conversation = self.require_conversation()
        await db(actions.citizen_ends)(conversation, timezone.now())

    def require_conversation(self) -> Conversation:
        if self.conversation is None:
            raise FrameError("no_conversation", "Send a message to start a conversation first.")
        return self.conversation

    # --- wake-ups from the channel layer ------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        seq = event["seq"]
        text = event.get("text")
        if seq == self.sent_seq + 1 and text is not None:
            # The next in sequence, stored before this event was sent: no need to read it.
            self.sent_seq = seq
            if event["kind"] in CITIZEN_KINDS:
                await self.send(text_data=event.get("citizen_text", text))
        elif seq > self.sent_seq:
            await self.catch_up(upto=seq)

    async def chat_state(self, event: dict[str, Any]) -> None:
        if self.conversation is not None:
            await self.send_frame({"type": "state", **(await self.read_state())})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("sender") != self.channel_name and event.get("who") == "agent":
            await self.send_frame(
                {
                    "type": "typing",
                    "who": "agent",
                    "name": event.get("name"),
                    "active": event["active"],
                }
            )

    async def catch_up(self, upto: int = 0) -> None:
        assert self.conversation is not None
        messages = await db(selectors.messages_after)(
            self.conversation.pk, self.sent_seq, staff=False
        )
        for message in messages:
            if message.seq > self.sent_seq:
                await self.send_frame(message_frame(message, self.public_id, staff=False))
                self.sent_seq = message.seq
        # Internal notes are not sent, but count as seen: they were committed before the event.
        self.sent_seq = max(self.sent_seq, upto)

    async def catch_up_all(self) -> None:
        if self.conversation is not None:
            pk = self.conversation.pk
            last = (await selectors.last_seqs([pk])).get(pk, 0)
            if last > self.sent_seq:
                await self.catch_up(upto=last)

    async def read_state(self) -> dict[str, Any]:
        assert self.conversation is not None
        conversation = await db(selectors.load_conversation)(self.conversation.pk)
        self.conversation = conversation
        return {"conversation": self.public_id, **selectors.conversation_state(conversation)}


def _staff_writes(
    staff: User,
    public_id: object,
    action: Callable[..., actions.Posted],
    body: str,
    client_id: str,
) -> tuple[Conversation, actions.Posted]:
    """Find the conversation (theirs to see) and write in it: one trip to the database thread
    for every message an agent sends."""
    conversation = selectors.conversation_for_staff(staff, public_id)
    return conversation, action(conversation, staff, body=body, client_id=client_id)


class StaffConsumer(ProtocolConsumer):
    """An agent's (or supervisor's) console: every chat assigned to them or that they joined."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = isinstance(user, User) and await db(_staff_allowed)(user)
        if not allowed:
            await self.close(code=4403)
            return
        assert isinstance(user, User)
        self.staff = user
        self.supervisor = await db(selectors.is_supervisor)(user)
        self.open: dict[int, str] = {}  # conversation pk -> public id
        self.open_by_id: dict[str, int] = {}  # public id -> conversation pk
        self.sent: dict[int, int] = {}  # conversation pk -> last seq sent
        await self.channel_layer.group_add(events.agent_group(user.pk), self.channel_name)
        if self.supervisor:
            await self.channel_layer.group_add(events.LIVE_GROUP, self.channel_name)
        await super().connect()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "staff"):
            return
        await self.channel_layer.group_discard(events.agent_group(self.staff.pk), self.channel_name)
        await self.channel_layer.group_discard(events.LIVE_GROUP, self.channel_name)
        for pk in list(self.open):
            await self.channel_layer.group_discard(events.conversation_group(pk), self.channel_name)

    async def frame_hello(self, frame: dict[str, Any]) -> None:
        self.check_version(frame)
        seen = frame.get("seen") or {}
        if not isinstance(seen, dict):
            raise FrameError("malformed", "'seen' maps conversation ids to sequence numbers.")
        conversations = await db(selectors.agent_conversations)(self.staff)
        self.greeted = True
        await self.send_frame(
            {
                "type": "welcome",
                "v": VERSION,
                "conversations": [c.public_id for c in conversations],
                "limits": {"max_chars": settings.CHAT_MAX_MESSAGE_CHARS},
            }
        )
        await self.attach_all([(c, _whole_number(seen.get(c.public_id, 0))) for c in conversations])

    async def attach(self, conversation: Conversation, after: int = 0) -> None:
        await self.attach_all([(conversation, after)])

    async def attach_all(self, chats: list[tuple[Conversation, int]]) -> None:
        """Start following conversations: each one's summary, then its messages after
        ``after``, all read together once the console is in their groups (so no wake-up is
        missed in between): a few queries for a console's hundred chats, not five a chat."""
        new: list[int] = []
        for conversation, after in chats:
            pk = conversation.pk
            after = min(after, conversation.last_seq)
            if pk not in self.open:
                new.append(pk)
            self.open[pk] = conversation.public_id
            self.open_by_id[conversation.public_id] = pk
            self.sent[pk] = min(after, self.sent.get(pk, after))
        for pk in new:
            await self.channel_layer.group_add(events.conversation_group(pk), self.channel_name)
        wanted = {conversation.pk: self.sent[conversation.pk] for conversation, _after in chats}
        for chat in await db(_open_chats)(self.staff, wanted, new):
            pk = chat.conversation.pk
            summary = _summary_of(chat.conversation, self.staff, chat.unread)
            await self.send_frame({"type": "conversation", **summary})
            public_id = self.open.get(pk, "")
            for message in chat.messages:
                if message.seq > self.sent.get(pk, 0):
                    await self.send_frame(message_frame(message, public_id, staff=True))
                    self.sent[pk] = message.seq

    async def detach(self, pk: int) -> None:
        public_id = self.open.pop(pk, None)
        self.open_by_id.pop(public_id or "", None)
        self.sent.pop(pk, None)
        await self.channel_layer.group_discard(events.conversation_group(pk), self.channel_name)
        if public_id:
            await self.send_frame({"type": "removed", "conversation": public_id})

    async def conversation_of(self, frame: dict[str, Any]) -> Conversation:
        return await db(selectors.conversation_for_staff)(self.staff, frame.get("conversation"))

    # --- frames from the console --------------------------------------------------------

    async def frame_accept(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        await db(actions.accept_conversation)(conversation, self.staff, timezone.now())

    async def frame_message(self, frame: dict[str, Any]) -> None:
        public_id = str(frame.get("conversation"))
        pk = self.open_by_id.get(public_id)
        if pk is None:
            # Not one this console follows: look it up (and check access) the long way.
            await self.write(frame, actions.staff_says)
            return
        # One it follows: the statement itself checks they are still in it.
        client_id = client_id_of(frame)
        body = body_of(frame, client_id)
        try:
            posted = await actions.astaff_says(pk, self.staff, body=body, client_id=client_id)
        except ContactCentreError as error:
            raise FrameError(error.code, str(error), client_id=client_id) from None
        await self.send_ack(public_id, client_id, posted)

    async def frame_note(self, frame: dict[str, Any]) -> None:
        await self.write(frame, actions.add_note)

    async def write(self, frame: dict[str, Any], action: Callable[..., actions.Posted]) -> None:
        client_id = client_id_of(frame)
        body = body_of(frame, client_id)
        try:
            conversation, posted = await db(_staff_writes)(
                self.staff, frame.get("conversation"), action, body, client_id
            )
        except ContactCentreError as error:
            raise FrameError(error.code, str(error), client_id=client_id) from None
        await self.send_ack(conversation.public_id, client_id, posted)

    async def send_ack(self, public_id: str, client_id: str, posted: actions.Posted) -> None:
        await self.send_frame(
            {
                "type": "ack",
                "conversation": public_id,
                "client_id": client_id,
                "seq": posted.message.seq,
                "duplicate": not posted.created,
            }
        )

    async def frame_typing(self, frame: dict[str, Any]) -> None:
        if not self.typing_bucket.take():
            return
        conversation = await self.conversation_of(frame)
        await self.channel_layer.group_send(
            events.conversation_group(conversation.pk),
            {
                "type": "chat.typing",
                "conversation": conversation.pk,
                "who": "agent",
                "name": self.staff.display_name,
                "active": bool(frame.get("active", True)),
                "sender": self.channel_name,
            },
        )

    async def frame_seen(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        await db(actions.staff_saw)(conversation, self.staff, seq_of(frame))

    async def frame_transfer(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        await db(_transfer)(conversation, self.staff, frame)

    async def frame_close(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        outcome = frame.get("outcome")
        if outcome not in Outcome.values:
            raise FrameError("malformed", "'outcome' must be one of " + ", ".join(Outcome.values))
        await db(actions.close_conversation)(
            conversation,
            self.staff,
            timezone.now(),
            outcome=Outcome(outcome),
            wrap_up=text_of(frame, "wrap_up", 32),
            note=text_of(frame, "note"),
        )

    async def frame_join(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        await db(actions.join_as_supervisor)(conversation, self.staff, timezone.now())
        await self.attach(conversation)

    async def frame_resume(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_of(frame)
        if conversation.pk in self.open:
            self.sent[conversation.pk] = seq_of(frame, "last_seq")
            await self.catch_up(conversation.pk)

    # --- wake-ups -----------------------------------------------------------------------

    async def routing_assigned(self, event: dict[str, Any]) -> None:
        """Routing gave this agent a contact: if it is a chat, show it (with what the bot said)."""
        conversation = await db(_chat_of_contact)(event.get("contact"))
        if conversation is not None and self.greeted:
            await self.attach(conversation)
            await self.send_frame({"type": "assigned", "conversation": conversation.public_id})

    async def chat_assignment(self, event: dict[str, Any]) -> None:
        """The agent's chats changed (accepted, transferred away, closed, joined)."""
        if not self.greeted:
            return
        mine = await db(selectors.agent_conversations)(self.staff)
        mine_by_pk = {c.pk: c for c in mine}
        pk = event["conversation"]
        if pk in mine_by_pk:
            await self.attach(mine_by_pk[pk], self.sent.get(pk, 0))
        elif pk in self.open:
            await self.catch_up(pk)
            await self.detach(pk)

    async def chat_message(self, event: dict[str, Any]) -> None:
        pk = event["conversation"]
        seq = event["seq"]
        if pk not in self.open or seq <= self.sent.get(pk, 0):
            return
        text = event.get("text")
        if seq == self.sent.get(pk, 0) + 1 and text is not None:
            self.sent[pk] = seq
            await self.send(text_data=text)
        else:
            await self.catch_up(pk)

    async def chat_state(self, event: dict[str, Any]) -> None:
        pk = event["conversation"]
        if pk in self.open:
            summary = await db(_summary)(pk, self.staff)
            await self.send_frame({"type": "state", **summary})

    async def chat_live(self, event: dict[str, Any]) -> None:
        if self.greeted and self.supervisor:
            await self.send_frame({"type": "live", "changed": True})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        pk = event["conversation"]
        if pk in self.open and event.get("sender") != self.channel_name:
            await self.send_frame(
                {
                    "type": "typing",
                    "conversation": self.open[pk],
                    "who": event.get("who"),
                    "name": event.get("name"),
                    "active": event["active"],
                }
            )

    async def catch_up(self, pk: int) -> None:
        messages = await db(selectors.messages_after)(pk, self.sent.get(pk, 0), staff=True)
        public_id = self.open.get(pk, "")
        for message in messages:
            if message.seq > self.sent.get(pk, 0):
                await self.send_frame(message_frame(message, public_id, staff=True))
                self.sent[pk] = message.seq

    async def catch_up_all(self) -> None:
        last = await selectors.last_seqs(list(self.open))
        for pk in list(self.open):
            if last.get(pk, 0) > self.sent.get(pk, 0):
                await self.catch_up(pk)


def _staff_allowed(user: User) -> bool:
    return user.is_authenticated and user.has_perm(WORK_CONTACTS) and not needs_second_factor(user)


def _chat_of_contact(public_id: object) -> Conversation | None:
    return (
        Conversation.objects.select_related("contact", "agent")
        .filter(contact__public_id=str(public_id))
        .first()
    )


def _open_chats(user: User, after: dict[int, int], new: list[int]) -> list[selectors.ConsoleChat]:
    """The chats a console opens (``selectors.console_chats``); opening a transcript on a
    connection for the first time (``new``) is an audited view, one row a chat, one insert."""
    chats = selectors.console_chats(user, after)
    fresh = set(new)
    opened = [chat.conversation.contact for chat in chats if chat.conversation.pk in fresh]
    record_audit_events(user, "view_conversation", opened, via="console")
    return chats


def _summary(conversation_id: int, user: User) -> dict[str, Any]:
    """A conversation as the console lists it, read again after a change."""
    conversation = Conversation.objects.select_related("contact", "contact__citizen", "agent").get(
        pk=conversation_id
    )
    return _summary_of(conversation, user, selectors.unread_count(conversation, user))


def _summary_of(conversation: Conversation, user: User, unread: int) -> dict[str, Any]:
    citizen = conversation.contact.citizen
    return {
        "conversation": conversation.public_id,
        **selectors.conversation_state(conversation),
        "accepted": conversation.agent_id == user.pk,
        "citizen": citizen.display_name if citizen and citizen.first_name else None,
        "language": conversation.language,
        "topic": conversation.contact.topic,
        "urgency": conversation.contact.urgency,
        "unread": unread,
    }


def _transfer(conversation: Conversation, user: User, frame: dict[str, Any]) -> None:
    note = text_of(frame, "note")
    if frame.get("queue"):
        queue = Queue.objects.filter(slug=str(frame["queue"])).first()
        if queue is None:
            raise FrameError("malformed", "No such queue.")
        actions.transfer_conversation(conversation, user, timezone.now(), queue=queue, note=note)
        return
    agent_id = str(frame.get("agent", ""))
    agent = User.objects.filter(pk=int(agent_id)).first() if agent_id.isdigit() else None
    if agent is None:
        raise FrameError("malformed", "Transfer to a 'queue' (slug) or an 'agent' (id).")
    actions.transfer_conversation(conversation, user, timezone.now(), to_agent=agent, note=note)


CITIZEN_KINDS = frozenset(CITIZEN_VISIBLE_KINDS)


def _whole_number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _waited_for_database(error: BaseException) -> bool:
    """Whether the frame failed because no pooled database connection came free in time
    (``DATABASE_POOL_TIMEOUT``), directly or as the cause of Django's ``OperationalError``."""
    return isinstance(error, PoolTimeout) or isinstance(error.__cause__, PoolTimeout)


def _client_id_or_none(frame: dict[str, Any]) -> str | None:
    value = frame.get("client_id")
    return value if isinstance(value, str) else None
