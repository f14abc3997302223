"""Webform submit CPU, counted rather than timed: instructions per "Accept and send" POST through
the ASGI application Daphne serves (``contactcentre.asgi``: the one-hop HTTP handler, the
middleware, the view, the statement, the hand-over to the background publisher and its publish
to Redis), under ``valgrind --tool=callgrind``.

On a shared machine wall-clock and even ``/proc`` CPU figures move with everyone else's load;
an instruction count does not. Each measurement runs this script twice under callgrind, in
processes that start the same way and prepare the same drafts (each in a session of its own,
with its CSRF cookie, as the pages leave them) and send the same warm-up submits, one then
sending ``WEBFORMS_INSTR_SUBMITS`` more: the difference between the two totals, divided by that
number, is the cost of one submit with everything warm. Submits are sent one after another, so
the publisher's batches hold one id each (the dearest case). Twisted's HTTP parsing, which Daphne
adds in front (about 0.8 ms a request, see ``/healthz``), is not in it.

A third, plain run (no valgrind) counts the database queries and Redis commands per submit.

Runs in a throwaway test database made from DATABASE_URL (PostgreSQL) and dropped afterwards;
publishes to the Celery queue of REDIS_URL (give it a Redis database of its own). Prints one
JSON object.

Options (environment): WEBFORMS_INSTR_SUBMITS (60), WEBFORMS_INSTR_PATH (``submit``, or
``healthz`` to count a GET /healthz instead, the floor of any request);
WEBFORMS_INSTR_PROFILE: a path to write a cProfile of the plain run's submits to (its top
functions are printed to stderr).
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

SUBMITS = int(os.environ.get("WEBFORMS_INSTR_SUBMITS", "60"))
WHAT = os.environ.get("WEBFORMS_INSTR_PATH", "submit")
PROFILE = os.environ.get("WEBFORMS_INSTR_PROFILE", "")
WARM_UP_SUBMITS = 5
FORM = "foi"  # as bench/webforms.py
CHILD = "--child"


# --- The measured process ---------------------------------------------------------------------


class Browser:
    """One citizen's cookies and CSRF token, with a draft ready to send."""

    def __init__(self, n: int) -> None:
        from django.contrib.sessions.backends.base import SessionBase
        from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
        from django.utils import timezone
        from django.utils.module_loading import import_string

        from webforms.actions import drafts
        from webforms.models import FormDefinition
        from webforms.selectors import SESSION_DRAFTS, remember_in_session

        form = FormDefinition.objects.get(slug=FORM)
        now = timezone.now()
        draft = drafts.start_draft(form, citizen=None, language="en", now=now)
        answers = {
            "full_name": f"Bench Citizen {n}",
            "email": f"citizen{n}@bench.example",
            "request": f"All correspondence about case {n} since 2020.",
        }
        drafts.save_answers(draft, answers, now=now)
        from django.conf import settings

        store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
        remember_in_session(store, SESSION_DRAFTS, str(draft.public_id))
        store.save()
        secret = _get_new_csrf_string()
        self.cookies = f"{settings.CSRF_COOKIE_NAME}={secret}; sessionid={store.session_key}"
        self.token = _mask_cipher_secret(secret)  # as the page's hidden field holds it
        self.path = f"/forms/{FORM}/{draft.public_id}/check/"


