"""A password hasher for the tests only (see ``tests.settings``)."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FewRoundsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 hasher (same algorithm name, same format) with 1,000 rounds."""

    iterations = 1_000
