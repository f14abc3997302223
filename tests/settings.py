"""The project's settings for the test run and the servers and workers it starts (they inherit
``DJANGO_SETTINGS_MODULE``), with one change: passwords are hashed with far fewer PBKDF2 rounds.

At the production count every user a factory makes, and every sign-in, cost about 0.25 s of CPU:
most of the assignment property tests' time, and a good share of the suite's. The algorithm and
the hash format stay the production ones, and the count is kept in each hash, so a hash made here
is checked the same way in a Daphne or Celery child (which use these settings too, so none of
them "upgrades" a test user's hash behind a test's back and ends its sessions).
"""

from __future__ import annotations

from django.conf import global_settings

from contactcentre.env import Env
from contactcentre.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "tests.hashers.FewRoundsPBKDF2PasswordHasher",
    *(h for h in global_settings.PASSWORD_HASHERS if not h.endswith(".PBKDF2PasswordHasher")),
]

# The test process imports the ASGI application for Channels' communicators: no warm-up thread
# there (it would reach for the database outside any test). The Daphnes the tests start warm up
# as production does: their environment says so (``child_env`` in tests/conftest.py).
WARM_UP = Env().flag("WARM_UP", default=False)
