"""Who reaches which page: citizens never staff pages, agents never manager pages, and staff
only with a second factor (outside the demo)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from contactcentre.models import User
from contactcentre.roles import Role
from tests.factories import StaffFactory, UserFactory
from tests.totp import enable_totp

pytestmark = pytest.mark.django_db

STAFF_PAGES = {"/console/": Role.AGENT, "/manage/": Role.MANAGER}
RANK = [Role.AGENT, Role.SUPERVISOR, Role.MANAGER]


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def staff_with_mfa() -> dict[Role, User]:
    people = {role: StaffFactory(role=role) for role in Role}
    for person in people.values():
        enable_totp(person)
    return people


@pytest.mark.parametrize("path", [*STAFF_PAGES, "/admin/"])
def test_citizen_never_reaches_a_staff_page(client: Client, path: str) -> None:
    citizen = UserFactory()
    response = signed_in(client, citizen).get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", [*STAFF_PAGES, "/account/"])
def test_signed_out_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("path", "least_role"), list(STAFF_PAGES.items()))
def test_each_role_reaches_only_its_pages(
    client: Client, staff_with_mfa: dict[Role, User], role: Role, path: str, least_role: Role
) -> None:
    response = signed_in(client, staff_with_mfa[role]).get(path)
    allowed = RANK.index(role) >= RANK.index(least_role)
    assert response.status_code == (200 if allowed else 403)


def test_admin_is_for_supervisors_and_managers(
    client: Client, staff_with_mfa: dict[Role, User]
) -> None:
    for role, expected in [(Role.AGENT, 403), (Role.SUPERVISOR, 200), (Role.MANAGER, 200)]:
        person = staff_with_mfa[role]
        person.is_staff = role != Role.AGENT
        person.save()
        assert signed_in(Client(), person).get("/admin/").status_code == expected, role


def test_admin_sign_in_goes_through_allauth_not_the_password_only_form(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_without_a_second_factor_must_set_one_up(client: Client, settings: object) -> None:
    settings.STAFF_MFA_REQUIRED = True  # type: ignore[attr-defined]
    agent = StaffFactory(role=Role.AGENT)
    response = signed_in(client, agent).get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    manager = StaffFactory(role=Role.MANAGER, is_staff=True)
    assert signed_in(Client(), manager).get("/admin/").status_code == 302


def test_demo_mode_lets_staff_in_without_a_second_factor(client: Client, settings: object) -> None:
    settings.STAFF_MFA_REQUIRED = False  # type: ignore[attr-defined]
    agent = StaffFactory(role=Role.AGENT)
    assert signed_in(client, agent).get("/console/").status_code == 200
    assert not Authenticator.objects.filter(user=agent).exists()


def test_after_sign_in_staff_go_to_the_console_and_citizens_to_their_account(
    client: Client, staff_with_mfa: dict[Role, User]
) -> None:
    response = signed_in(client, staff_with_mfa[Role.AGENT]).get("/after-login/")
    assert response["Location"] == "/console/"
    response = signed_in(Client(), UserFactory()).get("/after-login/")
    assert response["Location"] == "/account/"
