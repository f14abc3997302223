"""The managers' try-the-policy page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from contactcentre.roles import Role
from routing.demo import load_demo_data
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db
URL = "/manage/routing/try/"


@pytest.fixture
def manager_client(client: Client) -> Client:
    load_demo_data()
    manager = StaffFactory(role=Role.MANAGER)
    client.login(email=manager.email, password=PASSWORD)
    return client


@override_settings(STAFF_MFA_REQUIRED=False)
def test_a_manager_sees_the_decision_and_its_reasons(manager_client: Client) -> None:
    response = manager_client.post(
        URL, {"text": "I've been scammed", "at": "2026-12-01 10:00", "language": "en"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Agent: fraud queue, priority 1" in body
    assert "urgent: suspected fraud" in body


@override_settings(STAFF_MFA_REQUIRED=False)
def test_an_empty_message_is_refused_with_an_error(manager_client: Client) -> None:
    response = manager_client.post(URL, {"text": "", "language": "en"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@override_settings(STAFF_MFA_REQUIRED=False)
def test_agents_may_not_try_the_policy(client: Client) -> None:
    agent = StaffFactory(role=Role.AGENT)
    client.login(email=agent.email, password=PASSWORD)
    assert client.get(URL).status_code == 403