async def _request(
    application: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, dict[bytes, bytes]]:
    """One request as Daphne hands it over (the headers ``http.client`` sends)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"identity"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await never  # the client stays connected
        raise AssertionError

    response: dict[str, Any] = {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            response.update(message)

    await application(scope, receive, send)
    return int(response["status"]), dict(response["headers"])


async def _submit(application: Any, browser: Browser) -> None:
    body = urlencode({"csrfmiddlewaretoken": browser.token}).encode()
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"cookie", browser.cookies.encode()),
    ]
    status, response_headers = await _request(application, "POST", browser.path, headers, body)
    location = response_headers.get(b"Location", b"")
    if status != 302 or not location.startswith(b"/forms/sent/"):
        raise RuntimeError(f"submit answered {status} {location!r}")


async def _healthz(application: Any, _browser: Browser) -> None:
    status, _headers = await _request(application, "GET", "/healthz", [], b"")
    if status != 200:
        raise RuntimeError(f"/healthz answered {status}")


def child(count: int, counting: bool) -> None:
    """Prepare the drafts, send the warm-up submits, then ``count`` more."""
    from contactcentre.asgi import application  # Django set up as under Daphne

    browsers = [Browser(n) for n in range(WARM_UP_SUBMITS + SUBMITS)]
    send = _submit if WHAT == "submit" else _healthz

    async def run() -> dict[str, Any]:
        for browser in browsers[:WARM_UP_SUBMITS]:
            await send(application, browser)
        with _counters(counting) as counted:
            for browser in browsers[WARM_UP_SUBMITS : WARM_UP_SUBMITS + count]:
                await send(application, browser)
        return counted

    counted = asyncio.run(run())
    from webforms import publisher

    publisher.flush()  # published within the run, as a busy Daphne would
    if counting:
        print(json.dumps(counted))


class _counters:
    """Queries (each request thread's) and Redis commands (the publisher's too) of what runs
    inside, per submit, the CPU time it took uninstrumented, and a profile if asked."""

    def __init__(self, counting: bool) -> None:
        self.counting = counting
        self.counted: dict[str, Any] = {}

    def __enter__(self) -> dict[str, Any]:
        if not self.counting:
            return self.counted
        from django.db.backends.base.base import BaseDatabaseWrapper
        from redis.connection import Connection

        self.queries: list[str] = []
        self.commands: list[str] = []
        original = Connection.send_command
        commands = self.commands

        def counted_send(conn: Any, *args: Any, **kwargs: Any) -> Any:
            commands.append(str(args[0]))
            return original(conn, *args, **kwargs)

        self.original_send = original
        Connection.send_command = counted_send  # type: ignore[method-assign]

        def execute(execute: Any, sql: str, *args: Any) -> Any:
            self.queries.append(sql.split(None, 1)[0].upper())
            return execute(sql, *args)

        # The request threads' connections too (each thread has its own): wrap every cursor.
        self.original_cursor = original_cursor = BaseDatabaseWrapper._cursor

        def _cursor(wrapper: Any, *args: Any, **kwargs: Any) -> Any:
            if execute not in wrapper.execute_wrappers:
                wrapper.execute_wrappers.append(execute)
            return original_cursor(wrapper, *args, **kwargs)

        BaseDatabaseWrapper._cursor = _cursor  # type: ignore[method-assign]
        self.profiler = cProfile.Profile() if PROFILE else None
        if self.profiler:
            _profile_in_threads(self.profiler)
        self.started = time.process_time()
        return self.counted

    def __exit__(self, *exc: object) -> None:
        if not self.counting:
            return
        cpu = time.process_time() - self.started
        if self.profiler:
            self.profiler.dump_stats(PROFILE)
            pstats.Stats(PROFILE, stream=sys.stderr).sort_stats("tottime").print_stats(50)
        from django.db.backends.base.base import BaseDatabaseWrapper
        from redis.connection import Connection

        Connection.send_command = self.original_send  # type: ignore[method-assign]
        BaseDatabaseWrapper._cursor = self.original_cursor  # type: ignore[method-assign]
        n = max(SUBMITS, 1)
        self.counted.update(
            {
                "queries_per_submit": round(len(self.queries) / n, 2),
                "query_kinds": sorted(set(self.queries)),
                "redis_commands_per_submit": round(len(self.commands) / n, 2),
                "redis_command_kinds": sorted(set(self.commands)),
                "cpu_ms_per_submit_uninstrumented": round(cpu * 1000 / n, 2),
            }
        )


def _profile_in_threads(profiler: cProfile.Profile) -> None:
    """Profile each request on its worker thread and each publish on the publisher's (one at a
    time: the submits are sequential)."""
    from contactcentre.asgi_http import OneHopHttpHandler
    from webforms import publisher

    serve, publish = OneHopHttpHandler._serve, publisher.publish

    def profiled_serve(*args: Any) -> Any:
        return profiler.runcall(serve, *args)

    def profiled_publish(*args: Any) -> Any:
        return profiler.runcall(publish, *args)

    OneHopHttpHandler._serve = profiled_serve  # type: ignore[method-assign]
    publisher.publish = profiled_publish


# --- The driver -------------------------------------------------------------------------------


def _child_env(database: str) -> dict[str, str]:
    from bench.common import database_url

    return {
        **os.environ,
        "DJANGO_ENV": "test",
        "DEBUG": "0",
        "DATABASE_URL": database_url(database),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "WARM_UP": "0",  # the assistant and the classifier are not on this path
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
    }


def _callgrind(env: dict[str, str], count: int, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (valgrind on this script, fixed arguments)
        [
            shutil.which("valgrind") or "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--dump-line=no",
            sys.executable,
            __file__,
            CHILD,
            str(count),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _total_instructions(out: Path) -> int:
    match = re.search(rb"^(?:summary|totals): (\d+)", out.read_bytes(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no instruction total in {out}")
    return int(match.group(1))


def measure(database: str) -> dict[str, Any]:
    env = _child_env(database)
    folder = Path(tempfile.mkdtemp(prefix="wfinstr-"))
    try:
        runs = {count: folder / f"callgrind-{count}.out" for count in (0, SUBMITS)}
        started = time.perf_counter()
        processes = {count: _callgrind(env, count, out) for count, out in runs.items()}
        for count, process in processes.items():
            _out, err = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"callgrind run of {count} failed: {err.decode()[-2000:]}")
        totals = {count: _total_instructions(out) for count, out in runs.items()}
        plain = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, CHILD, str(SUBMITS), "--count"],
            env=env,
            capture_output=True,
            check=False,
        )
        if plain.returncode != 0:
            raise RuntimeError(f"counting run failed: {plain.stderr.decode()[-2000:]}")
        if PROFILE:
            sys.stderr.write(plain.stderr.decode())
        counted = json.loads(plain.stdout.decode().strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    per_request = (totals[SUBMITS] - totals[0]) / SUBMITS
    return {
        "instructions_per_request": round(per_request),
        "instructions_per_request_millions": round(per_request / 1e6, 2),
        "instructions_total": {str(count): total for count, total in totals.items()},
        "valgrind_seconds": round(time.perf_counter() - started, 1),
        **counted,
    }


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    figures: dict[str, Any] = {
        "measured": f"{WHAT}: instructions per request through contactcentre.asgi, "
        f"callgrind run of {WARM_UP_SUBMITS}+{SUBMITS} minus run of {WARM_UP_SUBMITS}+0",
        "form": FORM,
        "requests": SUBMITS,
        "database": connection.vendor,
        "session_engine": settings.SESSION_ENGINE,
    }
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        print(json.dumps(figures | {"error": "set DATABASE_URL (PostgreSQL) and REDIS_URL"}))
        return 1
    if shutil.which("valgrind") is None:
        print(json.dumps(figures | {"error": "valgrind is not installed"}))
        return 1
    old_name = connection.settings_dict["NAME"]
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from routing.demo import load_demo_data as load_routing
        from webforms.demo import load_demo_data as load_forms

        load_routing()
        load_forms()
        connection.close()
        figures.update(measure(database))
    except RuntimeError as error:
        print(json.dumps(figures | {"error": str(error)}))
        return 1
    finally:
        from contactcentre.celery import app

        app.control.purge()  # what the submits published: no worker is meant to run it
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == CHILD:
        import django

        django.setup()
        child(int(sys.argv[2]), counting="--count" in sys.argv)
        sys.exit(0)
    sys.exit(main())
