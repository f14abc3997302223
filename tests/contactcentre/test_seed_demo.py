"""``seed_demo`` loads the demo and can be run again without changing anything."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from contactcentre.models import User
from routing.models import Queue, Schedule
from selfhelp.models import Article, ArticleStatus, ArticleTranslation

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_prints_a_login_per_role() -> None:
    output = seed()
    for email, password in [
        ("agent@govsign.example", "demo-agent-pass"),
        ("supervisor@govsign.example", "demo-supervisor-pass"),
        ("manager@govsign.example", "demo-manager-pass"),
        ("citizen@govsign.example", "demo-citizen-pass"),
    ]:
        assert email in output
        assert password in output
        assert User.objects.get(email=email).check_password(password)


def test_seed_demo_creates_queues_hours_and_articles() -> None:
    seed()
    assert set(Queue.objects.values_list("slug", flat=True)) == {
        "general",
        "identity",
        "fraud",
        "accessibility",
        "welsh",
        "written",
    }
    schedule = Schedule.objects.get(slug="live-agents")
    sessions = [(s.weekday, s.opens.hour, s.closes.hour) for s in schedule.sessions.all()]
    assert sessions == [(day, 8, 20) for day in range(5)]
    assert schedule.timezone == "Europe/London"
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == 30
    assert ArticleTranslation.objects.filter(language="cy").count() == 6
    welsh = ArticleTranslation.objects.get(article__slug="reset-password", language="cy")
    assert welsh.title == "Ailosod eich cyfrinair"


def test_seed_demo_is_idempotent() -> None:
    seed()
    counts = (User.objects.count(), Queue.objects.count(), ArticleTranslation.objects.count())
    output = seed()
    assert counts == (
        User.objects.count(),
        Queue.objects.count(),
        ArticleTranslation.objects.count(),
    )
    assert "0 added, 0 updated, 36 unchanged" in output


def test_demo_logins_work_through_the_sign_in_page(client: Client) -> None:
    seed()
    response = client.post(
        "/accounts/login/", {"login": "citizen@govsign.example", "password": "demo-citizen-pass"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_to_run_in_production(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="never runs in production"):
        seed()


def test_add_staff_enrols_a_manager_with_a_verified_address(monkeypatch: object) -> None:
    import getpass

    answers = iter(["a-long-enough-passphrase", "a-long-enough-passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))  # type: ignore[attr-defined]
    out = StringIO()
    call_command("add_staff", "Alex@Example.gov.uk", "--role", "Manager", stdout=out)
    user = User.objects.get(email="alex@example.gov.uk")
    assert user.check_password("a-long-enough-passphrase")
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Manager"]
    assert user.emailaddress_set.get().verified
    assert "now a Manager" in out.getvalue()


def test_add_staff_refuses_a_bad_email() -> None:
    with pytest.raises(CommandError, match="not an email address"):
        call_command("add_staff", "not-an-email", "--role", "Agent", "--no-password")
