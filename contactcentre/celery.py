"""The Celery application: workers and beat start with ``celery -A contactcentre ...``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcentre.settings")

app = Celery("contactcentre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
