"""Websocket URL patterns, mounted by ``contactcentre.asgi``.

Kept here rather than in a file called ``routing.py``: ``routing`` is our contact-routing app.
Connections to any other path are refused by the URL router. No token or id ever goes in these
URLs (Daphne logs the path): the client sends them in its first frame.
"""

from django.urls import URLPattern, URLResolver, path

from chat.consumers import CitizenConsumer, StaffConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/chat/", CitizenConsumer.as_asgi()),
    path("ws/chat/staff/", StaffConsumer.as_asgi()),
]
