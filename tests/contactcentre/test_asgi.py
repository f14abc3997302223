"""The ASGI application: HTTP through Django (one worker-thread call per request, see
``contactcentre/asgi_http.py``), websockets only from our own hosts."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import ApplicationCommunicator, HttpCommunicator, WebsocketCommunicator
from django.conf import settings as django_settings
from django.core import signals
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.utils.translation import get_language

from contactcentre.asgi import application
from contactcentre.asgi_http import OneHopHttpHandler

HOST = (b"host", b"127.0.0.1")


# --- A few views of our own, served through the project's middleware -------------------------

seen: dict[str, Any] = {}


def count_visits(request: HttpRequest) -> JsonResponse:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return JsonResponse({"visits": request.session["visits"], "csrf": get_token(request)})


def language(request: HttpRequest) -> HttpResponse:
    return HttpResponse(get_language())


def read_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(len(request.POST)))


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def loop_of_async_to_sync(request: HttpRequest) -> HttpResponse:
    seen["loop"] = async_to_sync(_running_loop)()
    return HttpResponse("ok")


def thread_of_view(request: HttpRequest) -> HttpResponse:
    seen["view"] = threading.get_ident()
    return HttpResponse("ok")


def stream(request: HttpRequest) -> StreamingHttpResponse:
    def parts() -> Iterator[bytes]:
        seen["stream_thread"] = threading.get_ident()
        try:
            for n in range(int(request.GET.get("parts", "3"))):
                yield bytes([65 + n % 26]) * 100_000
        finally:
            seen["stream_closed"] = True

    return StreamingHttpResponse(parts(), content_type="application/octet-stream")


urlpatterns = [
    path("visits/", count_visits),
    path("language/", language),
    path("form/", read_form),
    path("loop/", loop_of_async_to_sync),
    path("thread/", thread_of_view),
    path("stream/", stream),
    path("", include("contactcentre.urls")),  # what the error pages link to
]


@pytest.fixture
def our_views(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    seen.clear()


def cookies_of(response: dict[str, Any]) -> dict[str, str]:
    jar = {}
    for name, value in response["headers"]:
        if name.lower() == b"set-cookie":
            key, _, rest = value.decode().partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


async def request(
    app: Any = application,
    method: str = "GET",
    path: str = "/",
    body: bytes = b"",
    cookies: dict[str, str] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> dict[str, Any]:
    sent = [HOST, *(headers or [])]
    if cookies:
        sent.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    if method == "POST":
        sent.append((b"content-type", b"application/x-www-form-urlencoded"))
    communicator = HttpCommunicator(app, method, path, body=body, headers=sent)
    return await communicator.get_response(timeout=10)


# --- HTTP -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_http_is_served_through_the_asgi_application() -> None:
    response = await request(path="/healthz")
    assert response["status"] == 200


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_answered_request_leaves_nothing_for_the_garbage_collector(
    our_views: None,
) -> None:
    """Django's request is a knot of reference cycles (lazy user, messages, session): untied
    once answered, it is freed at once, not left to collections that stop the process."""
    for _ in range(3):
        assert (await request(path="/visits/"))["status"] == 200
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(5):
            assert (await request(path="/visits/"))["status"] == 200
        gc.collect()
        left = [type(thing).__name__ for thing in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert "ASGIRequest" not in left
    assert "SimpleLazyObject" not in left


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_session_is_kept_and_a_post_needs_the_csrf_token(our_views: None) -> None:
    first = await request(path="/visits/")
    cookies = cookies_of(first)
    assert first["status"] == 200
    assert {django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME} <= set(cookies)

    second = await request(path="/visits/", cookies=cookies)
    assert b'"visits": 2' in second["body"]

    refused = await request(method="POST", path="/visits/", cookies=cookies)
    assert refused["status"] == 403
    token = f"csrfmiddlewaretoken={cookies[django_settings.CSRF_COOKIE_NAME]}".encode()
    accepted = await request(method="POST", path="/visits/", body=token, cookies=cookies)
    assert accepted["status"] == 200
    assert b'"visits": 3' in accepted["body"]


@pytest.mark.asyncio
async def test_the_language_of_one_request_does_not_leak_into_the_next(our_views: None) -> None:
    one_thread = OneHopHttpHandler(threads=1)
    welsh = await request(one_thread, path="/language/", cookies={"language": "cy"})
    english = await request(one_thread, path="/language/")
    assert (welsh["body"], english["body"]) == (b"cy", b"en")


@pytest.mark.asyncio
async def test_request_signals_and_the_view_share_one_thread(our_views: None) -> None:
    events: list[tuple[str, int]] = []

    def started(**kwargs: Any) -> None:
        events.append(("started", threading.get_ident()))

    def finished(**kwargs: Any) -> None:
        events.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        response = await request(path="/thread/")
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert response["status"] == 200
    # The database connection the view used is handed back on the thread that used it.
    assert events == [("started", seen["view"]), ("finished", seen["view"])]
    assert seen["view"] != threading.get_ident()


@pytest.mark.asyncio
async def test_async_to_sync_in_a_view_runs_on_the_servers_loop(our_views: None) -> None:
    response = await request(path="/loop/")
    assert response["status"] == 200
    assert seen["loop"] is asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_a_streaming_response_arrives_whole_and_in_chunks(our_views: None) -> None:
    finished: list[int] = []

    def on_finished(**kwargs: Any) -> None:
        finished.append(threading.get_ident())

    communicator = ApplicationCommunicator(
        application,
        {"type": "http", "method": "GET", "path": "/stream/", "query_string": b"parts=3",
         "headers": [HOST], "http_version": "1.1", "scheme": "http"},
    )  # fmt: skip
    signals.request_finished.connect(on_finished)
    try:
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=10)
        assert start["status"] == 200
        bodies = []
        while True:
            message = await communicator.receive_output(timeout=10)
            bodies.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await communicator.wait(timeout=10)
    finally:
        signals.request_finished.disconnect(on_finished)
    assert b"".join(bodies) == b"A" * 100_000 + b"B" * 100_000 + b"C" * 100_000
    assert len(bodies) > 3  # sent as it was made, not gathered first
    assert seen["stream_closed"]
    assert finished == [seen["stream_thread"]]


@pytest.mark.asyncio
async def test_a_client_that_goes_away_stops_a_stream(our_views: None) -> None:
    communicator = ApplicationCommunicator(
        application,
        {"type": "http", "method": "GET", "path": "/stream/", "query_string": b"parts=100000",
         "headers": [HOST], "http_version": "1.1", "scheme": "http"},
    )  # fmt: skip
    await communicator.send_input({"type": "http.request", "body": b""})
    assert (await communicator.receive_output(timeout=10))["status"] == 200
    await communicator.receive_output(timeout=10)
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=10)
    assert seen["stream_closed"]


@pytest.mark.asyncio
async def test_a_static_file_is_served_whole(settings: Any) -> None:
    name = "govuk-frontend.min.css"
    response = await request(path=f"/static/govuk/{name}")
    on_disk = (Path(settings.GOVUK_FRONTEND_DIR) / name).read_bytes()
    assert response["status"] == 200
    assert len(on_disk) > OneHopHttpHandler.chunk_size  # more than one chunk
    assert response["body"] == on_disk


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_form_body_over_the_limit_is_refused(our_views: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    cookies = cookies_of(await request(path="/visits/"))
    token = f"csrfmiddlewaretoken={cookies[django_settings.CSRF_COOKIE_NAME]}&".encode()
    small = await request(method="POST", path="/form/", body=token + b"a=1", cookies=cookies)
    big = await request(
        method="POST", path="/form/", body=token + b"a=" + b"x" * 5000, cookies=cookies
    )
    assert (small["status"], small["body"]) == (200, b"2")
    assert big["status"] == 400


# --- Websockets -------------------------------------------------------------------------------


async def websocket_connects(path: str, origin: bytes) -> bool:
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", origin), HOST])
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return bool(connected)


@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_refused() -> None:
    assert not await websocket_connects("/ws/anything/", b"https://evil.example")


@pytest.mark.asyncio
async def test_websocket_to_an_unknown_path_is_refused_cleanly() -> None:
    assert not await websocket_connects("/ws/nothing-here/", b"http://127.0.0.1")
