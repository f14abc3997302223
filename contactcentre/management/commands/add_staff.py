"""Give someone a staff role: ``manage.py add_staff alex@example.gov.uk --role Manager``."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from contactcentre.actions import enrol_staff_member
from contactcentre.models import User
from contactcentre.roles import Role


class Command(BaseCommand):
    help = "Create or update a member of staff with a role (Agent, Supervisor or Manager)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--first-name", default="", help="The name citizens see in chats.")
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="Do not ask for a password (existing account, or they will reset it by email).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        password = None if options["no_password"] else self._ask_password(email)
        user = enrol_staff_member(
            email, Role(options["role"]), first_name=options["first_name"], password=password
        )
        self.stdout.write(
            f"{user.email} is now a {options['role']}. At first sign-in they will be asked to "
            "set up an authenticator app."
        )

    def _ask_password(self, email: str) -> str:
        for _attempt in range(3):
            password = getpass.getpass(f"Password for {email}: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                validate_password(password, User(email=email))
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password
        raise CommandError("No password was set.")
