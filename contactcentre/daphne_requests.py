"""Daphne's HTTP requests without Twisted's own parsing of POSTed forms.

Daphne's request class is a ``twisted.web.http.Request``, which by default reads every POST body
with a form content type into ``request.args`` before Daphne sees it: the urlencoded pairs
parsed, and a ``multipart/form-data`` upload (a webform's attachment, up to its size limit) split
and copied whole in memory. Daphne never reads ``args``: it hands the raw body to the ASGI
application, where Django parses it once. So every form POST was parsed twice, an upload held
twice, and the ``Content-Type`` header read through ``email.message``, whose header registry
makes two new classes for each request: reference cycles that only the garbage collector frees,
so young collections (and the pauses they bring) came sooner.

Twisted's ``Request`` takes ``parsePOSTFormSubmission=False`` for this; Daphne does not pass
it, so ``raw_request_bodies()`` (called from ``contactcentre.asgi``) gives Daphne's protocol a
request class that does.
"""

from __future__ import annotations

from typing import Any

from daphne import http_protocol


class RawBodyWebRequest(http_protocol.WebRequest):
    """Daphne's request, leaving the body to the application."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parsePOSTFormSubmission"] = False
        super().__init__(*args, **kwargs)


def raw_request_bodies() -> None:
    """Make Daphne's HTTP protocol build ``RawBodyWebRequest``s (its factory names the request
    class through the module, when each connection is made)."""
    http_protocol.WebRequest = RawBodyWebRequest
