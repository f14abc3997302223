"""Signing up, verifying an email address, signing in with a second factor, resetting a
password: the allauth flows as citizens and staff meet them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from contactcentre.models import User
from contactcentre.roles import Role
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.totp import current_code, enable_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-long-passphrase"


def link_in_last_email(pattern: str) -> str:
    assert mail.outbox, "no email was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_citizen_signs_up_verifies_email_and_is_signed_in(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "Dewi@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="dewi@example.org")
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dewi@example.org"]

    # Until the address is verified, signing in only resends the link.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "dewi@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    confirm_path = link_in_last_email(r"/accounts/confirm-email/[^/\s]+/")
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_refuses_a_weak_password_and_keeps_the_email(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "weak@example.org", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.org").exists()
    page = response.content.decode()
    assert "too common" in page
    assert 'value="weak@example.org"' in page


def test_sign_up_can_be_turned_off(client: Client, settings: object) -> None:
    settings.ACCOUNT_SIGNUP_OPEN = False  # type: ignore[attr-defined]
    response = client.post(
        "/accounts/signup/",
        {"email": "late@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="late@example.org").exists()
    assert response.status_code == 200


def test_verified_citizen_signs_in_with_email_and_password(client: Client) -> None:
    citizen = UserFactory(email="jo@example.org")
    response = client.post("/accounts/login/", {"login": "JO@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/after-login/"
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_wrong_password_gives_an_error_not_a_session(client: Client) -> None:
    UserFactory(email="jo@example.org")
    response = client.post("/accounts/login/", {"login": "jo@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_staff_with_an_authenticator_must_enter_a_code(client: Client) -> None:
    agent = StaffFactory(role=Role.AGENT, email="sam@govsign.example")
    secret = enable_totp(agent)
    response = client.post(
        "/accounts/login/", {"login": "sam@govsign.example", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert client.get("/console/").status_code == 200


def test_staff_sets_up_an_authenticator_app_then_reaches_the_console(
    client: Client, settings: object
) -> None:
    settings.STAFF_MFA_REQUIRED = True  # type: ignore[attr-defined]
    StaffFactory(role=Role.AGENT, email="new.agent@govsign.example")
    response = client.post(
        "/accounts/login/", {"login": "new.agent@govsign.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    setup = client.get("/console/", follow=True)
    # allauth asks for the password again before a second factor is changed.
    assert setup.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    response = client.post(setup.redirect_chain[-1][0], {"password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert client.get(response["Location"]).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(
        "/accounts/2fa/totp/activate/?next=/console/", {"code": current_code(secret)}
    )
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200


def test_password_reset_by_email(client: Client) -> None:
    UserFactory(email="jo@example.org")
    response = client.post("/accounts/password/reset/", {"email": "jo@example.org"})
    assert response.status_code == 302
    reset_path = link_in_last_email(r"/accounts/password/reset/key/[^/\s]+/")
    response = client.get(reset_path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "jo@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_password_reset_does_not_reveal_whether_an_account_exists(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
