"""Demo people: one member of staff per role and a citizen, with known passwords."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from contactcentre.actions import enrol_staff_member
from contactcentre.models import User
from contactcentre.roles import Role


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    first_name: str
    last_name: str
    role: Role | None


DEMO_LOGINS = (
    DemoLogin("agent@govsign.example", "demo-agent-pass", "Sam", "Adviser", Role.AGENT),
    DemoLogin(
        "supervisor@govsign.example", "demo-supervisor-pass", "Priya", "Lead", Role.SUPERVISOR
    ),
    DemoLogin("manager@govsign.example", "demo-manager-pass", "Alex", "Manager", Role.MANAGER),
    DemoLogin("citizen@govsign.example", "demo-citizen-pass", "Jo", "Citizen", None),
)


@transaction.atomic
def load_demo_data() -> list[str]:
    lines = ["Demo logins (sign in at /accounts/login/):"]
    for login in DEMO_LOGINS:
        _ensure_user(login)
        role = login.role.label if login.role else "Citizen"
        lines.append(f"  {role:<11} {login.email:<28} password: {login.password}")
    return lines


def _ensure_user(login: DemoLogin) -> User:
    if login.role is not None:
        return enrol_staff_member(
            login.email, login.role, first_name=login.first_name, password=login.password
        )
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(login.email, login.password)
    elif not user.check_password(login.password):
        user.set_password(login.password)
    user.first_name, user.last_name = login.first_name, login.last_name
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=login.email, defaults={"verified": True, "primary": True}
    )
    return user
