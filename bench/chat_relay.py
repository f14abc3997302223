"""The baseline for bench/chat.py: the least a chat relay can do, with the `websockets` library.

It speaks just enough of docs/chat-protocol.md for the benchmark's clients (hello, the console's
list of chats, message, ack, the echo to the sender) and keeps everything in memory: no
database, no channel layer, one process. Whatever it costs is the floor that ours is compared with.

    python bench/chat_relay.py 127.0.0.1 8765
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

citizens: dict[str, ServerConnection] = {}
agents: dict[str, ServerConnection] = {}
seqs: dict[str, int] = {}


def next_seq(conversation: str) -> int:
    seqs[conversation] = seqs.get(conversation, 0) + 1
    return seqs[conversation]


async def relay(socket: ServerConnection) -> None:
    staff = socket.request is not None and socket.request.path.startswith("/ws/chat/staff/")
    mine: list[str] = []
    async for raw in socket:
        frame: dict[str, Any] = json.loads(raw)
        kind = frame.get("type")
        if kind == "hello":
            if staff:
                mine = list(frame.get("seen") or {})
                for conversation in mine:
                    agents[conversation] = socket
            else:
                mine = [frame["conversation"]]
                citizens[frame["conversation"]] = socket
            await socket.send(json.dumps({"type": "welcome", "v": 1, "conversation": None}))
            if staff:  # each chat's summary, as ours sends the console
                for conversation in mine:
                    await socket.send(
                        json.dumps({"type": "conversation", "conversation": conversation})
                    )
        elif kind == "message":
            conversation = frame["conversation"] if staff else mine[0]
            seq = next_seq(conversation)
            await socket.send(
                json.dumps({"type": "ack", "client_id": frame["client_id"], "seq": seq})
            )
            out = {
                "type": "message",
                "conversation": conversation,
                "seq": seq,
                "kind": "agent" if staff else "citizen",
                "body": frame["body"],
                "client_id": frame["client_id"],
            }
            text = json.dumps(out)
            other = citizens.get(conversation) if staff else agents.get(conversation)
            await socket.send(text)  # the echo ours sends to the writer too
            if other is not None:
                await other.send(text)


async def main(host: str, port: int) -> None:
    # No per-message compression: Daphne has none either.
    async with serve(relay, host, port, max_queue=None, ping_interval=None, compression=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
