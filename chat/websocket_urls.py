"""Websocket URL patterns, mounted by ``contactcentre.asgi``.

Kept here rather than in a file called ``routing.py``: ``routing`` is our contact-routing app.
Connections to any other path are refused by the URL router.
"""

from django.urls import URLPattern, URLResolver

websocket_urlpatterns: list[URLPattern | URLResolver] = []
