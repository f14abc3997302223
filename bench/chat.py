"""Live chat under load: N citizens and M agents over real websockets against Daphne on
PostgreSQL and Redis, and a baseline measured in the same run: a minimal relay written with the
`websockets` library (no database, no channel layer) driven by the same clients with the same
message pattern.

Prints one JSON object: connections held, messages per second, citizen→agent latency p50, p95
and p99, lost and duplicated counts and CPU time per message (the servers', the database
backends' and the bench's own clients'), for ours and the baseline, their ratios, and the
largest number of idle connections one Daphne process held.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/contactcentre_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/chat.py --conversations 2000 --agents 20 --rate 500 --seconds 30

Runs in a throwaway test database made from DATABASE_URL and dropped afterwards, and flushes
nothing in Redis but its own channel-layer keys (they expire). Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from websockets.asyncio.client import connect as ws_connect  # noqa: E402
from websockets.exceptions import InvalidHandshake  # noqa: E402

from bench.common import database_url, pause_collector, resume_collector  # noqa: E402

HOST = "127.0.0.1"
BODY = "x" * 60  # a typical short chat line


# --- the scenario in the database -----------------------------------------------------------


@dataclass
class Scenario:
    agents: list[dict[str, Any]]  # {"user": id, "cookie": str, "conversations": [public ids]}
    citizens: list[dict[str, Any]]  # {"conversation": public id, "token": str, "agent": index}


def seed(conversations: int, agents: int) -> Scenario:
    """Agents each serving their share of conversations already accepted: the steady state of a
    busy hour, built in bulk (routing's own speed is bench/routing.py's business)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from chat.actions.messages import hash_token
    from chat.models import Conversation, Participant, ParticipantRole
    from contactcentre.models import Channel, Contact, ContactStatus, User
    from contactcentre.roles import Role, ensure_role_groups
    from routing.models import AgentProfile, EntryStatus, Presence, Queue, QueueEntry

    ensure_role_groups()
    now = timezone.now()
    queue = Queue.objects.create(slug="general", name="General")
    per_agent = math.ceil(conversations / agents)
    agent_group = Group.objects.get(name=Role.AGENT.value)
    users, profiles, cookies = [], [], []
    for n in range(agents):
        user = User.objects.create_user(f"bench-agent-{n}@example.org", None, first_name=f"A{n}")
        user.groups.add(agent_group)
        profile = AgentProfile.objects.create(
            user=user, presence=Presence.AVAILABLE, capacity=per_agent, active_contacts=0
        )
        profile.skills.add(queue)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        users.append(user)
        profiles.append(profile)
        cookies.append(f"sessionid={session.session_key}")
    contacts = Contact.objects.bulk_create(
        Contact(channel=Channel.CHAT, status=ContactStatus.IN_PROGRESS)
        for _ in range(conversations)
    )
    tokens = [uuid.uuid4().hex for _ in contacts]
    owners = [n % agents for n in range(conversations)]
    chats = Conversation.objects.bulk_create(
        Conversation(
            contact=contact,
            token_hash=hash_token(token),
            agent=users[owner],
            citizen_active_at=now,
        )
        for contact, token, owner in zip(contacts, tokens, owners, strict=True)
    )
    QueueEntry.objects.bulk_create(
        QueueEntry(
            contact=contact,
            queue=queue,
            status=EntryStatus.ASSIGNED,
            agent=profiles[owner],
            enqueued_at=now,
            assigned_at=now,
        )
        for contact, owner in zip(contacts, owners, strict=True)
    )
    Participant.objects.bulk_create(
        Participant(conversation=chat, user=users[owner], role=ParticipantRole.AGENT, joined_at=now)
        for chat, owner in zip(chats, owners, strict=True)
    )
    for n, profile in enumerate(profiles):
        AgentProfile.objects.filter(pk=profile.pk).update(active_contacts=owners.count(n))
    public_ids = [str(contact.public_id) for contact in contacts]
    return Scenario(
        agents=[
            {
                "user": users[n].pk,
                "cookie": cookies[n],
                "conversations": [p for p, o in zip(public_ids, owners, strict=True) if o == n],
            }
            for n in range(agents)
        ],
        citizens=[
            {"conversation": p, "token": t, "agent": o}
            for p, t, o in zip(public_ids, tokens, owners, strict=True)
        ],
    )


# --- servers ------------------------------------------------------------------------------


