"""Shared reads of the chat: what a console loads when it opens its chats."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from chat import actions, selectors
from chat.consumers import _open_chats
from chat.models import Conversation
from contactcentre.models import AuditEvent, User
from contactcentre.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def joined_chats(supervisor: User, count: int, messages: int = 3) -> list[Conversation]:
    """``count`` chats, each with ``messages`` citizen messages, that ``supervisor`` has joined
    (which adds a system message to each)."""
    chats = []
    for _n in range(count):
        conversation = actions.start_conversation(citizen=None).conversation
        for m in range(messages):
            actions.post_citizen_message(conversation, body=f"line {m}", client_id=f"c{m}")
        actions.join_as_supervisor(conversation, supervisor, timezone.now())
        conversation.refresh_from_db()
        chats.append(conversation)
    return chats


@pytest.mark.parametrize("count", [1, 12])
def test_a_console_opens_all_its_chats_in_the_same_few_queries(
    count: int, django_assert_num_queries: Any
) -> None:
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    chats = joined_chats(supervisor, count)
    after = {c.pk: 0 for c in chats}
    # The conversations, the unread counts, the messages: however many chats.
    with django_assert_num_queries(3):
        opened = selectors.console_chats(supervisor, after)
    assert [chat.conversation.pk for chat in opened] == [c.pk for c in chats]
    for chat in opened:
        assert [m.seq for m in chat.messages] == [1, 2, 3, 4]
        assert chat.unread == 4
    # With the audit of the views: one insert more, for every chat at once.
    with django_assert_num_queries(4):
        _open_chats(supervisor, after, new=list(after))
    assert AuditEvent.objects.filter(actor=supervisor, action="view_conversation").count() == count


def test_each_chat_gets_the_messages_after_what_the_console_has_and_its_own_unread_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    first, second, third = joined_chats(supervisor, 3, messages=5)  # 6 messages each
    actions.staff_saw(second, supervisor, 4)
    opened = selectors.console_chats(supervisor, {third.pk: 6, first.pk: 2, second.pk: 0})
    assert [chat.conversation.pk for chat in opened] == [third.pk, first.pk, second.pk]
    assert [[m.seq for m in chat.messages] for chat in opened] == [
        [],
        [3, 4, 5, 6],
        [1, 2, 3, 4, 5, 6],
    ]
    assert [chat.unread for chat in opened] == [6, 6, 2]
    # A replay stops at the limit; the console asks again from the last it got.
    monkeypatch.setattr(selectors, "REPLAY_LIMIT", 4)
    limited = selectors.console_chats(supervisor, {first.pk: 1})
    assert [m.seq for m in limited[0].messages] == [2, 3, 4, 5]


def test_a_console_opens_only_chats_that_exist() -> None:
    supervisor = StaffFactory(role=Role.SUPERVISOR)
    (chat,) = joined_chats(supervisor, 1, messages=1)
    opened = selectors.console_chats(supervisor, {chat.pk: 0, chat.pk + 1000: 0})
    assert [c.conversation.pk for c in opened] == [chat.pk]
    assert selectors.console_chats(supervisor, {}) == []
