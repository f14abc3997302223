"""Daphne's requests leave POSTed forms to Django (``contactcentre/daphne_requests.py``)."""

from __future__ import annotations

import gc
import io
from typing import Any

from daphne import http_protocol
from twisted.internet.testing import StringTransport
from twisted.web import http

import contactcentre.asgi  # noqa: F401 (what Daphne imports: it sets the request class up)
from contactcentre.daphne_requests import RawBodyWebRequest

BODY = (
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\nhello\r\n--x--\r\n"
)


class Server:
    """What Daphne's protocol asks of its server while a request is built."""

    def protocol_connected(self, protocol: Any) -> None:
        pass


def received(request_class: type[http.Request]) -> http.Request:
    """A multipart POST received by a request of ``request_class`` made as Daphne makes it."""
    protocol = http_protocol.HTTPFactory(Server()).buildProtocol(("127.0.0.1", 40000))
    protocol.makeConnection(StringTransport())
    request = request_class(protocol._channel)
    request.process = lambda: None  # Daphne's hand-over to the application: not wanted here
    request.requestHeaders.setRawHeaders(b"content-type", [b"multipart/form-data; boundary=x"])
    request.content = io.BytesIO(BODY)
    request.content.seek(0, io.SEEK_END)
    request.requestReceived(b"POST", b"/forms/foi/", b"HTTP/1.1")
    return request


def test_daphne_builds_requests_that_leave_the_body_to_django() -> None:
    channel = http_protocol.HTTPFactory(Server()).buildProtocol(("127.0.0.1", 40000))
    assert channel.requestFactory is RawBodyWebRequest

    request = received(RawBodyWebRequest)

    assert request.args == {}  # Twisted did not parse it
    assert request.content.read() == BODY  # the body Daphne hands on is whole


def test_twisted_would_otherwise_parse_every_posted_form_and_make_classes_doing_it() -> None:
    plain = http_protocol.WebRequest.__mro__[1]  # Daphne's own request class
    assert plain.__name__ == "WebRequest"
    assert plain is not RawBodyWebRequest
    gc.collect()
    gc.disable()
    try:
        request = received(plain)
        assert request.args[b"file"] == [b"hello"]
        assert gc.collect() > 0  # the header registry's classes, freed only by the collector
        received(RawBodyWebRequest)
        assert gc.collect() == 0
    finally:
        gc.enable()
