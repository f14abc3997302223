"""How allauth fits the contact centre."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Citizens may create accounts unless the operator has turned sign-up off."""
        return bool(settings.ACCOUNT_SIGNUP_OPEN)
