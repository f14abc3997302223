"""Webform intake speed: accepted submissions per second and the p50/p99 time of the submit
POST (which answers only after the submission row is committed) through HTTP to real Daphne on
PostgreSQL, with zero lost; then Celery end to end: from submitting M forms until every one is
routed and acknowledged by a real worker on Redis.

What is timed is the final "Accept and send" POST only. The drafts are prepared first through
the same HTTP pages a citizen uses (start, each question page), each in its own session, with
its own CSRF token; those page requests are not timed. Submit POSTs are sent by several client
threads, each with a keep-alive connection; redirects are not followed.

Runs in a throwaway test database made from DATABASE_URL and dropped afterwards; purges the
Celery queue of REDIS_URL (give it a Redis database of its own). Prints one JSON object.

Two intake rounds. Closed loop: ``WEBFORMS_BENCH_CLIENTS`` clients each send their next submit
as soon as the last is answered, which finds the most a server accepts a second (latency there is
mostly clients waiting their turn). Open loop: submits arrive at a fixed rate whatever the server
is doing, as citizens do, and each is timed from the moment it was due, so time spent waiting for
a free client counts too: the latency a citizen sees at that rate.

Options (environment): WEBFORMS_BENCH_SUBMISSIONS (1000), WEBFORMS_BENCH_RATE (submits a second
offered in the open-loop round, 300; 0 skips it), WEBFORMS_BENCH_RATE_SECONDS (10),
WEBFORMS_BENCH_CELERY_SUBMISSIONS (500; 0 skips the Celery round), WEBFORMS_BENCH_CLIENTS (16),
WEBFORMS_BENCH_DAPHNES (Daphne processes, 1; clients spread over them as a load balancer would).

Besides speed it reports the CPU time the Daphne processes and the database's server processes
spent per submit (from ``/proc``, so Linux with PostgreSQL on the same machine): on a shared
machine latency is noisy, CPU per submit much less so.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import collector_paused, database_url  # noqa: E402

SUBMISSIONS = int(os.environ.get("WEBFORMS_BENCH_SUBMISSIONS", "1000"))
CELERY_SUBMISSIONS = int(os.environ.get("WEBFORMS_BENCH_CELERY_SUBMISSIONS", "500"))
CLIENTS = int(os.environ.get("WEBFORMS_BENCH_CLIENTS", "16"))
RATE = float(os.environ.get("WEBFORMS_BENCH_RATE", "300"))
RATE_SECONDS = float(os.environ.get("WEBFORMS_BENCH_RATE_SECONDS", "10"))
# Open loop: enough client threads that a submit never waits for one while the server keeps up.
RATE_CLIENTS = 64
DAPHNES = int(os.environ.get("WEBFORMS_BENCH_DAPHNES", "1"))
FORM = "foi"  # two question pages, no attachments page: start, page 1, page 2, check
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
BIN = Path(sys.executable).parent
LOGS = Path(tempfile.gettempdir()) / f"wfbench-{os.getpid()}"  # Daphne and worker logs
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


# --- Processes --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_ENV": "test",
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
        "REDIS_URL": str(settings.REDIS_URL),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "WEBFORMS_EMAIL_BACKEND": LOCMEM_EMAIL,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


DAPHNE_PIDS: list[int] = []


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far (Linux ``/proc``)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a prefork worker's children), from ``/proc``."""
    pids, found = [pid], 0
    while found < len(pids):
        current = pids[found]
        found += 1
        try:
            tasks = Path(f"/proc/{current}/task").iterdir()
            for task in tasks:
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for member in process_tree(pid):
        try:
            total += cpu_seconds([member])
        except (OSError, IndexError):
            continue
    return total


def database_backends() -> list[int]:
    """PostgreSQL's server processes for the bench database (when it runs on this machine)."""
    name = f" {connection.settings_dict['NAME']} ".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and name in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def backend_cpu_seconds() -> dict[int, float]:
    times = {}
    for pid in database_backends():
        try:
            times[pid] = cpu_seconds([pid])
        except (OSError, IndexError):
            continue
    return times


