"""The admin site is for supervisors and managers only, and always behind a second factor."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from contactcentre.access import needs_second_factor
from contactcentre.models import User
from contactcentre.roles import SUPERVISE_CONTACTS


class ContactCentreAdminSite(admin.AdminSite):
    site_header = "Contact centre administration"
    site_title = "Contact centre admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated and user.is_staff):
            return False
        if not (user.is_superuser or user.has_perm(SUPERVISE_CONTACTS)):
            return False
        assert isinstance(user, User)
        return not needs_second_factor(user)
