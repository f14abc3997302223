"""Self-help fixtures: the demo guidance, and a signed-in manager."""

from __future__ import annotations

import pytest
from django.test import Client

from contactcentre.roles import Role
from selfhelp.actions import import_articles
from tests.factories import PASSWORD, StaffFactory


@pytest.fixture
def guidance(db: None) -> None:
    """The demo articles, published, in English and Welsh."""
    import_articles()


@pytest.fixture
def manager_client(client: Client, settings: pytest.FixtureRequest) -> Client:
    settings.STAFF_MFA_REQUIRED = False  # type: ignore[attr-defined]
    manager = StaffFactory(role=Role.MANAGER)
    client.login(email=manager.email, password=PASSWORD)
    return client
