"""Webforms fixtures: the demo catalogue, queues and opening hours, and helpers that fill in
forms through the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from webforms.models import FieldKind, FormDefinition, Submission


@pytest.fixture(autouse=True)
def _eager_celery(request: pytest.FixtureRequest) -> Any:
    """Tasks run in the test process, unless the test asks for a real worker."""
    from contactcentre.celery import app

    if request.node.get_closest_marker("celery_worker"):
        app.conf.task_always_eager = False
        yield
    else:
        app.conf.task_always_eager = True
        yield
    app.conf.task_always_eager = False


@pytest.fixture
def catalogue(db: None, settings: Any, tmp_path: Any) -> None:
    """Demo queues, live-agent hours and the seven demo forms; email to Django's outbox."""
    from routing.demo import load_demo_data as load_routing
    from webforms.demo import load_demo_data as load_forms

    settings.WEBFORMS_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_routing()
    load_forms()
    mail.outbox = []


def valid_answer(field: Any) -> str:
    if field.kind == FieldKind.EMAIL:
        return "citizen@example.org"
    if field.kind == FieldKind.PHONE:
        return "01234 567890"
    if field.kind == FieldKind.CHOICE:
        return str(field.choices[0]["value"])
    if field.kind == FieldKind.YES_NO:
        return "no"
    if field.kind == FieldKind.CONFIRM:
        return "on"
    if field.kind == FieldKind.CALLBACK_SLOT:
        from django.utils import timezone

        from webforms.forms import callback_slots

        return callback_slots(timezone.now())[0][0]
    return f"My {field.name.replace('_', ' ')}"


def start(client: Client, slug: str, query: str = "") -> str:
    """Start a form; returns the URL of its first page."""
    response = client.post(f"/forms/{slug}/{query}")
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def fill_all_pages(client: Client, slug: str, first_page: str, **answers: str) -> str:
    """Answer every page (valid answers unless given); returns where the last page led."""
    definition = FormDefinition.objects.get(slug=slug)
    pages: dict[int, list[Any]] = {}
    for field in definition.fields.all():
        pages.setdefault(field.page, []).append(field)
    base = first_page.rsplit("/", 2)[0]
    location = first_page
    for number, page in enumerate([pages[p] for p in sorted(pages)], start=1):
        data = {f.name: answers.get(f.name, valid_answer(f)) for f in page}
        response = client.post(f"{base}/{number}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        location = str(response["Location"])
    return location


def submit(client: Client, slug: str, **answers: str) -> Submission:
    first = start(client, slug)
    fill_all_pages(client, slug, first, **answers)
    check = first.rsplit("/", 2)[0] + "/check/"
    response = client.post(check)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = str(response["Location"]).rstrip("/").rsplit("/", 1)[1]
    return Submission.objects.get(reference=reference)
