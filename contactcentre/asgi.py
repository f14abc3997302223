"""ASGI entry point: Daphne serves HTTP and websockets from here.

daphne -b 0.0.0.0 -p 8000 contactcentre.asgi:application

HTTP goes through ``OneHopHttpHandler`` (``contactcentre/asgi_http.py``): Django's synchronous
handler, one worker-thread call per request, instead of Django's async handler, which hands each
middleware over to a thread and back.
"""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")
# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from chat.websocket_urls import websocket_urlpatterns  # noqa: E402
from contactcentre import warmup  # noqa: E402
from contactcentre.asgi_http import OneHopHttpHandler, http_threads  # noqa: E402
from contactcentre.consumers import UnknownPathConsumer  # noqa: E402
from contactcentre.daphne_requests import raw_request_bodies  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": OneHopHttpHandler(threads=http_threads()),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter([*websocket_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())])
            )
        ),
    }
)

# Daphne hands Django the raw body; Twisted need not parse POSTed forms (and uploads) first.
raw_request_bodies()

# Young collections far less often than Python's default (see GC_THRESHOLDS in settings): at
# the default, a busy process's in-flight objects were promoted so often that full passes came
# every few seconds and each stopped every websocket for 0.4 s.
gc.set_threshold(*settings.GC_THRESHOLDS)

# Everything loaded so far (Django, the URLconf, the models) lives as long as the process: keep
# it out of the garbage collector's full passes, which otherwise walk it all again every time
# and, with thousands of websockets open, stop the event loop for a few hundred milliseconds.
gc.freeze()

# The assistant's model and index and routing's classifier, loaded on a thread of their own
# now rather than while the first citizen waits (``/readyz`` says "not ready" until then), and
# frozen out of the collector's passes in their turn: scikit-learn, SciPy and the index are
# hundreds of thousands of long-lived objects (unfrozen, they cost every request about 0.9 ms of
# CPU in full collections: webform submits measured 6.2 ms against 5.3 ms without the warm-up).
if settings.WARM_UP:
    warmup.start(then=gc.freeze)
