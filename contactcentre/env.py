"""Typed readers for environment variables.

Every setting an operator can change comes through here, so a bad value fails at start-up with
``ImproperlyConfigured`` and a message that names the variable, rather than surfacing later as a
confusing runtime error. ``NAME_FILE`` may point at a file holding the value (Docker secrets).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        # An empty NAME left in an env file must not hide NAME_FILE.
        if value is not None and (value or f"{name}_FILE" not in self.environ):
            return value
        path = self.environ.get(f"{name}_FILE")
        if path is None:
            return None
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc

    def text(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        return default if value is None else value.strip()

    def required(self, name: str, why: str) -> str:
        value = self.text(name)
        if not value:
            raise ImproperlyConfigured(f"{name} must be set {why}.")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")

    def number(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        try:
            number = int(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from exc
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def numbers(self, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
        """Whole numbers separated by commas, as many as ``default`` has."""
        items = self.items(name)
        if not items:
            return default
        if len(items) != len(default) or not all(item.isdigit() for item in items):
            example = ",".join(str(number) for number in default)
            raise ImproperlyConfigured(
                f"{name}={','.join(items)!r} must be {len(default)} whole numbers, as in {example}."
            )
        return tuple(int(item) for item in items)

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).lower()
        if value not in choices:
            allowed = ", ".join(choices)
            raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
        return value


def parse_database_url(url: str, *, conn_max_age: int) -> dict[str, object]:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` entry.

    Only PostgreSQL (psycopg 3) and SQLite are supported: anything else is refused by name.
    """
    import dj_database_url

    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported: use postgres:// or sqlite://."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgres://host/db.")
    return dict(config)


def _server_url(name: str, url: str, schemes: set[str], example: str) -> tuple[SplitResult, int]:
    """Split a service URL, refusing an unknown scheme, a missing host or a bad port."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in sorted(schemes))
        raise ImproperlyConfigured(
            f"{name} scheme {parts.scheme!r} is not supported: use {allowed}."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, e.g. {example}.")
    try:
        port = parts.port or 0
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} has a bad port: {exc}") from exc
    return parts, port


def check_redis_url(url: str) -> str:
    _server_url("REDIS_URL", url, {"redis", "rediss"}, "redis://127.0.0.1:6379/0")
    return url


def parse_email_url(url: str) -> dict[str, object]:
    """Turn ``EMAIL_URL`` (``smtp://user:pass@host:587?tls=true``) into Django email settings.

    ``smtp+ssl://`` uses implicit TLS (port 465); ``console://`` prints mail to standard output.
    """
    if urlsplit(url).scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts, port = _server_url(
        "EMAIL_URL", url, {"smtp", "smtp+ssl", "smtps"}, "smtp://mail.example:587"
    )
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme in {"smtp+ssl", "smtps"} or query.get("ssl") in _TRUE
    starttls = query.get("tls") in _TRUE
    if implicit_tls and starttls:
        raise ImproperlyConfigured("EMAIL_URL cannot ask for both ssl and tls: choose one.")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if implicit_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": starttls,
        "EMAIL_TIMEOUT": 10,
    }
