"""Error pages in the service's own style. Each renders a plain fallback if the template fails,
because an error page must never itself fail."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, status: int) -> HttpResponse:
    try:
        body: str = loader.render_to_string(f"errors/{status}.html", {}, request=request)
    except Exception:
        body = f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be in a context processor or the session.
    try:
        body: str = loader.render_to_string(
            "errors/500.html",
            {
                "service_name": settings.SERVICE_NAME,
                "service_phase": settings.SERVICE_PHASE,
                "support_email": settings.SUPPORT_EMAIL,
            },
        )
    except Exception:
        body = "<!doctype html><title>Sorry, there is a problem with the service</title>"
    return HttpResponse(body, status=500)