def start_daphnes(
    count: int, env_extra: dict[str, str]
) -> tuple[list[int], list[subprocess.Popen]]:
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent))
    assert daphne, "daphne is not installed"
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="test",
        DEBUG="false",
        DATABASE_URL=database_url(),
        STAFF_MFA_REQUIRED="false",
        CHAT_RATE_PER_IP_PER_MINUTE="100000000",
        CHAT_RATE_BURST="1000",
        CHAT_RATE_PER_SECOND="1000",
        CONN_MAX_AGE="0",  # connections come from each process's pool
        PYTHONUNBUFFERED="1",
        **env_extra,
    )
    ports, processes = [], []
    for _ in range(count):
        port = free_port()
        log = open(ROOT / "test-artifacts" / f"bench-daphne-{port}.log", "wb")  # noqa: SIM115
        processes.append(
            subprocess.Popen(  # noqa: S603 (our own daphne, fixed arguments)
                [daphne, "-b", HOST, "-p", str(port), "contactcentre.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        ports.append(port)
    for port in ports:
        wait_for_port(port)
    return ports, processes


def start_relay() -> tuple[list[int], list[subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own relay, fixed arguments)
        [sys.executable, str(Path(__file__).with_name("chat_relay.py")), HOST, str(port)],
        cwd=ROOT,
    )
    wait_for_port(port)
    return [port], [process]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def database_pids() -> list[int]:
    """The PostgreSQL backends serving the bench's database now (the Daphnes' async pools, which
    stay open; a worker thread's connection closes after each call and is not counted)."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def cpu_seconds_of_live(pids: list[int]) -> float:
    """``cpu_seconds`` of those still running."""
    return sum(cpu_seconds([pid]) for pid in pids if os.path.exists(f"/proc/{pid}/stat"))


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --- clients ------------------------------------------------------------------------------


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (sent at, latency)
    received: dict[str, int] = field(default_factory=dict)
    replies_sent: dict[str, float] = field(default_factory=dict)
    replies_received: dict[str, int] = field(default_factory=dict)
    reply_latencies: list[float] = field(default_factory=list)
    acks: int = 0
    errors: int = 0
    retried: int = 0  # "busy" or "rate_limited": sent again after retry_after, as the widget does
    frames: dict[str, str] = field(default_factory=dict)  # client id -> the frame as sent
    warm: set[str] = field(default_factory=set)  # client ids sent while warming up: not timed


async def open_socket(port: int, path: str, cookie: str = "") -> Any:
    headers = {"Cookie": cookie} if cookie else {}
    for attempt in range(20):
        try:
            return await ws_connect(
                f"ws://{HOST}:{port}{path}",
                origin=f"http://{HOST}:{port}",  # type: ignore[arg-type]
                additional_headers=headers,
                max_queue=None,
                ping_interval=None,
                open_timeout=60,
                # Daphne never compresses: nor does the relay, and the clients do not offer it.
                compression=None,
            )
        except (OSError, InvalidHandshake):
            # Refused, or a handshake the server dropped (its time-out, on a busy machine).
            await asyncio.sleep(0.2 * (attempt + 1))
    raise RuntimeError("could not connect")


async def agent_loop(
    socket: Any,
    tally: Tally,
    reply_every: int,
    ready: asyncio.Event,
    attached: asyncio.Event,
    chats: int,
) -> None:
    """Receive citizens' messages; answer one in ``reply_every`` of them. ``attached`` is set
    once the console has been sent all its ``chats``."""
    count = 0
    shown: set[str] = set()
    async for raw in socket:
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "welcome":
            ready.set()
        if kind == "conversation":
            shown.add(frame["conversation"])
            if len(shown) >= chats:
                attached.set()
        if kind == "message" and frame.get("kind") == "citizen":
            client_id = frame.get("client_id", "")
            sent = tally.sent_at.get(client_id)
            if sent is None:
                continue  # an earlier run's message, replayed on hello
            tally.received[client_id] = tally.received.get(client_id, 0) + 1
            if tally.received[client_id] == 1 and client_id not in tally.warm:
                tally.timeline.append((sent, time.perf_counter() - sent))
            count += 1
            if reply_every and count % reply_every == 0:
                reply_id = f"r-{client_id}"
                tally.replies_sent[reply_id] = time.perf_counter()
                text = json.dumps(
                    {
                        "type": "message",
                        "conversation": frame["conversation"],
                        "client_id": reply_id,
                        "body": f"{reply_id} {BODY}",
                    }
                )
                tally.frames[reply_id] = text
                await socket.send(text)
        elif kind == "error":
            handle_error(socket, frame, tally)


async def citizen_loop(socket: Any, tally: Tally) -> None:
    async for raw in socket:
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "ack":
            tally.acks += 1
        elif kind == "error":
            handle_error(socket, frame, tally)
        elif kind == "message" and frame.get("kind") == "agent":
            # The agent's own reply ids are not sent to citizens: match on the body's tag.
            tag = frame["body"].split(" ", 1)[0]
            if tag.startswith("r-"):
                tally.replies_received[tag] = tally.replies_received.get(tag, 0) + 1
                timed = tag[2:] not in tally.warm
                if tally.replies_received[tag] == 1 and tag in tally.replies_sent and timed:
                    tally.reply_latencies.append(time.perf_counter() - tally.replies_sent[tag])


def handle_error(socket: Any, frame: dict[str, Any], tally: Tally) -> None:
    """As the widget and the console do: a frame refused for now ("busy", "rate_limited") is
    sent again, same client id, after ``retry_after``; any other error is counted."""
    text = tally.frames.get(frame.get("client_id") or "")
    if text is None or frame.get("code") not in ("busy", "rate_limited"):
        tally.errors += 1
        return
    tally.retried += 1
    delay = max(1.0, float(frame.get("retry_after") or 1))
    asyncio.get_running_loop().call_later(delay, lambda: asyncio.ensure_future(socket.send(text)))


def slowest_seconds(timeline: list[tuple[float, float]], since: float) -> list[dict[str, Any]]:
    """The three seconds of the timed run whose messages waited longest, to tell a steady tail
    from a burst: when each started (seconds into the timed run), its messages, its worst."""
    worst: dict[int, list[float]] = {}
    for sent, latency in timeline:
        worst.setdefault(int(sent - since), []).append(latency)
    ranked = sorted(worst.items(), key=lambda item: max(item[1]), reverse=True)[:3]
    return [
        {"at": second, "messages": len(values), "max_ms": round(max(values) * 1000, 1)}
        for second, values in ranked
    ]


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000, 2)


async def drive(
    scenario: Scenario,
    ports: list[int],
    rate: float,
    seconds: float,
    reply_every: int,
    server_pids: list[int],
    warmup: float,
    with_database: bool,
) -> dict[str, Any]:
    """Connect everyone, send ``rate`` citizen messages a second for ``warmup`` seconds and then
    for ``seconds`` more, then wait for stragglers and count. Only messages sent after the
    warm-up are timed (a freshly started server opens its connections on first use), but every
    message counts for lost and duplicated. The servers' CPU time is taken from the end of the
    warm-up to the last delivery, and given per timed message (citizens' and agents')."""
    tally = Tally()
    agents, agent_tasks = [], []
    consoles_loaded: list[asyncio.Event] = []
    for n, agent in enumerate(scenario.agents):
        socket = await open_socket(ports[n % len(ports)], "/ws/chat/staff/", agent["cookie"])
        ready, attached = asyncio.Event(), asyncio.Event()
        chats = len(agent["conversations"])
        agent_tasks.append(
            asyncio.create_task(agent_loop(socket, tally, reply_every, ready, attached, chats))
        )
        consoles_loaded.append(attached)
        # ``seen`` names the agent's chats (from the start): the baseline relay needs the list.
        seen = dict.fromkeys(agent["conversations"], 0)
        await socket.send(json.dumps({"type": "hello", "v": 1, "seen": seen}))
        await asyncio.wait_for(ready.wait(), 120)
        agents.append(socket)
    citizens = []
    citizen_tasks = []

    async def join(n: int, citizen: dict[str, Any]) -> None:
        # The citizen is on another process than their agent where there are two.
        socket = await open_socket(ports[(citizen["agent"] + 1) % len(ports)], "/ws/chat/")
        await socket.send(
            json.dumps(
                {
                    "type": "hello",
                    "v": 1,
                    "conversation": citizen["conversation"],
                    "token": citizen["token"],
                    "last_seq": 0,
                }
            )
        )
        json.loads(await socket.recv())  # welcome
        citizens.append((socket, citizen))
        citizen_tasks.append(asyncio.create_task(citizen_loop(socket, tally)))

    semaphore = asyncio.Semaphore(200)

    async def limited(n: int, citizen: dict[str, Any]) -> None:
        async with semaphore:
            await join(n, citizen)

    connect_started = time.perf_counter()
    await asyncio.gather(*(limited(n, c) for n, c in enumerate(scenario.citizens)))
    connect_seconds = time.perf_counter() - connect_started
    # Steady state: every console has loaded all its chats (each chat's summary and history are
    # sent on hello; here an agent has 100 chats, not 3).
    await asyncio.wait_for(asyncio.gather(*(event.wait() for event in consoles_loaded)), 600)
    consoles_seconds = time.perf_counter() - connect_started
    await asyncio.sleep(1)
    pause_collector()  # the clients' 4,000 sockets' objects: see bench/common.py

    rng = random.Random(7)
    print(f"sending for {warmup + seconds:.0f} s", file=sys.stderr, flush=True)
    started = time.perf_counter()
    sent = 0
    tick = 0.01
    timed_from: float | None = None
    timed_sent = timed_replies = 0
    cpu_before = client_cpu_before = db_cpu_before = 0.0
    db_pids: list[int] = []
    while (elapsed := time.perf_counter() - started) < warmup + seconds:
        if timed_from is None and elapsed >= warmup:
            timed_from = time.perf_counter()
            timed_sent, timed_replies = sent, len(tally.replies_sent)
            cpu_before = cpu_seconds(server_pids)
            client_cpu_before = time.process_time()
            db_pids = await asyncio.to_thread(database_pids) if with_database else []
            db_cpu_before = cpu_seconds_of_live(db_pids)
        due = int(elapsed * rate) - sent
        for _ in range(max(due, 0)):
            socket, _citizen = citizens[rng.randrange(len(citizens))]
            client_id = uuid.uuid4().hex
            if timed_from is None:
                tally.warm.add(client_id)
            tally.sent_at[client_id] = time.perf_counter()
            text = json.dumps({"type": "message", "client_id": client_id, "body": BODY})
            tally.frames[client_id] = text
            await socket.send(text)
            sent += 1
        await asyncio.sleep(tick)
    assert timed_from is not None
    send_seconds = time.perf_counter() - timed_from
    started = timed_from
    # Stragglers: wait until every message has arrived, or 30 s. Clients ping as the real ones
    # do (every 25 s there; every 10 s here, from 5 s after the last send): a ping makes the
    # server send anything stored that a lost wake-up (a full channel-layer queue drops events)
    # left unsent.
    deadline = time.perf_counter() + 30
    next_ping = time.perf_counter() + 5
    while time.perf_counter() < deadline and (
        len(tally.received) < sent or len(tally.replies_received) < len(tally.replies_sent)
    ):
        if time.perf_counter() >= next_ping:
            ping = json.dumps({"type": "ping"})
            await asyncio.gather(
                *(s.send(ping) for s in agents),
                *(s.send(ping) for s, _c in citizens),
                return_exceptions=True,
            )
            next_ping = time.perf_counter() + 10
        await asyncio.sleep(0.2)
    drain_seconds = time.perf_counter() - started - send_seconds
    server_cpu = cpu_seconds(server_pids) - cpu_before
    client_cpu = time.process_time() - client_cpu_before
    db_cpu = cpu_seconds_of_live(db_pids) - db_cpu_before
    held = sum(1 for s, _c in citizens if s.state.name == "OPEN") + sum(
        1 for s in agents if s.state.name == "OPEN"
    )
    resume_collector()
    for task in agent_tasks + citizen_tasks:
        task.cancel()
    await asyncio.gather(
        *(s.close() for s, _c in citizens), *(s.close() for s in agents), return_exceptions=True
    )
    timed_messages = max(sent - timed_sent + len(tally.replies_sent) - timed_replies, 1)
    delivered = len(tally.received)
    duplicated = sum(count - 1 for count in tally.received.values()) + sum(
        count - 1 for count in tally.replies_received.values()
    )
    latencies = [latency for _sent, latency in tally.timeline]
    lost = (sent - delivered) + (len(tally.replies_sent) - len(tally.replies_received))
    return {
        "connections_held": held,
        "connect_seconds": round(connect_seconds, 1),
        "consoles_loaded_seconds": round(consoles_seconds, 1),
        "warmup_seconds": warmup,
        "citizen_messages_sent": sent,
        "agent_replies_sent": len(tally.replies_sent),
        "messages_per_second": round(
            (sent - timed_sent + len(tally.replies_sent) - timed_replies) / send_seconds, 1
        ),
        "citizen_to_agent_ms": {
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": percentile(latencies, 1.0),
        },
        "agent_to_citizen_ms": {
            "p50": percentile(tally.reply_latencies, 0.50),
            "p99": percentile(tally.reply_latencies, 0.99),
        },
        "slowest_seconds": slowest_seconds(tally.timeline, timed_from),
        "timed_from_unix": round(time.time() - (time.perf_counter() - timed_from), 2),
        "lost": lost,
        "duplicated": duplicated,
        "errors": tally.errors,
        "retried_when_busy": tally.retried,
        "drain_seconds": round(drain_seconds, 1),
        "server_cpu_ms_per_message": round(server_cpu * 1000 / timed_messages, 3),
        "database_cpu_ms_per_message": round(db_cpu * 1000 / timed_messages, 3)
        if with_database
        else None,
        "bench_clients_cpu_ms_per_message": round(client_cpu * 1000 / timed_messages, 3),
    }


async def idle_connections(port: int, pid: int, limit: int) -> dict[str, Any]:
    """Open idle citizen sockets (hello, then nothing) to one process until ``limit`` or
    failure; the process's memory at the end."""
    sockets = []
    before = rss_mb(pid)
    semaphore = asyncio.Semaphore(200)
    failed = 0

    async def one() -> None:
        nonlocal failed
        async with semaphore:
            try:
                socket = await ws_connect(
                    f"ws://{HOST}:{port}/ws/chat/",
                    origin=f"http://{HOST}:{port}",  # type: ignore[arg-type]
                    ping_interval=None,
                    open_timeout=30,
                    compression=None,
                )
                await socket.send(json.dumps({"type": "hello", "v": 1}))
                await asyncio.wait_for(socket.recv(), 30)
                sockets.append(socket)
            except (OSError, TimeoutError, Exception):
                failed += 1

    await asyncio.gather(*(one() for _ in range(limit)))
    await asyncio.sleep(1)
    held = sum(1 for s in sockets if s.state.name == "OPEN")
    after = rss_mb(pid)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "idle_connections_held": held,
        "idle_attempted": limit,
        "idle_failed": failed,
        "process_rss_mb_before": round(before, 1),
        "process_rss_mb_after": round(after, 1),
        "kib_per_connection": round((after - before) * 1024 / max(held, 1), 1),
    }


def ratio(ours: float | None, base: float | None) -> float | None:
    if not ours or not base:
        return None
    return round(ours / base, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rate", type=float, default=500, help="citizen messages a second")
    parser.add_argument("--seconds", type=float, default=30, help="timed, after the warm-up")
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of messages sent first, not timed"
    )
    parser.add_argument("--reply-every", type=int, default=4, help="agents answer 1 in N")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument("--idle", type=int, default=10000, help="idle sockets to try, 0: skip")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the relay (comparing two builds of ours)"
    )
    args = parser.parse_args()

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        print(json.dumps({"error": "set DATABASE_URL (PostgreSQL) and REDIS_URL"}))
        return 1
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    figures: dict[str, Any] = {
        "conversations": args.conversations,
        "agents": args.agents,
        "target_rate": args.rate,
        "seconds": args.seconds,
        "daphne_processes": args.processes,
        "cpus": os.cpu_count(),
    }
    try:
        scenario = seed(args.conversations, args.agents)
        connection.close()
        # A channel-layer prefix of this run's own: conversation ids restart in each throwaway
        # database, and group members left in Redis by an earlier run (kept for a day) would
        # otherwise receive every wake-up of the conversation with the same id.
        prefix = f"bench-{uuid.uuid4().hex[:12]}:channels"
        ports, processes = start_daphnes(args.processes, {"CHANNEL_LAYER_PREFIX": prefix})
        try:
            figures["ours"] = asyncio.run(
                drive(
                    scenario,
                    ports,
                    args.rate,
                    args.seconds,
                    args.reply_every,
                    [process.pid for process in processes],
                    args.warmup,
                    with_database=True,
                )
            )
            if args.idle:
                figures["idle"] = asyncio.run(
                    idle_connections(ports[0], processes[0].pid, args.idle)
                )
        finally:
            stop(processes)
        if not args.no_baseline:
            relay_ports, relay = start_relay()
            try:
                figures["baseline_websockets_relay"] = asyncio.run(
                    drive(
                        scenario,
                        relay_ports,
                        args.rate,
                        args.seconds,
                        args.reply_every,
                        [process.pid for process in relay],
                        args.warmup,
                        with_database=False,
                    )
                )
            finally:
                stop(relay)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    figures["load_average"] = os.getloadavg()
    if args.no_baseline:
        print(json.dumps(figures))
        return 0
    ours, base = figures["ours"], figures["baseline_websockets_relay"]
    figures["ratio_ours_to_baseline"] = {
        "messages_per_second": ratio(ours["messages_per_second"], base["messages_per_second"]),
        "p50_latency": ratio(
            ours["citizen_to_agent_ms"]["p50"], base["citizen_to_agent_ms"]["p50"]
        ),
        "p99_latency": ratio(
            ours["citizen_to_agent_ms"]["p99"], base["citizen_to_agent_ms"]["p99"]
        ),
    }
    import websockets

    figures["websockets_version"] = websockets.__version__
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