@contextmanager
def daphne() -> Iterator[tuple[str, int]]:
    port = _free_port()
    log = LOGS / f"daphne-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own daphne, fixed arguments)
            [
                str(BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "contactcentre.asgi:application",
            ],
            cwd=ROOT,
            # Connections come from the process's pool (DATABASE_POOL_SIZE), as in production.
            env=_child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Daphne did not start")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        DAPHNE_PIDS.append(process.pid)
        yield "127.0.0.1", port
    finally:
        _stop(process)


@contextmanager
def celery_worker() -> Iterator[int]:
    from contactcentre.celery import app

    hostname = f"wfbench-{os.getpid()}@%h"
    with (LOGS / "celery.log").open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
            [str(BIN / "celery"), "-A", "contactcentre", "worker", "--pool=prefork",
             f"--concurrency={os.cpu_count() or 2}", "--without-gossip", "--without-mingle",
             "--loglevel=WARNING", "-n", hostname],
            cwd=ROOT,
            env=_child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Celery worker did not start")
        yield process.pid
    finally:
        _stop(process)


# --- A citizen's browser, reduced to cookies and a keep-alive connection ----------------------


class Citizen:
    """One citizen's session (cookies and CSRF token) on one draft."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.check_path = ""

    def send(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
    ) -> tuple[int, str, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.csrf, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, urlsplit(response.getheader("Location") or "").path, data


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}, expected {wanted}")


def prepare_draft(conn: http.client.HTTPConnection, n: int) -> Citizen:
    """Start the form and answer both pages, as a citizen would; stop at check your answers."""
    citizen = Citizen()
    status, _, html = citizen.send(conn, "GET", f"/forms/{FORM}/")
    _expect(status, 200, "start page")
    match = CSRF.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the start page")
    citizen.csrf = match.group(1).decode()
    status, page_1, _ = citizen.send(conn, "POST", f"/forms/{FORM}/", {})
    _expect(status, 302, "start")
    answers = {"full_name": f"Bench Citizen {n}", "email": f"citizen{n}@bench.example"}
    status, page_2, _ = citizen.send(conn, "POST", page_1, {**answers, "continue": ""})
    _expect(status, 302, "page 1")
    request = {"request": f"All correspondence about case {n} since 2020.", "continue": ""}
    status, citizen.check_path, _ = citizen.send(conn, "POST", page_2, request)
    _expect(status, 302, "page 2")
    return citizen


class Clients:
    """Client threads, each with its own keep-alive connection to one of the Daphnes."""

    def __init__(self, servers: list[tuple[str, int]]) -> None:
        self.servers = servers
        self.local = threading.local()
        self.counter = 0
        self.lock = threading.Lock()

    def conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            with self.lock:
                host, port = self.servers[self.counter % len(self.servers)]
                self.counter += 1
            conn = self.local.conn = http.client.HTTPConnection(host, port, timeout=60)
        return conn

    def reset(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
            self.local.conn = None

    def run(self, work: Callable[[int], Any], count: int, threads: int = CLIENTS) -> list[Any]:
        def guarded(n: int) -> Any:
            try:
                return work(n)
            except (OSError, http.client.HTTPException) as error:
                self.reset()
                return error

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(guarded, range(count)))


def submit(clients: Clients, citizen: Citizen) -> tuple[float, float, bool]:
    """The timed "Accept and send": (start, seconds, accepted)."""
    conn = clients.conn()
    started = time.perf_counter()
    status, location, _ = citizen.send(conn, "POST", citizen.check_path, {})
    elapsed = time.perf_counter() - started
    return started, elapsed, status == 302 and location.startswith("/forms/sent/")


def prepare(clients: Clients, count: int) -> list[Citizen]:
    drafts = clients.run(lambda n: prepare_draft(clients.conn(), n), count)
    failed = [d for d in drafts if not isinstance(d, Citizen)]
    if failed:
        raise RuntimeError(f"{len(failed)} drafts could not be prepared, first: {failed[0]!r}")
    return drafts


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


# --- The two measurements ---------------------------------------------------------------------


def bench_intake(clients: Clients) -> dict[str, Any]:
    from webforms.models import Submission

    started = time.perf_counter()
    citizens = prepare(clients, SUBMISSIONS)
    preparing = time.perf_counter() - started
    before = Submission.objects.count()
    cpu_before = cpu_seconds(DAPHNE_PIDS)
    database_before = backend_cpu_seconds()
    with collector_paused():  # the clients' own pauses are not the servers' latency
        started = time.perf_counter()
        results = clients.run(lambda n: submit(clients, citizens[n]), SUBMISSIONS)
        elapsed = time.perf_counter() - started
    daphne_cpu = cpu_seconds(DAPHNE_PIDS) - cpu_before
    database_after = backend_cpu_seconds()
    database_cpu = sum(t - database_before.get(pid, 0.0) for pid, t in database_after.items())
    timings = [r for r in results if isinstance(r, tuple)]
    accepted = [seconds for _, seconds, ok in timings if ok]
    stored = Submission.objects.count() - before
    return {
        "submissions": SUBMISSIONS,
        "accepted": len(accepted),
        "rows_committed": stored,
        "lost": len(accepted) - stored,
        "failed_requests": SUBMISSIONS - len(accepted),
        "accepted_per_second": round(len(accepted) / elapsed, 1),
        "submit_p50_ms": round(statistics.median(accepted) * 1000, 1) if accepted else None,
        "submit_p99_ms": round(percentile(accepted, 0.99) * 1000, 1) if accepted else None,
        "daphne_cpu_ms_per_submit": round(daphne_cpu * 1000 / SUBMISSIONS, 2),
        "postgresql_cpu_ms_per_submit": round(database_cpu * 1000 / SUBMISSIONS, 2),
        "draft_page_requests_per_second": round(SUBMISSIONS * 4 / preparing, 1),
        "load_average_after_intake": [round(x, 2) for x in os.getloadavg()],
    }


def bench_rate(clients: Clients) -> dict[str, Any]:
    """Submits due at ``RATE`` a second for ``RATE_SECONDS``, each timed from when it was due."""
    from webforms.models import Submission

    count = int(RATE * RATE_SECONDS)
    citizens = prepare(clients, count)
    before = Submission.objects.count()
    cpu_before = cpu_seconds(DAPHNE_PIDS)
    start = 0.0

    def due_submit(n: int) -> tuple[float, bool]:
        due = start + n / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        _started, _seconds, ok = submit(clients, citizens[n])
        return time.perf_counter() - due, ok

    with collector_paused():
        start = time.perf_counter() + 0.5
        results = clients.run(due_submit, count, threads=RATE_CLIENTS)
        elapsed = time.perf_counter() - start
    daphne_cpu = cpu_seconds(DAPHNE_PIDS) - cpu_before
    accepted = [seconds for seconds, ok in (r for r in results if isinstance(r, tuple)) if ok]
    stored = Submission.objects.count() - before
    return {
        "rate_offered_per_second": RATE,
        "rate_submissions": count,
        "rate_accepted": len(accepted),
        "rate_lost": len(accepted) - stored,
        "rate_accepted_per_second": round(len(accepted) / elapsed, 1),
        "rate_submit_p50_ms": round(statistics.median(accepted) * 1000, 1) if accepted else None,
        "rate_submit_p99_ms": round(percentile(accepted, 0.99) * 1000, 1) if accepted else None,
        "rate_daphne_cpu_ms_per_submit": round(daphne_cpu * 1000 / count, 2),
        "load_average_after_rate": [round(x, 2) for x in os.getloadavg()],
    }


def bench_celery(clients: Clients) -> dict[str, Any]:
    from contactcentre.celery import app
    from webforms.models import Submission

    citizens = prepare(clients, CELERY_SUBMISSIONS)
    first = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    app.control.purge()  # the intake round's tasks: only this round's are measured
    with celery_worker() as worker:
        worker_before = tree_cpu_seconds(worker)
        database_before = backend_cpu_seconds()
        started = time.perf_counter()
        results = clients.run(lambda n: submit(clients, citizens[n]), CELERY_SUBMISSIONS)
        submitted = time.perf_counter() - started
        accepted = sum(1 for r in results if isinstance(r, tuple) and r[2])
        ours = Submission.objects.filter(pk__gt=first)
        deadline = time.monotonic() + 300
        done = 0
        while time.monotonic() < deadline:
            done = ours.exclude(routed_at=None).exclude(acknowledged_at=None).count()
            if done >= accepted:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        worker_cpu = tree_cpu_seconds(worker) - worker_before
        database_after = backend_cpu_seconds()
    # The database's CPU here includes the submits' share (about 2 ms each, see above).
    database_cpu = sum(t - database_before.get(pid, 0.0) for pid, t in database_after.items())
    return {
        "celery_submissions": CELERY_SUBMISSIONS,
        "celery_accepted": accepted,
        "celery_routed_and_acknowledged": done,
        "celery_submit_seconds": round(submitted, 2),
        "celery_end_to_end_seconds": round(elapsed, 2),
        "celery_tasks_per_second": round(done / elapsed, 1),
        "celery_worker_cpu_ms_per_submission": round(worker_cpu * 1000 / max(done, 1), 2),
        "celery_postgresql_cpu_ms_per_submission": round(database_cpu * 1000 / max(done, 1), 2),
        "celery_worker": f"prefork, concurrency {os.cpu_count() or 2}",
    }


def run(figures: dict[str, Any]) -> None:
    from routing.demo import load_demo_data as load_routing
    from webforms.demo import load_demo_data as load_forms
    from webforms.models import Submission

    load_routing()
    load_forms()
    connection.close()  # Daphne and the worker open their own
    with ExitStack() as stack:
        servers = [stack.enter_context(daphne()) for _ in range(DAPHNES)]
        clients = Clients(servers)
        figures.update(bench_intake(clients))
        if RATE:
            figures.update(bench_rate(clients))
        if CELERY_SUBMISSIONS:
            figures.update(bench_celery(clients))
    figures["rows_total"] = Submission.objects.count()
    figures["duplicate_references"] = (
        figures["rows_total"] - Submission.objects.values("reference").distinct().count()
    )


def main() -> int:
    figures: dict[str, Any] = {
        "measured": "final submit POST only (drafts prepared beforehand over HTTP, untimed); "
        "the response comes after the submission row is committed",
        "form": FORM,
        "clients": CLIENTS,
        "daphne_processes": DAPHNES,
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        print(json.dumps(figures | {"error": "set DATABASE_URL (PostgreSQL) and REDIS_URL"}))
        return 1
    if shutil.which("daphne", path=str(BIN)) is None:
        print(json.dumps(figures | {"error": "daphne is not installed"}))
        return 1
    LOGS.mkdir(exist_ok=True)
    figures["logs"] = str(LOGS)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(figures)
    except RuntimeError as error:
        print(json.dumps(figures | {"error": str(error)}))
        return 1
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))
    lost = figures["lost"] != 0 or figures["accepted"] != figures["submissions"]
    lost = lost or figures.get("rate_lost", 0) != 0
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
