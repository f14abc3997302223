"""Settings come from the environment; bad values fail at start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from contactcentre.env import Env, check_redis_url, parse_database_url, parse_email_url

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3Y-" + "x7Qp9LmZ2" * 6
PRODUCTION_BASICS = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "help.govsign.example",
    "SITE_URL": "https://help.govsign.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def load_settings(**environ: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly ``environ`` set."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **environ}
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: str(getattr(settings, k)) for k in "
        "['DEBUG', 'CELERY_TASK_ALWAYS_EAGER', 'EMAIL_BACKEND', 'STAFF_MFA_REQUIRED']} | "
        "{'engine': settings.DATABASES['default']['ENGINE'], "
        "'layer': settings.CHANNEL_LAYERS['default']['BACKEND']}))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "contactcentre.settings"
    return run_python(["-c", code], env)


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_nothing_set_runs_the_embedded_demo() -> None:
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"layer": "channels.layers.InMemoryChannelLayer"' in result.stdout
    assert '"CELERY_TASK_ALWAYS_EAGER": "True"' in result.stdout
    assert "console.EmailBackend" in result.stdout


def test_database_and_redis_urls_switch_to_real_services() -> None:
    result = load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/example",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_URL="smtp://mailer:secret@mail.example:587?tls=true",
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "contactcentre.postgresql"' in result.stdout
    assert '"layer": "contactcentre.realtime.PubSubChannelLayer"' in result.stdout
    assert '"CELERY_TASK_ALWAYS_EAGER": "False"' in result.stdout
    assert "smtp.EmailBackend" in result.stdout


def test_the_list_based_channel_layer_can_be_chosen_and_keeps_more_than_100_wakeups() -> None:
    result = load_settings(REDIS_URL="redis://127.0.0.1:6379/3", CHANNEL_LAYER="lists")
    assert result.returncode == 0, result.stderr
    assert '"layer": "channels_redis.core.RedisChannelLayer"' in result.stdout
    result = run_python(
        [
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.CHANNEL_LAYERS['default']['CONFIG']['capacity'])",
        ],
        {
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "contactcentre.settings",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "CHANNEL_LAYER": "lists",
        },
    )
    assert result.stdout.strip() == "10000", result.stderr
    assert load_settings(CHANNEL_LAYER="carrier-pigeon", REDIS_URL="redis://x").returncode != 0


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL scheme 'mysql'"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL scheme 'http'"),
        ({"EMAIL_URL": "smtp://mail.example:notaport"}, "EMAIL_URL has a bad port"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"CONN_MAX_AGE": "-1"}, "CONN_MAX_AGE=-1 must be at least 0"),
        (
            {"DATABASE_URL": "postgres://db/cc", "CONN_MAX_AGE": "60"},
            "CONN_MAX_AGE must be 0 when DATABASE_POOL_SIZE is set",
        ),
        ({"DATABASE_POOL_SIZE": "-2"}, "DATABASE_POOL_SIZE=-2 must be at least 0"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV='staging' is not one of"),
        ({"DJANGO_ENV": "production"}, "SECRET_KEY must be set"),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": "short"},
            "SECRET_KEY is too weak",
        ),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY},
            "ALLOWED_HOSTS must be set",
        ),
        (
            {
                "DJANGO_ENV": "production",
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": "x.gov",
                "SITE_URL": "https://x.gov",
                "DATABASE_URL": "postgres://db/cc",
            },
            "REDIS_URL must be set",
        ),
        (
            {"DJANGO_ENV": "production", "DEMO_MODE": "true"},
            "DEMO_MODE cannot be on",
        ),
        (
            {**PRODUCTION_BASICS, "EMAIL_URL": "smtp://mail.example"},
            "DATABASE_URL must point at PostgreSQL",
        ),
        (
            {**PRODUCTION_BASICS, "SITE_URL": ""},
            "SITE_URL must be set",
        ),
        (
            {**PRODUCTION_BASICS, "SITE_URL": "http://help.govsign.example"},
            "must be an https:// address",
        ),
        (
            {**PRODUCTION_BASICS, "DATABASE_URL": "postgres://db/cc"},
            "EMAIL_URL must name a mail server",
        ),
        ({"GC_THRESHOLDS": "50000,5"}, "must be 3 whole numbers"),
        ({"GC_THRESHOLDS": "lots,5,4"}, "must be 3 whole numbers"),
    ],
)
def test_bad_values_fail_at_start_up_naming_the_variable(
    environ: dict[str, str], message: str
) -> None:
    result = load_settings(**environ)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_an_empty_value_does_not_hide_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file")
    env = Env({"SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)})
    assert env.text("SECRET_KEY") == "from-the-file"


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("s3cret-from-a-file\n")
    env = Env({"SECRET_KEY_FILE": str(secret)})
    assert env.text("SECRET_KEY") == "s3cret-from-a-file"


def test_unreadable_secret_file_is_reported() -> None:
    env = Env({"SECRET_KEY_FILE": "/nonexistent/secret"})
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE"):
        env.text("SECRET_KEY")


def test_lists_and_booleans_are_parsed() -> None:
    env = Env({"HOSTS": " a.gov.uk, ,b.gov.uk ", "FLAG": "Yes", "N": "42"})
    assert env.items("HOSTS") == ["a.gov.uk", "b.gov.uk"]
    assert env.flag("FLAG", default=False) is True
    assert env.number("N", 0) == 42
    assert env.flag("MISSING", default=True) is True


def test_email_url_forms() -> None:
    starttls = parse_email_url("smtp://user%40x:p%2Fw@mail.example:587?tls=true")
    assert starttls["EMAIL_HOST_USER"] == "user@x"
    assert starttls["EMAIL_HOST_PASSWORD"] == "p/w"
    assert starttls["EMAIL_USE_TLS"] is True
    implicit = parse_email_url("smtp+ssl://mail.example")
    assert implicit["EMAIL_PORT"] == 465
    assert implicit["EMAIL_USE_SSL"] is True
    with pytest.raises(ImproperlyConfigured, match="both ssl and tls"):
        parse_email_url("smtp://mail.example?ssl=true&tls=true")
    with pytest.raises(ImproperlyConfigured, match="must name a host"):
        parse_email_url("smtp://")


def test_database_url_must_name_a_database() -> None:
    with pytest.raises(ImproperlyConfigured, match="must name a database"):
        parse_database_url("postgres://postgres@127.0.0.1:5432", conn_max_age=0)
    config = parse_database_url("postgres://u:p@db:5432/cc", conn_max_age=60)
    assert config["NAME"] == "cc"
    assert config["ENGINE"] == "django.db.backends.postgresql"


def test_redis_url_needs_a_host() -> None:
    with pytest.raises(ImproperlyConfigured, match="must name a host"):
        check_redis_url("redis://")
    assert check_redis_url("rediss://cache:6380/1") == "rediss://cache:6380/1"


def test_production_passes_the_deploy_checklist_with_nothing_to_report() -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "help.govsign.example",
        "SITE_URL": "https://help.govsign.example",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "EMAIL_URL": "smtp://mail.example:587?tls=true",
    }
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_postgresql_connections_come_from_a_pool_of_the_configured_size() -> None:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}).get('pool')))"
    )
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "contactcentre.settings"}
    pooled = run_python(["-c", code], env | {"DATABASE_URL": "postgres://db/cc"})
    assert pooled.returncode == 0, pooled.stderr
    assert '"max_size": 20' in pooled.stdout
    assert '"timeout": 10' in pooled.stdout
    sized = {"DATABASE_URL": "postgres://db/cc", "DATABASE_POOL_SIZE": "5"}
    assert '"max_size": 5' in run_python(["-c", code], env | sized).stdout
    off = {"DATABASE_URL": "postgres://db/cc", "DATABASE_POOL_SIZE": "0", "CONN_MAX_AGE": "60"}
    assert run_python(["-c", code], env | off).stdout.strip() == "null"


def test_web_processes_collect_young_garbage_at_the_configured_threshold() -> None:
    """Python's default (700) made a busy Daphne's full collections come every few seconds;
    the ASGI entry point sets the configured thresholds."""
    code = "import gc, contactcentre.asgi; print(gc.get_threshold())"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "contactcentre.settings",
        "WARM_UP": "false",
    }
    assert run_python(["-c", code], env).stdout.strip() == "(50000, 5, 4)"
    chosen = run_python(["-c", code], env | {"GC_THRESHOLDS": "2000,10,10"})
    assert chosen.stdout.strip() == "(2000, 10, 10)", chosen.stderr
