"""Realtime events: sent after commit, in order, without the action waiting for Redis, and a
failure to send never fails the action."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from channels.layers import get_channel_layer
from django.db import connection, transaction

from contactcentre import realtime


async def _receive_all(group: str, count: int, send: object) -> list[dict[str, object]]:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    try:
        await asyncio.to_thread(send)  # type: ignore[arg-type]
        return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]
    finally:
        await layer.group_discard(group, channel)


@pytest.mark.django_db(transaction=True)
def test_events_arrive_in_the_order_they_were_sent_and_only_after_commit(
    redis_server: str,
) -> None:
    group = f"test.{uuid.uuid4().hex}"

    def send() -> None:
        try:
            with transaction.atomic():
                for n in range(50):
                    realtime.send_event_on_commit(group, {"type": "test.event", "n": n})
            with transaction.atomic():
                realtime.send_event_on_commit(group, {"type": "test.event", "n": "rolled back"})
                transaction.set_rollback(True)
            realtime.send_event_on_commit(group, {"type": "test.event", "n": "last"})
        finally:
            connection.close()  # this thread's own connection

    received = asyncio.run(_receive_all(group, 51, send))
    assert [event["n"] for event in received] == [*range(50), "last"]


def test_an_event_without_a_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="type"):
        realtime.send_event_now("group", {"n": 1})


def test_a_failed_send_is_logged_and_later_events_still_go(
    redis_server: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    layer = get_channel_layer()
    assert layer is not None
    real_group_send = layer.group_send

    async def flaky_group_send(group: str, message: dict[str, object]) -> None:
        if message.get("n") == "broken":
            raise ConnectionError("Redis went away")
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", flaky_group_send)
    group = f"test.{uuid.uuid4().hex}"

    def send() -> None:
        realtime.send_event_now(group, {"type": "test.event", "n": "broken"})
        realtime.send_event_now(group, {"type": "test.event", "n": "after"})

    with caplog.at_level(logging.ERROR, logger="contactcentre.realtime"):
        received = asyncio.run(_receive_all(group, 1, send))
    assert [event["n"] for event in received] == ["after"]
    assert "Could not send test.event event" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_collected_events_are_kept_for_the_caller_in_order_and_only_if_committed(
    redis_server: str,
) -> None:
    """A consumer's database work collects its wake-ups and sends them from its own loop."""
    group = f"test.{uuid.uuid4().hex}"

    def work() -> realtime.Pending:
        try:
            with realtime.collect_events() as pending:
                with transaction.atomic():
                    realtime.send_event_on_commit(group, {"type": "test.event", "n": 1})
                    realtime.send_event_on_commit(group, {"type": "test.event", "n": 2})
                    assert pending == []  # not before the commit
                with transaction.atomic():
                    realtime.send_event_on_commit(group, {"type": "test.event", "n": "no"})
                    transaction.set_rollback(True)
                realtime.send_event_on_commit(group, {"type": "test.event", "n": 3})
            return pending
        finally:
            connection.close()

    async def scenario() -> list[dict[str, object]]:
        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            first = asyncio.ensure_future(layer.receive(channel))
            pending = await asyncio.to_thread(work)
            assert [event["n"] for _group, event in pending] == [1, 2, 3]
            # Nothing went to the sender: only what the caller sends arrives.
            await asyncio.sleep(0.5)
            assert not first.done()
            await realtime.send_collected(pending)
            received = [await asyncio.wait_for(first, 5)]
            received += [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(2)]
            return received
        finally:
            await layer.group_discard(group, channel)

    assert [event["n"] for event in asyncio.run(scenario())] == [1, 2, 3]


def test_the_layer_publishes_on_a_connection_of_its_own_in_order_and_reconnects(
    redis_server: str,
) -> None:
    layer = realtime.PubSubChannelLayer(
        hosts=[{"address": redis_server}], prefix=f"test-{uuid.uuid4().hex[:8]}"
    )

    async def scenario() -> list[object]:
        channel = await layer.new_channel()
        await layer.group_add("conversation.1", channel)
        try:
            await asyncio.gather(
                *(layer.group_send("conversation.1", {"type": "t", "n": n}) for n in range(200))
            )
            received = [
                (await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(200)
            ]
            # The connection drops (Redis restarted): the next wake-up opens another.
            publisher = layer._publisher()
            assert publisher.connection is not None
            assert publisher.connection.transport is not None
            publisher.connection.transport.close()
            await asyncio.sleep(0.05)
            await layer.group_send("conversation.1", {"type": "t", "n": "after"})
            await layer.send(channel, {"type": "t", "n": "direct"})
            for _ in range(2):
                received.append((await asyncio.wait_for(layer.receive(channel), 5))["n"])
            return received
        finally:
            await layer.group_discard("conversation.1", channel)
            await layer.close_publisher()
            await layer.flush()

    assert asyncio.run(scenario()) == [*range(200), "after", "direct"]


def test_the_layer_raises_when_redis_refuses_or_cannot_be_reached(redis_server: str) -> None:
    from tests.conftest import free_port

    unreachable = realtime.PubSubChannelLayer(
        hosts=[{"address": f"redis://127.0.0.1:{free_port()}"}]
    )
    # This Redis has no password: AUTH is answered with an error.
    host = redis_server.split("://", 1)[1]
    refused = realtime.PubSubChannelLayer(hosts=[{"address": f"redis://someone:wrong@{host}"}])

    async def scenario() -> None:
        with pytest.raises(ConnectionRefusedError):
            await unreachable.group_send("g", {"type": "t"})
        with pytest.raises(ConnectionError, match=r"(?i)auth|password"):
            await refused.group_send("g", {"type": "t"})
        await refused.close_publisher()

    asyncio.run(scenario())
