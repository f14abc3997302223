"""Load the demo: staff logins, queues and opening hours, help articles. Safe to run again.

Each app that has demo data provides ``<app>/demo.py`` with ``load_demo_data()``; this command
finds them by name, so the spine does not import the apps.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo staff, queues, opening hours and help articles (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates known passwords: it never runs in production.")
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            for line in import_module(module_name).load_demo_data():
                self.stdout.write(line)
