"""The admin site is for supervisors and managers only, and always behind a second factor."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

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

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """A signed-in person without access gets 403 at once, not a second sign-in form."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                return self.login(request)
            return inner(request, *args, **kwargs)

        return wrapper

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Everyone signs in through allauth, which asks for the second factor; the admin's
        own password-only form would skip it."""
        if request.user.is_authenticated:
            assert isinstance(request.user, User)
            if needs_second_factor(request.user) and request.user.is_staff:
                return redirect_to_login(
                    request.GET.get("next", reverse("admin:index")), reverse("mfa_activate_totp")
                )
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")))
